"""Supporting proposals and saying an issue affects you: one per resident, counters exact.

Concurrency: the unique constraint decides who supported (INSERT ... ON CONFLICT DO NOTHING),
the allowance row is counted up with a conditional UPDATE (``used < max``), and counters move
with the rows in the same transaction. On SQLite, writing requests begin with BEGIN IMMEDIATE
and are serialised; on PostgreSQL the row locks of the UPDATEs do it.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.core.rules import RuleError, require_participant
from participation.extensions import db
from participation.notifications.operations import insert_if_absent
from participation.processes.models import Action
from participation.proposals.models import Contribution, Status
from participation.verification import operations as verification
from participation.votes.models import Affected, Support, SupportAllowance


def _require_supports_open(proposal):
    if not proposal.process.allows_action(Action.SUPPORT):
        raise RuleError(_l("Supports are open only during Reimagine."))
    if proposal.status == Status.WITHDRAWN:
        raise RuleError(_l("This proposal was withdrawn by its author."))


def supports_left(process, user):
    """Return how many more proposals ``user`` may support here (None: no limit)."""
    if process.max_supports is None:
        return None
    if not user.is_authenticated:
        return process.max_supports
    used = db.session.scalar(
        sa.select(SupportAllowance.used).where(
            SupportAllowance.user_id == user.id, SupportAllowance.process_id == process.id
        )
    )
    return process.max_supports - (used or 0)


def support_proposal(proposal, user):
    """Support a proposal. Returns False when ``user`` already supported it (nothing changes)."""
    require_participant(user)
    _require_supports_open(proposal)
    process = proposal.process
    verification.require(user, process, "support")  # a process may want verified residents
    inserted = insert_if_absent(
        Support, proposal_id=proposal.id, process_id=process.id, user_id=user.id,
        created_dt=utcnow(),
    )  # fmt: skip
    if not inserted:
        return False
    if process.max_supports is not None:
        insert_if_absent(SupportAllowance, user_id=user.id, process_id=process.id, used=0)
        counted = db.session.execute(
            sa.update(SupportAllowance)
            .where(
                SupportAllowance.user_id == user.id,
                SupportAllowance.process_id == process.id,
                SupportAllowance.used < process.max_supports,
            )
            .values(used=SupportAllowance.used + 1)
        ).rowcount
        if not counted:
            # The caller rolls back, which also removes the support row inserted above.
            raise RuleError(
                _l(
                    "You have used all %(count)s supports in this process. Withdraw one to "
                    "support another proposal.",
                    count=process.max_supports,
                )
            )
    # Counted only while the proposal is still open: a support racing its withdrawal fails
    # here (the row lock makes it wait for the withdrawal), and the caller rolls back.
    counted = db.session.execute(
        sa.update(Contribution)
        .where(Contribution.id == proposal.id, Contribution.status != Status.WITHDRAWN)
        .values(support_count=Contribution.support_count + 1)
    ).rowcount
    if not counted:
        raise RuleError(_l("This proposal was withdrawn by its author."))
    db.session.expire(proposal, ["support_count"])
    return True


def withdraw_support(proposal, user):
    """Take a support back while Reimagine is open. Returns False when there was none."""
    require_participant(user)
    if not proposal.process.allows_action(Action.SUPPORT):
        raise RuleError(_l("Supports are open only during Reimagine."))
    return _remove_support(proposal, user)


def _remove_support(proposal, user):
    removed = db.session.execute(
        sa.delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ).rowcount
    if removed:
        _uncount(proposal, [user.id])
    return bool(removed)


def refund_supports(proposal):
    """Remove every support of a withdrawn proposal and give residents their supports back."""
    user_ids = db.session.scalars(
        sa.delete(Support).where(Support.proposal_id == proposal.id).returning(Support.user_id)
    ).all()
    if user_ids:
        _uncount(proposal, user_ids)


def _uncount(proposal, user_ids):
    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.id == proposal.id)
        .values(support_count=Contribution.support_count - len(user_ids))
    )
    db.session.execute(
        sa.update(SupportAllowance)
        .where(
            SupportAllowance.process_id == proposal.process_id,
            SupportAllowance.user_id.in_(user_ids),
        )
        .values(used=SupportAllowance.used - 1)
    )
    db.session.expire(proposal, ["support_count"])


def supported_ids(user, proposal_ids):
    """Return which of ``proposal_ids`` the user supports (one query for a whole page)."""
    if not user.is_authenticated or not proposal_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Support.proposal_id).where(
                Support.user_id == user.id, Support.proposal_id.in_(proposal_ids)
            )
        )
    )


def mark_affected(issue, user):
    """Say "this affects me too" (once). Returns False when already said."""
    require_participant(user)
    if not issue.process.allows_action(Action.AFFECTED):
        raise RuleError(_l("This is possible only during Reframe and Reimagine."))
    if issue.is_withdrawn:
        raise RuleError(_l("This issue was withdrawn by its author."))
    inserted = insert_if_absent(Affected, issue_id=issue.id, user_id=user.id, created_dt=utcnow())
    if inserted:
        db.session.execute(
            sa.update(Contribution)
            .where(Contribution.id == issue.id)
            .values(affected_count=Contribution.affected_count + 1)
        )
        db.session.expire(issue, ["affected_count"])
    return bool(inserted)


def unmark_affected(issue, user):
    require_participant(user)
    if not issue.process.allows_action(Action.AFFECTED):
        raise RuleError(_l("This is possible only during Reframe and Reimagine."))
    return _remove_affected(issue, user)


def _remove_affected(issue, user):
    removed = db.session.execute(
        sa.delete(Affected).where(Affected.issue_id == issue.id, Affected.user_id == user.id)
    ).rowcount
    if removed:
        db.session.execute(
            sa.update(Contribution)
            .where(Contribution.id == issue.id)
            .values(affected_count=Contribution.affected_count - 1)
        )
        db.session.expire(issue, ["affected_count"])
    return bool(removed)


def is_supported(user, proposal):
    return proposal.id in supported_ids(user, [proposal.id])


def affected_ids(user, issue_ids):
    """Which of ``issue_ids`` affect the user, by their own word (one query)."""
    if not user.is_authenticated or not issue_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Affected.issue_id).where(
                Affected.user_id == user.id, Affected.issue_id.in_(issue_ids)
            )
        )
    )


def is_affected(issue, user):
    if not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            sa.select(Affected.id).where(Affected.issue_id == issue.id, Affected.user_id == user.id)
        )
        is not None
    )


PUBLIC_SUPPORTERS_SHOWN = 30


def public_supporters(proposal):
    """Names of supporters who chose to show them (profile), the earliest first; never others."""
    from participation.accounts.models import User

    return db.session.scalars(
        sa.select(User.display_name)
        .join(Support, Support.user_id == User.id)
        .where(Support.proposal_id == proposal.id, User.show_supports.is_(True))
        .order_by(Support.id)
        .limit(PUBLIC_SUPPORTERS_SHOWN)
    ).all()


def withdraw_all_of(user):
    """Account deletion: ``user``'s supports and "affects me too" are taken back where that
    phase is still open (the counts go down); in closed phases the counts stay as published."""

    def contributions(ids):
        return db.session.scalars(sa.select(Contribution).where(Contribution.id.in_(ids))).all()

    for proposal in contributions(sa.select(Support.proposal_id).where(Support.user_id == user.id)):
        if proposal.process.allows_action(Action.SUPPORT):
            _remove_support(proposal, user)
    for issue in contributions(sa.select(Affected.issue_id).where(Affected.user_id == user.id)):
        if issue.process.allows_action(Action.AFFECTED):
            _remove_affected(issue, user)
