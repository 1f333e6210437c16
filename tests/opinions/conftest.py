"""Conversations with residents who vote, for the opinion-map tests.

``electorate`` plants two camps: camp 1 agrees with the "camp 1" statements and disagrees with
the "camp 2" ones, camp 2 the other way round; both agree with the common-ground statements.
"""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

CAMP_ONE = [
    "ควรขยายถนนหน้าโรงเรียนให้รถวิ่งได้สองเลน",
    "ควรสร้างที่จอดรถเพิ่มในตลาด",
    "ควรเปิดไฟถนนเฉพาะถนนสายหลัก",
]
CAMP_TWO = [
    "ควรปิดถนนหน้าโรงเรียนช่วงเช้าให้เด็กเดิน",
    "ควรเปลี่ยนที่จอดรถในตลาดเป็นทางเดิน",
    "ควรติดไฟส่องสว่างในซอยเล็กก่อน",
]
COMMON = ["เทศบาลควรรับฟังความเห็นของประชาชนก่อนตัดสินใจ", "เด็กควรเดินไปโรงเรียนได้อย่างปลอดภัย"]
ONLY_ONE = "ควรเก็บค่าจอดรถในตลาดเพื่อนำเงินมาซ่อมถนน"  # camp 1 agrees, camp 2 passes


@pytest.fixture
def create_conversation(app, create_process, create_townhall):
    """Open a conversation through the operations, in a process or a town hall."""
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.processes.models import Process
    from participation.townhall.models import TownHall

    def make(
        statements=(), place=None, phase="reimagine", question="ทำอย่างไรให้เด็กเดินไปโรงเรียนได้ปลอดภัย"
    ):  # noqa: E501
        place = place or create_process(phase)
        model = (
            TownHall if hasattr(place, "slug") and place.slug.startswith("townhall") else Process
        )
        with app.app_context():
            where = db.session.get(model, place.id)
            facilitator = db.session.get(User, place.facilitator.id)
            conversation = ops.open_conversation(where, facilitator, question, list(statements))
            db.session.commit()
            ids = {s.body: s.id for s in conversation.statements}
            made = SimpleNamespace(
                id=conversation.id, place=place, statement_ids=ids, facilitator=place.facilitator
            )
            db.session.remove()
        return made

    return make


@pytest.fixture
def cast(app):
    """Store votes straight through the operation: cast(conversation, person, {body: choice})."""
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.opinions.models import Conversation

    def vote(conversation, person, choices):
        with app.app_context():
            where = db.session.get(Conversation, conversation.id)
            user = db.session.get(User, person.id)
            for body, choice in choices.items():
                statement = ops.get_statement(where, conversation.statement_ids[body])
                ops.vote(where, statement, user, choice)
            db.session.commit()
            db.session.remove()

    return vote


@pytest.fixture
def electorate(app, create_user, create_conversation):
    """Two planted camps of 12 residents each on 9 statements, votes stored in bulk."""
    from participation.extensions import db
    from participation.opinions.models import OpinionVote, Statement

    conversation = create_conversation([*CAMP_ONE, *CAMP_TWO, *COMMON, ONLY_ONE])
    camps = {
        1: [create_user(name=f"ค่าย1-{n}") for n in range(12)],
        2: [create_user(name=f"ค่าย2-{n}") for n in range(12)],
    }
    ids = conversation.statement_ids
    rows = []
    for camp, people in camps.items():
        for number, person in enumerate(people):
            mine, theirs = (CAMP_ONE, CAMP_TWO) if camp == 1 else (CAMP_TWO, CAMP_ONE)
            choices = {
                **{b: 1 for b in mine},
                **{b: -1 for b in theirs},
                **{b: 1 for b in COMMON},
                ONLY_ONE: 1 if camp == 1 else 0,
            }
            # Real camps are not unanimous: each person passes on one of the six camp statements.
            choices[[*mine, *theirs][number % 6]] = 0
            rows.extend(
                {
                    "conversation_id": conversation.id,
                    "statement_id": ids[body],
                    "user_id": person.id,
                    "value": value,
                }
                for body, value in choices.items()
            )
    with app.app_context():
        db.session.execute(sa.insert(OpinionVote), rows)
        for statement_id in ids.values():
            mine = [r["value"] for r in rows if r["statement_id"] == statement_id]
            counts = {value: mine.count(value) for value in (1, -1, 0)}
            db.session.execute(
                sa.update(Statement)
                .where(Statement.id == statement_id)
                .values(agree_count=counts[1], disagree_count=counts[-1], pass_count=counts[0])
            )
        db.session.commit()
        db.session.remove()
    return SimpleNamespace(conversation=conversation, camps=camps, ids=ids)


@pytest.fixture
def recompute(app):
    """Compute a conversation's map now; returns the stored result's data and positions."""
    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.opinions.models import Conversation

    def run(conversation):
        with app.app_context():
            result = ops.recompute(db.session.get(Conversation, conversation.id))
            db.session.commit()
            found = SimpleNamespace(
                data=result.data, positions=dict(result.positions), state=result.state
            )
            db.session.remove()
        return found

    return run
