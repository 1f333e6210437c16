"""Demo town halls: one live now, one next week, and one that ended with a full record."""

from datetime import timedelta

from participation.core.models import utcnow
from participation.townhall import operations as ops
from participation.townhall.models import TownHall


def _townhall(slug, facilitator, process, starts, hours, **text):
    townhall = TownHall(slug=slug, process_id=getattr(process, "id", None), starts_dt=starts,
                        ends_dt=starts + timedelta(hours=hours), **text)  # fmt: skip
    townhall.facilitators.append(facilitator)
    return townhall


def seed_townhalls(users, residents, processes):
    facilitator = users["facilitator@ruamkid.test"]
    now = utcnow()

    ended = _townhall(
        "school-routes-hearing", facilitator, processes["school"], now - timedelta(days=40), 2,
        title_th="เวทีประชาคม: เส้นทางเดินปลอดภัยไปโรงเรียน",
        title_en="Town hall: safe walking routes to school",
        description_th="รับฟังความเห็นก่อนสภาเทศบาลพิจารณาข้อเสนอ",
        description_en="Hearing residents before the council decides on the proposals.",
        venue_th="หอประชุมเทศบาลเมืองแม่เหียะ", venue_en="Mae Hia municipal hall",
    )  # fmt: skip
    live = _townhall(
        "waste-sorting-live", facilitator, processes["waste"], now - timedelta(minutes=30), 3,
        title_th="เวทีประชาคมออนไลน์: แยกขยะอย่างไรให้ได้ผล",
        title_en="Online town hall: making waste sorting work",
        description_th="ถามคำถาม ตอบโพล และพูดคุยกับเจ้าหน้าที่กองสาธารณสุขได้สด ๆ",
        description_en="Ask questions, answer polls and talk with the public health office live.",
        venue_th="ศาลาอเนกประสงค์ชุมชนต้นขาม และออนไลน์",
        venue_en="Ton Kham community hall, and online",
    )  # fmt: skip
    scheduled = _townhall(
        "parks-for-children", facilitator, processes["parks"], now + timedelta(days=7), 2,
        title_th="เวทีประชาคม: สนามเด็กเล่นใกล้บ้าน", title_en="Town hall: playgrounds near home",
        venue_th="ลานกีฬาชุมชนป่าพร้าว", venue_en="Pa Phrao community sports ground",
    )  # fmt: skip
    for townhall in (ended, live, scheduled):
        ops.db.session.add(townhall)
    ops.db.session.flush()

    for townhall in (ended, live):
        ops.open_townhall(townhall, facilitator)
    ask = lambda th, who, body, n: ops.ask_question(th, who, body, f"demo-{n}")[0]  # noqa: E731
    q1 = ask(ended, residents[0], "ทางม้าลายยกระดับจะทำให้รถบรรทุกผ่านไม่ได้หรือเปล่า", 1)
    q2 = ask(ended, residents[3], "ไฟโซลาร์เซลล์เสียบ่อยไหม ใครเป็นคนดูแล", 2)
    ask(ended, residents[5], "จะมีครูหรืออาสาสมัครช่วยข้ามถนนช่วงเลิกเรียนด้วยไหม", 3)
    for voter in residents[4:9]:
        ops.upvote_question(q2, ended, voter)
    for voter in residents[6:8]:
        ops.upvote_question(q1, ended, voter)
    ops.set_question_state(q2, ended, facilitator, "answering")
    ops.set_question_state(q2, ended, facilitator, "answered")
    ops.set_question_state(q1, ended, facilitator, "answered")
    ops.post_message(ended, residents[1], "ขอบคุณที่จัดเวทีนี้ค่ะ ลูกเดินไปโรงเรียนทุกวัน", "m1")
    ops.post_message(ended, residents[2], "Thank you — can the slides be shared afterwards?", "m2")
    poll, _event = ops.open_poll(ended, facilitator, "ควรเริ่มติดตั้งไฟที่ซอยไหนก่อน",
                                 ["ซอย 3", "ซอย 5", "ซอย 8"])  # fmt: skip
    for number, voter in enumerate(residents[:10]):
        ops.answer_poll(poll, ended, voter, [poll.options[0 if number < 6 else 1].id])
    ops.end_townhall(ended, facilitator)

    q3 = ask(live, residents[7], "ถ้าแยกขยะเปียกแล้ว รถเก็บขยะจะเก็บแยกกันจริงไหม", 4)
    ask(live, residents[2], "Where can I drop off used cooking oil?", 5)
    for voter in residents[:4]:
        ops.upvote_question(q3, live, voter)
    ops.set_question_state(q3, live, facilitator, "answering")
    ops.post_message(live, residents[9], "ชุมชนสันป่าสักเริ่มแยกขยะแล้วค่ะ ได้ผลดี", "m3")
    poll, _event = ops.open_poll(live, facilitator, "บ้านของคุณแยกขยะอยู่แล้วหรือไม่",
                                 ["แยกทุกวัน", "แยกบางครั้ง", "ยังไม่ได้แยก"])  # fmt: skip
    for number, voter in enumerate(residents[:7]):
        ops.answer_poll(poll, live, voter, [poll.options[number % 3].id])
    ops.db.session.flush()
    return {"ended": ended, "live": live, "scheduled": scheduled}
