"""Demo processes: one in each phase, with issues, proposals, comments, supports and answers.

Everything goes through the same operations residents and the council use, so the demo obeys
the phase rules; only the dates are moved into the past afterwards, to read naturally.
"""

from datetime import date, timedelta

from participation.comments.operations import add_comment, vote_comment
from participation.core.models import utcnow
from participation.extensions import db
from participation.processes.models import Process
from participation.processes.operations import advance_phase, save_process, set_categories
from participation.proposals.operations import (
    add_implementation_update,
    create_issue,
    create_proposal,
    respond,
)
from participation.votes.operations import mark_affected, support_proposal

EXTRA_RESIDENTS = [
    "บุญมี แก้วมา", "จันทร์เพ็ญ ทองดี", "ประเสริฐ ใจงาม", "สุดา พรหมมา", "อนันต์ คำแสน",
    "วิไลวรรณ ปัญญา", "ธนากร อินทร์แก้ว", "นงลักษณ์ ศรีวงศ์", "เกรียงไกร ดวงดี", "พิมพ์ชนก สายใจ",
]  # fmt: skip

SCHOOL = {
    "slug": "safe-routes-to-school",
    "title_th": "เส้นทางเดินปลอดภัยไปโรงเรียน",
    "title_en": "Safe walking routes to school",
    "summary_th": "ลูกหลานของเราเดินและปั่นจักรยานไปโรงเรียนได้อย่างปลอดภัยหรือยัง "
    "มาช่วยกันหาจุดเสี่ยงและทางแก้ไปด้วยกัน",
    "summary_en": "Can our children walk and cycle to school safely? Let us find the risky "
    "spots and the fixes together.",
    "description_th": "ทุกเช้ามีนักเรียนกว่า 1,200 คนเดินทางไปโรงเรียน 4 แห่งในเขตเทศบาล "
    "หลายเส้นทางไม่มีทางเท้า ไฟส่องสว่างไม่พอ และรถวิ่งเร็ว\n\n"
    "**สิ่งที่เราอยากรู้:** จุดไหนอันตราย เกิดขึ้นเวลาไหน และใครได้รับผลกระทบ",
    "description_en": "Every morning more than 1,200 pupils travel to the four schools of the "
    "municipality. Many routes have no footpath, too little lighting and fast traffic.\n\n"
    "**What we want to learn:** which spots are dangerous, when, and who is affected.",
    "categories": [("ทางเท้าและทางข้าม", "Footpaths and crossings"),
                   ("ไฟส่องสว่าง", "Street lighting"), ("การจราจร", "Traffic")],
    "max_supports": 3,
    "support_threshold": 4,
}  # fmt: skip

WASTE = {
    "slug": "less-waste-better-sorting",
    "title_th": "ลดขยะ แยกขยะ ในชุมชนของเรา",
    "title_en": "Less waste, better sorting in our communities",
    "summary_th": "เทศบาลเก็บขยะวันละกว่า 40 ตัน ร่วมเสนอวิธีลดและแยกขยะที่ทำได้จริงในชุมชน",
    "summary_en": "The municipality collects more than 40 tonnes of waste a day. Propose ways to "
    "reduce and sort it that work in our communities.",
    "description_th": "ข้อเสนอที่ได้รับเสียงสนับสนุนครบ 3 เสียง จะเข้าสู่การพิจารณาของสภาเทศบาล "
    "ทุกคนสนับสนุนได้ไม่เกิน 5 ข้อเสนอ",
    "description_en": "Proposals with 3 supports go to the council for review. Everyone may "
    "support up to 5 proposals.",
    "categories": [("ขยะอินทรีย์", "Organic waste"), ("ขยะรีไซเคิล", "Recycling"),
                   ("จุดทิ้งขยะ", "Collection points")],
    "max_supports": 5,
    "support_threshold": 3,
}  # fmt: skip

PARKS = {
    "slug": "green-spaces-for-young-children",
    "title_th": "พื้นที่สีเขียวและสวนสาธารณะสำหรับเด็กเล็ก",
    "title_en": "Green spaces and parks for young children",
    "summary_th": "เด็กเล็กในชุมชนมีที่วิ่งเล่นใกล้บ้านหรือไม่ เล่าให้เราฟังว่าขาดอะไร",
    "summary_en": "Do young children have somewhere to play near home? Tell us what is missing.",
    "description_th": "ช่วงมองโจทย์ใหม่: เล่าปัญหา ความต้องการ และหลักฐานที่คุณเห็น "
    "เช่น ภาพถ่าย จำนวนเด็ก หรือระยะทางถึงสนามเด็กเล่นที่ใกล้ที่สุด",
    "description_en": "Reframe phase: describe problems, needs and the evidence you see, such as "
    "photos, the number of children, or the distance to the nearest playground.",
    "categories": [("สนามเด็กเล่น", "Playgrounds"), ("ต้นไม้และร่มเงา", "Trees and shade")],
    "max_supports": 5,
    "support_threshold": 5,
}  # fmt: skip


def _process(spec, facilitator, areas, days_ago):
    today = date.today()
    start = today - timedelta(days=days_ago)
    data = {k: v for k, v in spec.items() if k != "categories"}
    data.update(
        reframe_start=start,
        reframe_end=start + timedelta(days=30),
        reimagine_start=start + timedelta(days=31),
        reimagine_end=start + timedelta(days=60),
        remake_start=start + timedelta(days=61),
        remake_end=start + timedelta(days=240),
        edit_window_minutes=1440,
        areas=areas,
    )
    process = save_process(Process(), data, facilitator)
    set_categories(process, spec["categories"])
    process.is_published = True
    db.session.flush()
    return process


def _category(process, index):
    return process.categories[index].id


def _backdate(item, days):
    item.created_dt = utcnow() - timedelta(days=days)
    item.modified_dt = item.created_dt


def seed_cycle(users, municipality):
    """Create the three demo processes (the caller commits)."""
    from participation.accounts import operations as accounts
    from participation.demo.seed import DEMO_PASSWORD

    residents = [users["somchai@ruamkid.test"], users["malee@ruamkid.test"],
                 users["anna@ruamkid.test"]]  # fmt: skip
    for number, name in enumerate(EXTRA_RESIDENTS, start=1):
        residents.append(
            accounts.register_user(
                email=f"resident{number}@ruamkid.test",
                display_name=name,
                password=DEMO_PASSWORD,
                preferred_language="th",
                consent=True,
            )  # fmt: skip
        )
    facilitator = users["facilitator@ruamkid.test"]
    council = users["council@ruamkid.test"]
    areas = municipality.areas
    somchai, malee, anna = residents[:3]

    # 1. Remake: the council has answered and work is under way.
    school = _process(SCHOOL, facilitator, areas[:4], days_ago=90)
    dark = create_issue(school, somchai, {
        "title": "ซอยทางไปโรงเรียนบ้านป่าจี้มืดมากตอนเช้าและเย็น",
        "body": "ไฟส่องสว่างในซอย 3 ดับมาหลายเดือน ช่วงหน้าหนาวเด็กออกจากบ้าน 6 โมงเช้ายังมืดอยู่ "
        "ผู้ปกครองหลายคนต้องเดินไปส่งเพราะไม่กล้าให้ลูกเดินเอง",
        "category_id": _category(school, 1), "area_id": areas[0].id,
    })  # fmt: skip
    footpath = create_issue(school, malee, {
        "title": "ไม่มีทางเท้าหน้าโรงเรียน ต้องเดินบนถนน",
        "body": "หน้าโรงเรียนมีร้านค้าตั้งแผงเต็มไหล่ทาง เด็กต้องเดินลงไปบนถนนที่รถวิ่งสวนกันตลอด",
        "category_id": _category(school, 0), "area_id": areas[1].id,
    })  # fmt: skip
    speed = create_issue(school, anna, {
        "title": "Cars drive fast past the school gate in the morning",
        "body": "Between 7:00 and 8:00 pick-up trucks use the school road as a shortcut and do "
        "not slow down at the crossing.",
        "category_id": _category(school, 2), "area_id": areas[1].id,
    })  # fmt: skip
    for resident in residents[3:9]:
        mark_affected(dark, resident)
    for resident in residents[2:7]:
        mark_affected(footpath, resident)
    for resident in residents[5:8]:
        mark_affected(speed, resident)
    add_comment(dark, residents[3], "ซอยบ้านผมก็เป็นแบบเดียวกัน เคยแจ้งไปแล้วแต่ยังไม่มีคนมาซ่อม",
                "in_favour")  # fmt: skip
    advance_phase(school, facilitator)

    lights = create_proposal(school, somchai, {
        "title": "ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ในซอยมืดรอบโรงเรียน",
        "body": "ติดตั้งเสาไฟโซลาร์เซลล์ทุก 30 เมตรในซอย 3 และซอย 5 ซึ่งเป็นทางหลักของนักเรียน "
        "ค่าไฟเป็นศูนย์ และดูแลง่าย\n\n- ซอย 3 ประมาณ 12 ต้น\n- ซอย 5 ประมาณ 8 ต้น",
        "category_id": _category(school, 1), "area_id": areas[0].id, "issue_ids": [dark.id],
    })  # fmt: skip
    crossing = create_proposal(school, malee, {
        "title": "ทำทางม้าลายยกระดับและป้ายเขตโรงเรียนหน้าประตูทางเข้า",
        "body": "ทางม้าลายยกสูงช่วยให้รถชะลอความเร็วโดยไม่ต้องมีคนคุม "
        "พร้อมป้ายจำกัดความเร็ว 30 กม./ชม. ช่วงเวลาเข้าเรียนและเลิกเรียน",
        "category_id": _category(school, 0), "area_id": areas[1].id,
        "issue_ids": [footpath.id, speed.id],
    })  # fmt: skip
    volunteers = create_proposal(school, anna, {
        "title": "Parent volunteers at the crossing every morning",
        "body": "A rota of parent volunteers with vests and signs helps children cross between "
        "7:00 and 8:00. The municipality provides the vests and a short training.",
        "category_id": _category(school, 2), "area_id": areas[1].id, "issue_ids": [speed.id],
    })  # fmt: skip
    widen = create_proposal(school, residents[4], {
        "title": "ขยายถนนหน้าโรงเรียนเป็นสี่ช่องจราจร",
        "body": "ถนนแคบทำให้รถติดช่วงเช้า ถ้าขยายเป็นสี่ช่องจราจรรถจะไม่ต้องจอดรอ",
        "category_id": _category(school, 2), "area_id": areas[1].id,
    })  # fmt: skip
    for proposal, supporters in (
        (lights, residents[1:9]), (crossing, residents[0:7]), (volunteers, residents[3:8]),
        (widen, residents[9:13]),
    ):  # fmt: skip
        for resident in supporters:
            support_proposal(proposal, resident)
    first = add_comment(crossing, residents[5], "เห็นด้วยมาก ทางม้าลายยกระดับที่ตลาดได้ผลดีแล้ว",
                        "in_favour")  # fmt: skip
    reply = add_comment(crossing, residents[6], "แต่รถบรรทุกขนผักต้องผ่านทางนี้ จะเป็นปัญหาไหม",
                        "neutral", parent=first)  # fmt: skip
    add_comment(crossing, malee, "ความสูงของทางม้าลายยกระดับออกแบบให้รถบรรทุกผ่านได้ช้า ๆ ค่ะ",
                parent=reply)  # fmt: skip
    add_comment(widen, residents[7], "ขยายถนนจะทำให้รถวิ่งเร็วขึ้น เด็กยิ่งอันตราย", "against")
    add_comment(widen, residents[10], "รถติดหน้าโรงเรียนทุกเช้าจริง ขยายถนนช่วยได้", "in_favour")
    add_comment(widen, residents[11], "เวนคืนบ้านเพื่อนบ้านไม่คุ้ม", "against")
    add_comment(widen, residents[12], "เห็นด้วย ถนนแคบเกินไปสำหรับรถรับส่งนักเรียน", "in_favour")
    for resident, text in (
        (residents[2], "ไฟส่องสว่างช่วยให้ลูกเดินกลับบ้านได้สบายใจขึ้น"),
        (residents[5], "Solar lights are a good idea: no electricity bill for the municipality."),
        (residents[8], "เห็นด้วยค่ะ ซอยนี้มืดมานานแล้ว"),
    ):  # fmt: skip
        add_comment(lights, resident, text, "in_favour")
    for voter in residents[:5]:
        vote_comment(first, voter, 1)
    advance_phase(school, facilitator)

    respond(lights, council, "accepted",
            "สภาเทศบาลอนุมัติงบประมาณปี 2570 จำนวน 20 ต้น กองช่างเริ่มติดตั้งซอย 3 ก่อน")  # fmt: skip
    respond(crossing, council, "accepted",
            "รับไว้ดำเนินการร่วมกับตำรวจภูธรแม่เหียะ ติดตั้งก่อนเปิดภาคเรียนที่ 2")  # fmt: skip
    respond(volunteers, council, "evaluating",
            "กำลังหารือกับโรงเรียนเรื่องประกันอุบัติเหตุของอาสาสมัคร จะแจ้งผลภายในเดือนหน้า")  # fmt: skip
    respond(widen, council, "rejected",
            "ไม่รับ เนื่องจากเขตทางกว้างเพียง 8 เมตร การขยายต้องเวนคืนที่ดินของบ้าน 14 หลัง "
            "และถนนที่กว้างขึ้นจะทำให้รถใช้ความเร็วสูงขึ้นหน้าโรงเรียน "
            "ข้อเสนอเรื่องทางม้าลายยกระดับตอบโจทย์รถติดช่วงเช้าได้ดีกว่า")  # fmt: skip
    today = date.today()
    add_implementation_update(lights, council, today - timedelta(days=20), 40,
                              "ติดตั้งเสาไฟในซอย 3 แล้ว 8 จาก 12 ต้น")  # fmt: skip
    add_implementation_update(lights, council, today - timedelta(days=5), 75,
                              "ซอย 3 เสร็จครบ 12 ต้น เริ่มงานซอย 5 สัปดาห์นี้")  # fmt: skip
    add_implementation_update(crossing, council, today - timedelta(days=10), 30,
                              "สำรวจและออกแบบเสร็จแล้ว รอผู้รับเหมาเริ่มงาน")  # fmt: skip
    from participation.demo.delivery import seed_delivery

    seed_delivery(council, residents, lights, crossing)

    # 2. Reimagine: residents propose and support.
    waste = _process(WASTE, facilitator, areas, days_ago=45)
    bins = create_issue(waste, residents[7], {
        "title": "ถังขยะหน้าตลาดล้นทุกเช้าวันเสาร์",
        "body": "หลังตลาดนัดวันศุกร์ ขยะล้นถังจนสุนัขมาคุ้ย ส่งกลิ่นเหม็นถึงบ้านใกล้เคียง",
        "category_id": _category(waste, 2), "area_id": areas[2].id,
    })  # fmt: skip
    for resident in residents[:6]:
        mark_affected(bins, resident)
    advance_phase(waste, facilitator)
    compost = create_proposal(waste, residents[8], {
        "title": "ตั้งจุดทำปุ๋ยหมักจากเศษอาหารในทุกชุมชน",
        "body": "ชุมชนละหนึ่งจุด ใช้ถังหมักแบบไม่พลิกกลับ เศษอาหารลดลง ได้ปุ๋ยไปใช้ในสวนผักชุมชน",
        "category_id": _category(waste, 0), "area_id": areas[3].id,
    })  # fmt: skip
    bank = create_proposal(waste, malee, {
        "title": "ธนาคารขยะรีไซเคิลที่โรงเรียนและศูนย์พัฒนาเด็กเล็ก",
        "body": "เด็ก ๆ นำขวดและกระป๋องมาฝาก สะสมแต้มแลกอุปกรณ์การเรียน ปลูกนิสัยแยกขยะตั้งแต่เล็ก",
        "category_id": _category(waste, 1), "area_id": areas[0].id,
    })  # fmt: skip
    market = create_proposal(waste, residents[7], {
        "title": "เพิ่มรอบเก็บขยะเช้าวันเสาร์หลังตลาดนัด",
        "body": "เพิ่มรถเก็บขยะหนึ่งรอบเวลา 6 โมงเช้าวันเสาร์ และขอให้แม่ค้าแยกขยะเปียกก่อนทิ้ง",
        "category_id": _category(waste, 2), "area_id": areas[2].id, "issue_ids": [bins.id],
    })  # fmt: skip
    for proposal, supporters in ((compost, residents[0:4]), (bank, residents[2:4]),
                                 (market, residents[4:10])):  # fmt: skip
        for resident in supporters:
            support_proposal(proposal, resident)
    add_comment(bank, residents[9], "ที่ศูนย์เด็กเล็กบ้านป่าจี้ทำอยู่แล้ว เด็ก ๆ ชอบมาก", "in_favour")
    add_comment(compost, residents[2], "Who will look after the bins in each community?",
                "neutral")  # fmt: skip

    # 3. Reframe: residents describe the problem.
    parks = _process(PARKS, facilitator, areas, days_ago=10)
    playground = create_issue(parks, residents[9], {
        "title": "สนามเด็กเล่นใกล้บ้านที่สุดอยู่ไกลกว่า 3 กิโลเมตร",
        "body": "ชุมชนสันป่าสักมีเด็กเล็กกว่า 80 คน แต่ไม่มีสนามเด็กเล่นเลย "
        "ต้องพาไปเล่นที่สวนสาธารณะในเมือง",
        "category_id": _category(parks, 0), "area_id": areas[5].id,
    })  # fmt: skip
    shade = create_issue(parks, residents[3], {
        "title": "ลานกีฬาชุมชนไม่มีร่มเงา เด็กเล่นไม่ได้ตอนกลางวัน",
        "body": "พื้นปูนร้อนมากตั้งแต่ 10 โมงเช้า อยากให้ปลูกต้นไม้ใหญ่รอบลาน",
        "category_id": _category(parks, 1), "area_id": areas[4].id,
    })  # fmt: skip
    for resident in residents[:7]:
        mark_affected(playground, resident)
    for resident in residents[4:8]:
        mark_affected(shade, resident)
    add_comment(playground, somchai, "ที่ดินว่างข้างวัดน่าจะใช้ทำสนามเด็กเล่นได้", "in_favour")

    for days, item in ((80, dark), (78, footpath), (77, speed), (55, lights), (54, crossing),
                       (50, volunteers), (49, widen), (40, bins), (20, compost), (18, bank),
                       (15, market), (8, playground), (6, shade)):  # fmt: skip
        _backdate(item, days)
    db.session.flush()
    from participation.demo.summaries import seed_summaries, spread_activity

    spread_activity(school, start_days_ago=55, end_days_ago=35)
    spread_activity(waste, start_days_ago=38, end_days_ago=2)
    processes = {"school": school, "waste": waste, "parks": parks}
    from participation.demo.townhalls import seed_townhalls

    townhalls = seed_townhalls(users, residents, processes)
    from participation.demo.opinions import seed_opinions

    seed_opinions(users, residents, processes, townhalls)
    from participation.demo.surveys import seed_surveys

    seed_surveys(users, residents, processes, list(municipality.areas))
    seed_summaries(users, processes, townhalls)
    from participation.demo.budgets import seed_budget

    seed_budget(users, processes, municipality)
    return processes
