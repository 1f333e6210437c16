"""A demo needs survey in the Reframe process (parks and play spaces): 45 responses, online and
typed in from paper forms, with its results published in Thai.

Answers follow a few made-up tendencies with some randomness; everything goes through the same
operations residents and facilitators use.
"""

import random
from datetime import timedelta

import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.models import utcnow
from participation.extensions import db
from participation.surveys import operations as ops

TITLE = "สำรวจความต้องการพื้นที่เล่นและพักผ่อนใกล้บ้าน"
INTRODUCTION = (
    "เทศบาลอยากรู้ว่าครอบครัวในแต่ละชุมชนต้องการพื้นที่สาธารณะแบบไหน ก่อนเขียนโครงการเข้าแผนพัฒนาท้องถิ่น "
    "ใช้เวลาประมาณ 3 นาที ผลสำรวจจะเผยแพร่ให้ทุกคนดูได้ในหน้านี้"
)
HAS_CHILDREN = ("มี", "ไม่มี")
WISHES = ("สนามเด็กเล่น", "ต้นไม้ให้ร่มเงา", "ลานออกกำลังกาย", "ที่นั่งพักผ่อน", "ห้องน้ำสาธารณะ",
          "ไฟส่องสว่าง")  # fmt: skip
FIRST = ("สร้างสนามเด็กเล่นใหม่ที่ชุมชนสันป่าสัก", "ปลูกต้นไม้รอบลานกีฬาชุมชน",
         "ซ่อมทางเดินเข้าสวนสาธารณะ")  # fmt: skip
COMMENTS = (
    "อยากให้มีเครื่องเล่นสำหรับเด็กเล็กแยกจากเด็กโต",
    "ขอให้มีไฟตอนเย็น ผู้สูงอายุจะได้มาเดินออกกำลังกาย",
    "ที่ดินว่างข้างวัดเหมาะทำสวนหย่อมมาก",
    "ช่วยดูแลความสะอาดด้วย ตอนนี้มีขยะเยอะ",
    "อยากให้ชุมชนช่วยกันดูแล เทศบาลออกอุปกรณ์ให้",
)
ONLINE = 32
PAPER = 14


def _questions(survey, facilitator):
    add = ops.add_question
    children = add(survey, facilitator, {
        "kind": "single", "text_th": "บ้านของคุณมีเด็กอายุต่ำกว่า 12 ปีไหม",
        "text_en": "Are there children under 12 in your home?", "is_required": "y",
        "choices_th": "\n".join(HAS_CHILDREN), "choices_en": "Yes\nNo",
    })  # fmt: skip
    yes = children.choices[0]
    play = add(survey, facilitator, {
        "kind": "scale", "text_th": "เด็ก ๆ ในบ้านได้ออกไปเล่นนอกบ้านบ่อยแค่ไหน",
        "text_en": "How often do the children play outdoors?", "condition": str(yes.id),
        "low_label_th": "แทบไม่เคย", "high_label_th": "ทุกวัน", "low_label_en": "Hardly ever",
        "high_label_en": "Every day", "is_required": "y",
    })  # fmt: skip
    wishes = add(survey, facilitator, {
        "kind": "multiple", "text_th": "อยากให้พื้นที่สาธารณะใกล้บ้านมีอะไรบ้าง (เลือกได้ไม่เกิน 3 ข้อ)",
        "text_en": "What would you like in the public space near your home? (up to 3)",
        "choices_th": "\n".join(WISHES), "max_choices": "3", "is_required": "y",
    })  # fmt: skip
    first = add(survey, facilitator, {
        "kind": "ranking", "text_th": "เรียงลำดับว่าเทศบาลควรทำเรื่องใดก่อน",
        "text_en": "In which order should the municipality do these?",
        "choices_th": "\n".join(FIRST),
    })  # fmt: skip
    minutes = add(survey, facilitator, {
        "kind": "number", "text_th": "เดินจากบ้านไปสวนหรือลานที่ใกล้ที่สุดใช้เวลากี่นาที",
        "text_en": "How many minutes do you walk to the nearest park or square?",
    })  # fmt: skip
    comment = add(survey, facilitator, {
        "kind": "long_text", "text_th": "ข้อเสนอแนะเพิ่มเติม", "text_en": "Anything else?",
    })  # fmt: skip
    return children, play, wishes, first, minutes, comment


def _answers(rng, questions):
    children, play, wishes, first, minutes, comment = questions
    has = rng.random() < 0.6
    data = {f"q{children.id}": str(children.choices[0 if has else 1].id)}
    if has:
        data[f"q{play.id}"] = str(rng.choices((1, 2, 3, 4, 5), (3, 4, 3, 2, 1))[0])
    weights = (5 if has else 1, 4, 2, 3, 1, 3)
    picked = set()
    while len(picked) < rng.randint(1, 3):
        picked.add(rng.choices(range(len(WISHES)), weights)[0])
    data[f"q{wishes.id}"] = [str(wishes.choices[i].id) for i in sorted(picked)]
    order = list(range(len(FIRST)))
    rng.shuffle(order)
    if has and rng.random() < 0.7:
        order.remove(0)
        order.insert(0, 0)
    for rank, index in enumerate(order, start=1):
        data[f"q{first.id}-rank-{first.choices[index].id}"] = str(rank)
    data[f"q{minutes.id}"] = str(rng.choice((5, 10, 10, 15, 20, 25, 30, 40)))
    if rng.random() < 0.25:
        data[f"q{comment.id}"] = rng.choice(COMMENTS)
    return data


def seed_surveys(users, residents, processes, areas):
    """The needs survey in the Reframe process, answered and with its results published."""
    facilitator = users["facilitator@ruamkid.test"]
    parks = processes["parks"]
    now = utcnow()
    survey = ops.create_survey(parks, facilitator, {
        "title_th": TITLE, "title_en": "Play and rest spaces near home: a needs survey",
        "introduction_th": INTRODUCTION, "audience": "signed_in", "asks_community": True,
        "opens_dt": now - timedelta(days=9), "closes_dt": now + timedelta(days=21),
    })  # fmt: skip
    questions = _questions(survey, facilitator)
    rng = random.Random(2569)  # noqa: S311 - demo data, not security
    voters = db.session.scalars(
        sa.select(User).where(User.email.like("voter%@ruamkid.test")).order_by(User.id)
    ).all()
    people = (list(residents) + list(voters))[:ONLINE]
    for number, person in enumerate(people):
        area = rng.choice(areas)
        response = ops.submit_response(survey, person, _answers(rng, questions), area_id=area.id)
        response.created_dt = response.modified_dt = now - timedelta(days=9 - number * 8 / ONLINE)
    for number in range(PAPER):
        area = areas[5] if number % 2 else rng.choice(areas)  # forms from the community meeting
        response = ops.enter_paper_response(survey, facilitator, _answers(rng, questions),
                                            area_id=area.id)  # fmt: skip
        response.created_dt = response.modified_dt = now - timedelta(days=3)
    ops.set_results_published(survey, facilitator, True)
    db.session.flush()
    return survey
