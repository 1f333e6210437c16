"""A finished process with known content, for checking a summary's numbers by hand.

Phases: Reframe from 1 Sep 2026, Reimagine from 11 Sep, Remake from 21 Sep (support threshold 3).

- Issues (Reframe): I1 by u1 in the north ("ไฟส่องสว่างในซอยดับ ..."), I2 by u2 in the south.
- Proposals (Reimagine, all in the north unless said):
  P1 by u3 "ติดตั้งไฟส่องสว่าง..." - 5 supports (u1..u5), 3 comments in favour (u6, u7, u8):
     consensus.
  P2 by u4 "ขยายถนน..." (south) - 4 supports (u1..u4), 2 in favour (u5, u6), 2 against (u7, u8):
     contested.
  P3 by u5 "ปลูกต้นไม้..." - 1 support (u6), 3 in favour: too few supports to be classed.
  P4 by u6 - hidden by a moderator: left out everywhere.
- The council accepts P1 (progress 40%) and leaves P2 unanswered.
- u9 (council) and the facilitator wrote nothing: 8 participants (u1..u8). u8 registered on
  11 Sep, the others before the process. The north has 200 inhabitants, the municipality 1,000.
"""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

REFRAME = date(2026, 9, 1)
REIMAGINE = date(2026, 9, 11)
REMAKE = date(2026, 9, 21)


def at(day, hour=10):
    """A moment on a Bangkok day (10:00 Bangkok is 03:00 UTC)."""
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


@pytest.fixture
def finished_process(app, create_user, create_process, municipality):
    from participation.accounts.models import User
    from participation.comments.models import Comment
    from participation.comments.operations import add_comment
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.municipality.models import Area
    from participation.processes.models import Process
    from participation.proposals import operations
    from participation.proposals.models import Contribution
    from participation.votes.models import Support
    from participation.votes.operations import support_proposal

    people = [create_user(name=f"ผู้ร่วม {n}") for n in range(1, 9)]
    council = create_user(roles=["council"], name="สมาชิกสภา")
    facilitator = create_user(roles=["facilitator"], name="ผู้ดำเนินเวทีของกระบวนการ")
    made = create_process("reframe", support_threshold=3, facilitator=facilitator)
    north, south = municipality[0].id, municipality[1].id
    with app.app_context():
        process = db.session.get(Process, made.id)
        process.reframe_start, process.reframe_end = REFRAME, REIMAGINE - timedelta(days=1)
        process.reimagine_start, process.reimagine_end = REIMAGINE, REMAKE - timedelta(days=1)
        process.remake_start, process.remake_end = REMAKE, date(2026, 12, 31)
        u = [db.session.get(User, person.id) for person in people]
        i1 = operations.create_issue(process, u[0], {
            "title": "ไฟส่องสว่างในซอยดับ", "body": "ซอยมืดมาก เด็กเดินกลับบ้านจากโรงเรียนอันตราย",
            "area_id": north})  # fmt: skip
        i2 = operations.create_issue(process, u[1], {
            "title": "ทางเท้าชำรุดหน้าโรงเรียน", "body": "ทางเท้าแตก เด็กต้องเดินบนถนน",
            "area_id": south})  # fmt: skip
        process.phase = "reimagine"
        p1 = operations.create_proposal(process, u[2], {
            "title": "ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ในซอย",
            "body": "ไฟส่องสว่างช่วยให้เด็กเดินกลับบ้านปลอดภัย", "area_id": north})  # fmt: skip
        p2 = operations.create_proposal(process, u[3], {
            "title": "ขยายถนนหน้าโรงเรียน", "body": "รถติดทุกเช้าหน้าโรงเรียน",
            "area_id": south})  # fmt: skip
        p3 = operations.create_proposal(process, u[4], {
            "title": "ปลูกต้นไม้ริมทางเท้า", "body": "ต้นไม้ให้ร่มเงาระหว่างเดินไปโรงเรียน",
            "area_id": north})  # fmt: skip
        p4 = operations.create_proposal(process, u[5], {
            "title": "ข้อเสนอที่ถูกซ่อน ไฟส่องสว่าง", "body": "โฆษณา", "area_id": north})  # fmt: skip
        for proposal, supporters in ((p1, u[0:5]), (p2, u[0:4]), (p3, u[5:6])):
            for person in supporters:
                support_proposal(proposal, person)
        for person in u[5:8]:
            add_comment(p1, person, "เห็นด้วย", "in_favour")
        for person, side in zip(u[4:8], ("in_favour", "in_favour", "against", "against"),
                                strict=True):  # fmt: skip
            add_comment(p2, person, "ความเห็น", side)
        for person in u[0:3]:
            add_comment(p3, person, "ดีมาก", "in_favour")
        hide(db.session.get(User, facilitator.id), p4, "โฆษณา")
        db.session.flush()
        # The dates the content really had: issues in Reframe, the rest in Reimagine.
        for item, day in ((i1, REFRAME), (i2, REFRAME + timedelta(days=2))):
            item.created_dt = item.modified_dt = at(day)
        for item in (p1, p2, p3, p4):
            item.created_dt = item.modified_dt = at(REIMAGINE)
        db.session.execute(sa.update(Support).values(created_dt=at(REIMAGINE + timedelta(days=1))))
        db.session.execute(sa.update(Comment).values(created_dt=at(REIMAGINE + timedelta(days=2))))
        db.session.execute(sa.update(User).values(created_dt=at(date(2026, 8, 1))))
        u[7].created_dt = at(REIMAGINE)  # u8 joined during the process
        place = db.session.get(Area, north)
        place.population = 200
        place.municipality.population = 1000
        process.phase = "remake"
        db.session.flush()
        member = db.session.get(User, council.id)
        operations.respond(p1, member, "accepted", "รับไว้ดำเนินการ ติดตั้งปีนี้")
        operations.add_implementation_update(p1, member, REMAKE, 40, "ติดตั้งแล้ว 4 จาก 10 ต้น")
        db.session.commit()
        ids = SimpleNamespace(i1=i1.id, i2=i2.id, p1=p1.id, p2=p2.id, p3=p3.id, p4=p4.id)
        slug = process.slug
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 6
        db.session.remove()
    return SimpleNamespace(id=made.id, slug=slug, people=people, council=council,
                           facilitator=facilitator, ids=ids, north=north, south=south)  # fmt: skip
