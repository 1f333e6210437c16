"""A demo opinion map: residents of Mae Hia on waste sorting, three groups and real common ground.

The voters are demo accounts that take part only here (they share one password hash, so seeding
stays quick). Their votes follow three made-up leanings with some randomness, so the map shows
groups and the statements every group agrees with.
"""

import random

import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.models import utcnow
from participation.extensions import db
from participation.opinions import operations as ops
from participation.opinions.models import OpinionVote, Statement

QUESTION = "ชุมชนของเราควรลดและแยกขยะอย่างไรให้ได้ผลจริง"

# (statement, how each leaning answers it: 1 agree, -1 disagree, 0 pass)
# Leanings: "home" sorts at home and composts; "service" wants the municipality to collect
# more often; "cost" minds fees and fines.
STATEMENTS = [
    ("ทุกบ้านควรแยกขยะเปียกออกจากขยะแห้งทุกวัน", (1, 1, 1)),
    ("เทศบาลควรบอกให้ชัดว่ารถเก็บขยะแยกประเภทจริง", (1, 1, 1)),
    ("ควรมีจุดรับขยะอันตรายอย่างถ่านไฟฉายในทุกชุมชน", (1, 1, 1)),
    ("ควรสอนเด็กในโรงเรียนเรื่องการแยกขยะตั้งแต่ชั้นประถม", (1, 1, 0)),
    ("ทุกชุมชนควรมีถังหมักปุ๋ยจากเศษอาหารของตัวเอง", (1, -1, 0)),
    ("ควรตั้งธนาคารขยะรีไซเคิลให้ชาวบ้านนำขยะมาแลกเงิน", (1, 0, 1)),
    ("ควรเก็บขยะทุกวันแทนสัปดาห์ละ 3 วัน", (-1, 1, -1)),
    ("เทศบาลควรแจกถังขยะแยกสีให้ทุกบ้านฟรี", (0, 1, -1)),
    ("ควรปรับเงินบ้านที่ไม่แยกขยะ", (1, -1, -1)),
    ("ค่าเก็บขยะไม่ควรเพิ่มขึ้น แม้บริการจะดีขึ้น", (-1, -1, 1)),
    ("ควรเก็บค่าขยะตามปริมาณที่ทิ้ง ทิ้งน้อยจ่ายน้อย", (1, -1, 1)),
    ("การแยกขยะเป็นหน้าที่ของเทศบาล ไม่ใช่ของชาวบ้าน", (-1, 1, 0)),
    ("ร้านค้าในตลาดควรงดให้ถุงพลาสติกฟรี", (1, 0, -1)),
    ("อาสาสมัครในชุมชนควรช่วยดูแลจุดทิ้งขยะ", (1, 0, 1)),
]
LEANINGS = (("home", 22), ("service", 16), ("cost", 14))
SEEN = 0.85  # share of statements each voter answers
FOLLOW = 0.85  # how often a voter answers as their leaning does; otherwise at random


def _voters(count, like):
    """Demo accounts that only vote here; they reuse ``like``'s password hash."""
    now = utcnow()
    rows = [
        {"email": f"voter{n}@ruamkid.test", "display_name": f"ผู้ร่วมแสดงความเห็น {n}",
         "password_hash": like.password_hash, "preferred_language": "th",
         "privacy_consent_version": like.privacy_consent_version, "privacy_consent_dt": now}
        for n in range(1, count + 1)
    ]  # fmt: skip
    db.session.execute(sa.insert(User), rows)
    return db.session.scalars(
        sa.select(User.id).where(User.email.like("voter%@ruamkid.test")).order_by(User.id)
    ).all()


def seed_opinions(users, residents, processes, townhalls):
    """Open the demo conversation in the Reimagine process and fill it with votes."""
    facilitator = users["facilitator@ruamkid.test"]
    waste = processes["waste"]
    conversation = ops.open_conversation(waste, facilitator, QUESTION,
                                         [body for body, _answers in STATEMENTS])  # fmt: skip
    rng = random.Random(2569)  # noqa: S311 - demo data, not security
    voter_ids = _voters(sum(size for _name, size in LEANINGS), residents[0])
    leaning_of = [index for index, (_name, size) in enumerate(LEANINGS) for _ in range(size)]
    ids = {s.body: s.id for s in conversation.statements}
    rows = []
    for user_id, leaning in zip(voter_ids, leaning_of, strict=True):
        for body, answers in STATEMENTS:
            if rng.random() > SEEN:
                continue
            value = answers[leaning] if rng.random() < FOLLOW else rng.choice((1, -1, 0))
            rows.append({"conversation_id": conversation.id, "statement_id": ids[body],
                         "user_id": user_id, "value": value})  # fmt: skip
    # A few of the named demo residents vote too, so they find themselves on the map.
    for person, leaning in zip(residents[3:9], (0, 1, 2, 0, 1, 2), strict=True):
        for body, answers in STATEMENTS:
            rows.append({"conversation_id": conversation.id, "statement_id": ids[body],
                         "user_id": person.id, "value": answers[leaning]})  # fmt: skip
    db.session.execute(sa.insert(OpinionVote), rows)
    for statement_id in ids.values():
        values = [row["value"] for row in rows if row["statement_id"] == statement_id]
        db.session.execute(
            sa.update(Statement)
            .where(Statement.id == statement_id)
            .values(agree_count=values.count(1), disagree_count=values.count(-1),
                    pass_count=values.count(0))
        )  # fmt: skip
    conversation.change_count = len(rows)
    db.session.flush()
    ops.recompute(conversation)

    live = townhalls["live"]
    ops.open_conversation(live, facilitator, "เราจะเริ่มแยกขยะที่บ้านได้อย่างไร", [
        "ควรมีถังแยกขยะสามสีหน้าบ้านทุกหลัง", "อยากให้มีคู่มือแยกขยะเป็นภาษาง่าย ๆ",
        "ขยะเปียกควรเก็บทุกวันในหน้าร้อน"])  # fmt: skip
    db.session.flush()
    return conversation
