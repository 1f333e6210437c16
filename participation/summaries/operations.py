"""Summaries: finding and refreshing them, and the council's review, statement and publication."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError
from participation.core.sanitize import body_text
from participation.extensions import db
from participation.notifications.models import NotificationKind
from participation.notifications.operations import notify
from participation.processes.models import Phase, Process
from participation.proposals.models import Contribution, Kind, OfficialResponse, Status
from participation.summaries import (
    action_log,  # noqa: F401  (registers the action log's words)
    compute,
)
from participation.summaries.models import KIND_PATHS, STATEMENT_MAX, Summary, SummaryState
from participation.townhall.models import State, TownHall


def summary_of(subject, create=True):
    """The summary row of a process or town hall (created on first use)."""
    column = Summary.process_id if isinstance(subject, Process) else Summary.townhall_id
    summary = db.session.scalar(sa.select(Summary).where(column == subject.id))
    if summary is None and create:
        summary = Summary(**{column.key: subject.id})
        if isinstance(subject, Process):
            summary.process = subject
        else:
            summary.townhall = subject
        db.session.add(summary)
        db.session.flush()
    return summary


def figures(summary):
    """The summary's figures, recomputed only when the content changed since last time."""
    subject = summary.subject
    if summary.kind == "process":
        fingerprint, compute_all = compute.process_fingerprint(subject), compute.process_summary
    else:
        fingerprint, compute_all = compute.townhall_fingerprint(subject), compute.townhall_summary
    if summary.data is None or summary.fingerprint != fingerprint:
        summary.data = compute_all(subject)
        summary.fingerprint = fingerprint
        summary.computed_dt = utcnow()
    return summary.data


# --- Who may do what ----------------------------------------------------------------------------


def is_ready(subject):
    """A process has a summary once it reaches Remake; a town hall once it has ended."""
    if isinstance(subject, Process):
        return subject.is_published and subject.current_phase == Phase.REMAKE
    return subject.is_published and subject.current_state == State.ENDED


def can_prepare(user, subject):
    """Council members (and administrators) review and publish; the facilitators of the
    process or town hall may read the draft they helped produce."""
    if can(user, Permission.RESPOND_AS_COUNCIL):
        return True
    return can(user, Permission.FACILITATE, subject)


def _require_council(user):
    if not can(user, Permission.RESPOND_AS_COUNCIL):
        raise RuleError(_l("Only council members can review and publish summaries."))


# --- The council's workflow ---------------------------------------------------------------------


def save_statement(summary, user, statement_th, statement_en):
    """Save the council's statement in both languages; returns the languages whose text did
    not change while the other's did (empty when both or neither changed)."""
    _require_council(user)
    statement_th, statement_en = body_text(statement_th), body_text(statement_en)
    for field, text in (("statement_th", statement_th), ("statement_en", statement_en)):
        if len(text) > STATEMENT_MAX:
            raise RuleError(_l("Use at most %(count)s characters.", count=STATEMENT_MAX), field)
    if summary.is_published and not (statement_th or statement_en):
        raise RuleError(
            _l("A published summary keeps a council statement; write it in Thai or English."),
            "statement_th",
        )
    changed = {
        language
        for language, old, new in (("th", summary.statement_th, statement_th),
                                   ("en", summary.statement_en, statement_en))
        if (old or "") != new
    }  # fmt: skip
    summary.statement_th, summary.statement_en = statement_th, statement_en
    record_action(user, "summary.statement", summary)
    # One language changed while the other kept an older text: the two may now disagree.
    if len(changed) == 1 and statement_th and statement_en:
        return {"th", "en"} - changed
    return set()


def mark_reviewed(summary, user):
    _require_council(user)
    if summary.current_state != SummaryState.DRAFT:
        raise RuleError(_l("This summary was already reviewed."))
    summary.state = SummaryState.REVIEWED
    summary.reviewed_by_id, summary.reviewed_dt = user.id, utcnow()
    record_action(user, "summary.review", summary)


def publish(summary, user):
    """Make the summary public and tell everyone who took part (once, at first publication)."""
    _require_council(user)
    if summary.current_state == SummaryState.DRAFT:
        raise RuleError(_l("Mark the summary as reviewed before publishing it."))
    if summary.is_published:
        raise RuleError(_l("This summary is already published."))
    if not is_ready(summary.subject):
        # Its figures would still change, and everyone who took part would be told too early.
        raise RuleError(_l("A summary can be published once its process reaches Remake, or its "
                           "town hall has ended."))  # fmt: skip
    if not (summary.statement_th or summary.statement_en):
        raise RuleError(
            _l("Add the council's statement before publishing: residents want to hear it."),
            "statement_th",
        )
    first_time = summary.published_dt is None
    summary.state = SummaryState.PUBLISHED
    summary.published_by_id, summary.published_dt = user.id, utcnow()
    record_action(user, "summary.publish", summary, public=True)
    if first_time:
        notify(NotificationKind.SUMMARY, [("summary_participants", summary.id)], summary, user)


def unpublish(summary, user):
    _require_council(user)
    if not summary.is_published:
        raise RuleError(_l("This summary is not published."))
    summary.state = SummaryState.REVIEWED
    record_action(user, "summary.unpublish", summary, public=True)


# --- Lists --------------------------------------------------------------------------------------


def published_summaries():
    return db.session.scalars(
        sa.select(Summary)
        .where(Summary.state == SummaryState.PUBLISHED)
        .order_by(Summary.published_dt.desc(), Summary.id.desc())
        .options(
            sa.orm.defer(Summary.data),
            sa.orm.joinedload(Summary.process),
            sa.orm.joinedload(Summary.townhall),
        )
    ).all()


def to_review():
    """For council members: every finished process and town hall, with its summary's state
    (those never opened have none yet) and how many proposals still wait for an answer."""
    processes = db.session.scalars(
        sa.select(Process)
        .where(Process.is_published.is_(True), Process.phase == Phase.REMAKE)
        .order_by(Process.id.desc())
    ).all()
    townhalls = db.session.scalars(
        sa.select(TownHall)
        .where(TownHall.is_published.is_(True), TownHall.state == State.ENDED)
        .order_by(TownHall.ends_dt.desc())
    ).all()
    summaries = {
        (summary.kind, summary.process_id or summary.townhall_id): summary
        for summary in db.session.scalars(sa.select(Summary).options(sa.orm.defer(Summary.data)))
    }
    waiting = dict(
        db.session.execute(
            sa.select(Contribution.process_id, sa.func.count())
            .outerjoin(OfficialResponse, OfficialResponse.proposal_id == Contribution.id)
            .join(Process, Process.id == Contribution.process_id)
            .where(
                Process.phase == Phase.REMAKE,
                Contribution.kind == Kind.PROPOSAL,
                Contribution.is_hidden.is_(False),
                Contribution.status != Status.WITHDRAWN,
                Contribution.support_count >= Process.support_threshold,
                OfficialResponse.id.is_(None),
            )
            .group_by(Contribution.process_id)
        ).all()
    )
    rows = [
        {"subject": p, "kind": "process", "kind_path": KIND_PATHS["process"],
         "summary": summaries.get(("process", p.id)), "unanswered": waiting.get(p.id, 0)}
        for p in processes
    ] + [
        {"subject": t, "kind": "townhall", "kind_path": KIND_PATHS["townhall"],
         "summary": summaries.get(("townhall", t.id)), "unanswered": 0}
        for t in townhalls
    ]  # fmt: skip
    order = {None: 0, SummaryState.DRAFT: 0, SummaryState.REVIEWED: 1, SummaryState.PUBLISHED: 2}
    rows.sort(key=lambda row: order[row["summary"].state if row["summary"] else None])
    return rows
