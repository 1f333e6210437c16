"""The demo municipality with something in every corner: the pages the accessibility checks and
the screenshots visit, filled the way residents would see them.

The demo seed has processes in every phase, a live town hall with questions, messages and a
poll, and published summaries; this adds reports, so the moderation queue is not empty.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from participation.demo.seed import DEMO_PASSWORD

SCHOOL = "safe-routes-to-school"  # Remake, answered proposals, a published summary
WASTE = "less-waste-better-sorting"  # Reimagine, open for proposals
LIVE = "waste-sorting-live"  # a live town hall with content


@dataclass(frozen=True)
class DemoPerson:
    email: str
    password: str = DEMO_PASSWORD


RESIDENT = DemoPerson("somchai@ruamkid.test")
FACILITATOR = DemoPerson("facilitator@ruamkid.test")
COUNCIL = DemoPerson("council@ruamkid.test")
ADMIN = DemoPerson("admin@ruamkid.test")


def seed(app):
    """Seed the demo and a few reports into the app's (empty) database; return the paths of
    the pages worth looking at, by name, as ``(path, who)`` (who: None for a visitor)."""
    from participation.accounts.models import User
    from participation.comments.models import Comment
    from participation.demo.seed import seed as seed_demo
    from participation.extensions import db
    from participation.moderation import operations as moderation
    from participation.opinions.models import Conversation
    from participation.processes.models import Process
    from participation.proposals.models import Contribution
    from participation.townhall.models import Question

    with app.app_context():
        seed_demo()
        db.session.flush()
        residents = db.session.scalars(
            sa.select(User).where(User.email.like("resident%@ruamkid.test")).order_by(User.id)
        ).all()
        school = db.session.scalar(sa.select(Process).where(Process.slug == SCHOOL))
        waste = db.session.scalar(sa.select(Process).where(Process.slug == WASTE))
        # The proposal with the longest discussion, and the council's answer.
        proposal_id = db.session.scalar(
            sa.select(Contribution.id)
            .join(Comment, Comment.contribution_id == Contribution.id)
            .where(Contribution.process_id == school.id, Contribution.kind == "proposal")
            .group_by(Contribution.id)
            .order_by(sa.func.count(Comment.id).desc(), Contribution.id)
            .limit(1)
        )
        comment = db.session.scalar(
            sa.select(Comment).where(Comment.contribution_id == proposal_id).order_by(Comment.id)
        )
        question = db.session.scalar(sa.select(Question).order_by(Question.id.desc()).limit(1))
        conversation_id = db.session.scalar(
            sa.select(Conversation.id).where(Conversation.process_id == waste.id).limit(1)
        )
        for target, reason, details in (
            (comment, "off_topic", ""),
            (question, "other", "ถามซ้ำกับคำถามก่อนหน้า"),
        ):
            reporter = next(r for r in residents if r.id != moderation.author_of(target).id)
            moderation.report(reporter, target, reason, details)
        db.session.commit()
        from participation.delivery.models import DeliveryRecord

        reopened = db.session.scalar(
            sa.select(DeliveryRecord.proposal_id).where(DeliveryRecord.status == "reopened")
        )
        proposal = f"/processes/{SCHOOL}/proposals/{proposal_id}"
        paths = {
            "home": ("/", None),
            "process": (f"/processes/{WASTE}", None),
            "proposals": (f"/processes/{WASTE}/proposals", None),
            "proposal": (proposal, None),
            "proposal-signed-in": (proposal, RESIDENT),
            "new-proposal": (f"/processes/{WASTE}/proposals/new", RESIDENT),
            "map": (f"/processes/{WASTE}/map", None),
            "townhall": (f"/townhalls/{LIVE}", RESIDENT),
            "townhall-facilitator": (f"/townhalls/{LIVE}", FACILITATOR),
            "projector": (f"/townhalls/{LIVE}/projector", None),
            "summary": (f"/summaries/processes/{SCHOOL}", None),
            "opinions": (f"/opinions/{conversation_id}", RESIDENT),
            "login": ("/login", None),
            "register": ("/register", None),
            "moderation": ("/moderation", ADMIN),
            "admin-users": ("/admin/users", ADMIN),
            "new-townhall": ("/townhalls/new", FACILITATOR),  # the Buddhist-Era date fields
            "profile": ("/profile", RESIDENT),
            "delivery-board": ("/delivery", None),
            "delivery-item": (f"/processes/{SCHOOL}/proposals/{reopened}", None),
            "delivery-manage": (f"/delivery/items/{reopened}", COUNCIL),
            "delivery-bulk": ("/delivery/bulk", COUNCIL),
        }
        assert waste.phase == "reimagine", waste.phase
        db.session.remove()
    return paths
