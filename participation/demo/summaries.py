"""Demo summaries: the finished school process and its town hall, reviewed and published."""

from datetime import timedelta

import sqlalchemy as sa

from participation.comments.models import Comment
from participation.extensions import db
from participation.proposals.models import Contribution
from participation.summaries import operations
from participation.townhall.models import Attendance
from participation.votes.models import Support

SCHOOL_STATEMENT_TH = (
    "ขอบคุณชาวแม่เหียะทุกคนที่ร่วมเล่าปัญหาและเสนอทางแก้ สภาเทศบาลรับข้อเสนอไฟส่องสว่างพลังงาน"
    "แสงอาทิตย์และทางม้าลายยกระดับไปดำเนินการแล้ว ส่วนข้อเสนอขยายถนนไม่รับ "
    "เพราะต้องเวนคืนที่ดินและจะทำให้รถวิ่งเร็วขึ้น เราจะรายงานความคืบหน้าในหน้านี้ทุกเดือน"
)
SCHOOL_STATEMENT_EN = (
    "Thank you to everyone in Mae Hia who described the problems and proposed solutions. The "
    "council accepted the solar street lights and the raised crossing; widening the road was "
    "not accepted, because it would take residents' land and make traffic faster. We will report "
    "progress here every month."
)
HEARING_STATEMENT_TH = "คำถามทุกข้อในเวทีได้รับคำตอบแล้ว เรื่องอาสาสมัครช่วยข้ามถนน เทศบาลจะตอบภายในเดือนหน้า"
HEARING_STATEMENT_EN = (
    "Every question asked in the town hall was answered. On volunteers at the crossing, the "
    "municipality will answer next month."
)


def spread_activity(process, start_days_ago, end_days_ago):
    """Move the demo's supports and comments from 'now' to the weeks they belong to."""
    span = start_days_ago - end_days_ago
    supports = db.session.scalars(
        sa.select(Support).where(Support.process_id == process.id).order_by(Support.id)
    ).all()
    comments = db.session.scalars(
        sa.select(Comment)
        .join(Contribution, Contribution.id == Comment.contribution_id)
        .where(Contribution.process_id == process.id)
        .order_by(Comment.id)
    ).all()
    written = {
        row.id: row.created_dt
        for row in db.session.execute(
            sa.select(Contribution.id, Contribution.created_dt).where(
                Contribution.process_id == process.id
            )
        )
    }
    comment_dates = {}
    for items in (supports, comments):
        for number, item in enumerate(items):
            days = start_days_ago - (number * 7) % (span + 1)
            moved = item.created_dt - timedelta(days=days, hours=number % 9)
            # Never before what it answers: the proposal, or for a reply its comment.
            parent_id = getattr(item, "parent_id", None)
            target = getattr(item, "contribution_id", None) or item.proposal_id
            answered = comment_dates.get(parent_id) or written[target]
            item.created_dt = max(moved, answered + timedelta(hours=1 + number % 5))
            if hasattr(item, "modified_dt"):
                item.modified_dt = item.created_dt
                comment_dates[item.id] = item.created_dt


def backdate_accounts():
    """The demo's residents joined over the weeks of the first process, not all today."""
    from participation.accounts.models import User

    for number, user in enumerate(db.session.scalars(sa.select(User).order_by(User.id))):
        user.created_dt = user.created_dt - timedelta(days=max(30, 100 - 4 * number))


def _attendance(townhall):
    """Who was in the hall and online, every ten minutes of the two hours."""
    present = [12, 28, 41, 47, 52, 49, 44, 38, 30, 26, 19, 9]
    for step, count in enumerate(present):
        db.session.add(
            Attendance(
                townhall_id=townhall.id,
                sampled_dt=townhall.starts_dt + timedelta(minutes=10 * step),
                present=count,
                seen=max(present[: step + 1]) + 3 * step,
            )
        )


def seed_summaries(users, processes, townhalls):
    council = users["council@ruamkid.test"]
    backdate_accounts()
    school = processes["school"]
    hearing = townhalls["ended"]
    _attendance(hearing)
    db.session.flush()
    for subject, statement_th, statement_en in (
        (school, SCHOOL_STATEMENT_TH, SCHOOL_STATEMENT_EN),
        (hearing, HEARING_STATEMENT_TH, HEARING_STATEMENT_EN),
    ):
        summary = operations.summary_of(subject)
        operations.figures(summary)
        operations.mark_reviewed(summary, council)
        operations.save_statement(summary, council, statement_th, statement_en)
        operations.publish(summary, council)
    db.session.flush()
