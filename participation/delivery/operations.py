"""Delivering an accepted proposal: budget line, milestones, evidence-backed closing, residents'
"was it really fixed?" answers and bulk updates. Operations flush, never commit."""

import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import Checks, RuleError
from participation.core.sanitize import plain_text
from participation.delivery import action_log  # noqa: F401  (registers the action log's words)
from participation.delivery.models import (
    DEFAULT_MILESTONES,
    NAME_MAX,
    NOTE_MAX,
    PLAN_CODE_MAX,
    TEXT_MAX,
    Answer,
    DeliveryRecord,
    DeliveryStatus,
    FixedAnswer,
    Milestone,
    MilestoneDocument,
    Stage,
)
from participation.extensions import db
from participation.notifications import audiences
from participation.notifications.models import NotificationKind
from participation.notifications.operations import notify
from participation.photos.models import Photo
from participation.photos.operations import add_photos
from participation.proposals.models import Proposal, Status, proposal_issues

# --- Who hears of delivery ------------------------------------------------------------------


@audiences.audience("delivery_askees")
def delivery_askees(proposal_id):
    """Residents asked "was it really fixed?": who raised it (the proposal's and its issues'
    authors), who supported it and who said "affects me too" about its issues."""
    from participation.notifications.models import Follow
    from participation.proposals.models import Contribution
    from participation.votes.models import Affected, Support

    issue_ids = sa.select(proposal_issues.c.issue_id).where(
        proposal_issues.c.proposal_id == proposal_id
    )
    people = sa.union(
        sa.select(Contribution.author_id.label("user_id")).where(
            sa.or_(Contribution.id == proposal_id, Contribution.id.in_(issue_ids))
        ),
        sa.select(Support.user_id).where(Support.proposal_id == proposal_id),
        sa.select(Affected.user_id).where(Affected.issue_id.in_(issue_ids)),
        sa.select(Follow.user_id).where(Follow.contribution_id == proposal_id),
    ).subquery()
    # A plain SELECT (not a bare UNION), so it can be united with other audiences.
    return sa.select(people.c.user_id)


@audiences.audience("council_members")
def council_members(_value=None):
    """Every council member (the people who answer and deliver for the council)."""
    from participation.accounts.models import UserRole

    return sa.select(UserRole.user_id.label("user_id")).where(UserRole.role == "council")


def is_askee(proposal, user):
    """Whether ``user`` raised, supported, is affected by or follows ``proposal``."""
    if not getattr(user, "is_authenticated", False):
        return False
    people = delivery_askees(proposal.id).subquery()
    found = sa.select(people.c.user_id).where(people.c.user_id == user.id).limit(1)
    return db.session.scalar(found) is not None


# --- Reading and permissions ----------------------------------------------------------------


def can_manage(user):
    """Who may report progress today (council members) edits milestones and budget lines."""
    return can(user, Permission.RESPOND_AS_COUNCIL)


def in_delivery(proposal):
    return isinstance(proposal, Proposal) and proposal.status == Status.ACCEPTED


def delivery_of(proposal):
    """The proposal's delivery record, created with the default milestones the first time."""
    record = proposal.delivery
    if record is not None:
        return record
    if not in_delivery(proposal):
        raise RuleError(_l("Only accepted proposals are delivered."))
    record = DeliveryRecord(proposal_id=proposal.id, status=DeliveryStatus.IN_PROGRESS)
    # Named in the municipality's language (its staff's sheets use these names), whatever the
    # language of the request that first opened the item's delivery.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        names = [str(name) for name in DEFAULT_MILESTONES]
    for position, name in enumerate(names):
        record.milestones.append(Milestone(position=position, name=name, progress=0))
    db.session.add(record)
    proposal.delivery = record
    db.session.flush()
    return record


def _require_manager(user):
    if not can_manage(user):
        raise RuleError(_l("Only council members can update delivery."))


def _touch(record):
    now = utcnow()
    record.modified_dt = now
    record.proposal.modified_dt = now  # the watermark of the proposal's cached page


# --- Budget line --------------------------------------------------------------------------


def _text(value, limit, name, checks):
    value = plain_text(value or "").strip()
    if len(value) > limit:
        checks.add(_l("Use at most %(count)s characters.", count=limit), name)
    return value


def set_budget_line(proposal, user, data):
    """Set the fiscal year, plan project, ordinance item, amount, unit and contact."""
    _require_manager(user)
    record = delivery_of(proposal)
    checks = Checks()
    year = data.get("fiscal_year")
    if year in ("", None):
        year = None
    else:
        try:
            year = int(str(year).strip())
        except ValueError:
            year = -1
        if year < 2400:  # fiscal years are Buddhist-Era years; 2026 typed means 2569
            year = year + 543 if 1900 <= year < 2400 else -1
        if not 2500 <= year <= 2700:
            checks.add(_l("Give the fiscal year as a Buddhist-Era year, e.g. 2569."), "fiscal_year")
    amount = data.get("amount_baht")
    if amount in ("", None):
        amount = None
    else:
        try:
            amount = int(float(str(amount).replace(",", "").strip()))
        except ValueError:
            amount = -1
        if amount < 0:
            checks.add(_l("Give the amount in baht as a number."), "amount_baht")
    plan_code = _text(data.get("plan_code"), PLAN_CODE_MAX, "plan_code", checks) or None
    ordinance = _text(data.get("ordinance_item"), TEXT_MAX, "ordinance_item", checks)
    unit = _text(data.get("unit"), TEXT_MAX, "unit", checks)
    contact = _text(data.get("contact"), TEXT_MAX, "contact", checks)
    checks.done()
    record.fiscal_year, record.amount_baht, record.plan_code = year, amount, plan_code
    record.ordinance_item, record.unit, record.contact = ordinance, unit, contact
    _touch(record)
    db.session.flush()
    record_action(user, "delivery.budget", proposal, public=True)
    return record


# --- Milestones ---------------------------------------------------------------------------


def _check_milestone(name, progress, note):
    checks = Checks()
    name = plain_text(name or "").strip()
    if not name:
        checks.add(_l("Please name the milestone."), "name")
    elif len(name) > NAME_MAX:
        checks.add(_l("Use at most %(count)s characters.", count=NAME_MAX), "name")
    if progress is None or not 0 <= progress <= 100:
        checks.add(_l("Progress is a percentage from 0 to 100."), "progress")
    note = plain_text(note or "").strip()
    if len(note) > NOTE_MAX:
        checks.add(_l("Use at most %(count)s characters.", count=NOTE_MAX), "note")
    checks.done()
    return name, note


def change_milestone(milestone, user, *, name=None, planned_date=None, actual_date=None,
                     progress=None, note=None, tell=True):  # fmt: skip
    """Change one milestone; its followers hear of it (unless ``tell`` is False: a bulk update
    tells them once per item). Returns True when something changed."""
    _require_manager(user)
    name = milestone.name if name is None else name
    progress = milestone.progress if progress is None else progress
    note = milestone.note if note is None else note
    name, note = _check_milestone(name, progress, note)
    planned = milestone.planned_date if planned_date is None else planned_date
    actual = milestone.actual_date if actual_date is None else actual_date
    before = (milestone.name, milestone.planned_date, milestone.actual_date, milestone.progress,
              milestone.note)  # fmt: skip
    after = (name, planned, actual, progress, note)
    if before == after:
        return False
    (milestone.name, milestone.planned_date, milestone.actual_date, milestone.progress,
     milestone.note) = after  # fmt: skip
    record = milestone.delivery
    _touch(record)
    db.session.flush()
    record_action(
        user, "delivery.milestone", record.proposal,
        details={"milestone": name, "progress": progress}, public=True,
    )  # fmt: skip
    if tell:
        tell_followers(record, user)
    return True


def add_milestone(proposal, user, name, planned_date=None):
    """Add a milestone after the others (an item may need more steps than the usual five)."""
    _require_manager(user)
    record = delivery_of(proposal)
    name, _note = _check_milestone(name, 0, "")
    milestone = Milestone(position=len(record.milestones), name=name, progress=0,
                          planned_date=planned_date)  # fmt: skip
    record.milestones.append(milestone)
    _touch(record)
    db.session.flush()
    record_action(user, "delivery.milestone", proposal, public=True,
                  details={"milestone": name, "progress": 0})  # fmt: skip
    return milestone


def answers_with_photos(record):
    """This round's answers that carry a photo, "not yet" first (what the council reviews)."""
    return db.session.scalars(
        sa.select(FixedAnswer)
        .where(FixedAnswer.delivery_id == record.id, FixedAnswer.round == record.round,
               FixedAnswer.id.in_(sa.select(Photo.answer_id).where(Photo.answer_id.is_not(None))))
        .order_by(FixedAnswer.answer.desc(), FixedAnswer.id)
    ).all()  # fmt: skip


def tell_followers(record, user):
    notify(
        NotificationKind.UPDATE, [("contribution", record.proposal_id)], record.proposal, user,
        detail="milestone",
    )  # fmt: skip


def add_milestone_photos(milestone, user, uploads, stage):
    """Add photos of a milestone, tagged before, during or after the works."""
    _require_manager(user)
    try:
        stage = Stage(stage)
    except ValueError:
        raise RuleError(_l("Say whether the photos were taken before, during or after."),
                        "stage") from None  # fmt: skip
    added = add_photos(milestone, user, uploads, stage=stage)
    _touch(milestone.delivery)
    return added


PDF_MAGIC = b"%PDF-"


def check_pdf(data):
    """A PDF is what starts with %PDF-, names at least one object and ends with %%EOF."""
    if not data.startswith(PDF_MAGIC):
        return False
    tail = data[-2048:]
    return b"%%EOF" in tail and b" obj" in data[:1_000_000] and b"endobj" in data


def add_document(milestone, user, filename, data):
    """Attach a PDF (checked by content, never by its name) to a milestone."""
    _require_manager(user)
    limit = current_app.config["DELIVERY_DOCUMENT_MAX_BYTES"]
    if len(data) > limit:
        size = f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit // 1024} KB"
        raise RuleError(_l("A document can be at most %(size)s.", size=size), "document")
    if not check_pdf(data):
        raise RuleError(_l("Only PDF documents can be attached."), "document")
    name = plain_text(filename or "").strip().replace("/", "_").replace("\\", "_")
    if not name.lower().endswith(".pdf"):
        name = (name or "document") + ".pdf"
    document = MilestoneDocument(
        milestone=milestone, author_id=user.id, token=secrets.token_hex(16),
        filename=name[-TEXT_MAX:], size=len(data), data=data,
    )  # fmt: skip
    db.session.add(document)
    _touch(milestone.delivery)
    db.session.flush()
    return document


# --- Closing with evidence, and residents' answers -----------------------------------------


def has_after_photo(record):
    """An "after" photo not hidden by a moderator; once residents have reopened the item, one
    taken since (the old photo is what they said does not show the truth)."""
    query = (
        sa.select(Photo.id)
        .join(Milestone, Milestone.id == Photo.milestone_id)
        .where(Milestone.delivery_id == record.id, Photo.stage == Stage.AFTER,
               Photo.is_hidden.is_(False))
        .limit(1)
    )  # fmt: skip
    if record.reopened_dt is not None:
        query = query.where(Photo.created_dt > record.reopened_dt)
    return db.session.scalar(query) is not None


def mark_done(proposal, user):
    """Close delivery: needs an "after" photo; residents who raised, supported or are
    affected are asked "was it really fixed?"."""
    _require_manager(user)
    record = delivery_of(proposal)
    if record.status == DeliveryStatus.DONE:
        raise RuleError(_l("This item is already marked done."))
    if not has_after_photo(record):
        if record.reopened_dt is not None:
            raise RuleError(
                _l("Residents said it was not fixed yet: add a new photo taken after the works "
                   "before marking it done again."), "stage",
            )  # fmt: skip
        raise RuleError(
            _l("Add a photo taken after the works before marking this done: residents check "
               "the result against it."), "stage",
        )  # fmt: skip
    record.status = DeliveryStatus.DONE
    record.done_dt = utcnow()
    record.round += 1
    record.yes_count = record.not_yet_count = 0
    _touch(record)
    db.session.flush()
    record_action(user, "delivery.done", proposal, public=True)
    notify(
        NotificationKind.STATUS,
        [("delivery_askees", proposal.id)],
        proposal,
        user,
        detail="fixed_check",
    )
    return record


def can_answer(proposal, user):
    record = proposal.delivery
    return (
        record is not None
        and record.status == DeliveryStatus.DONE
        and can(user, Permission.PARTICIPATE)
        and is_askee(proposal, user)
    )


def answer_of(record, user):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(FixedAnswer).where(
            FixedAnswer.delivery_id == record.id, FixedAnswer.user_id == user.id,
            FixedAnswer.round == record.round,
        )
    )  # fmt: skip


def recount(record):
    counts = dict(
        db.session.execute(
            sa.select(FixedAnswer.answer, sa.func.count())
            .where(FixedAnswer.delivery_id == record.id, FixedAnswer.round == record.round)
            .group_by(FixedAnswer.answer)
        ).all()
    )
    record.yes_count = counts.get(Answer.YES, 0)
    record.not_yet_count = counts.get(Answer.NOT_YET, 0)


def answer_fixed(proposal, user, answer, uploads=()):
    """A resident answers "was it really fixed?" (yes / not yet, an optional photo). Enough
    "not yet" answers reopen the item for review and tell the council."""
    record = proposal.delivery
    if record is None or record.status != DeliveryStatus.DONE:
        raise RuleError(_l("This item is not waiting for residents' answers."))
    if not can_answer(proposal, user):
        raise RuleError(
            _l("Residents who raised, supported or are affected by this item answer here.")
        )
    try:
        answer = Answer(answer)
    except ValueError:
        raise RuleError(_l("Please answer yes or not yet."), "answer") from None
    row = answer_of(record, user)
    if row is None:
        row = FixedAnswer(delivery_id=record.id, user_id=user.id, round=record.round,
                          answer=answer)  # fmt: skip
        db.session.add(row)
    row.answer = answer
    db.session.flush()
    if uploads:
        if len(uploads) > 1 or row.photos:
            raise RuleError(_l("An answer can have one photo."), "photos")
        add_photos(row, user, list(uploads))
    recount(record)
    _touch(record)
    threshold = current_app.config["DELIVERY_REOPEN_THRESHOLD"]
    if record.not_yet_count >= threshold:
        reopen(record)
    db.session.flush()
    return row


def reopen(record):
    """Residents say it is not fixed: back to review, and the council hears of it."""
    record.status = DeliveryStatus.REOPENED
    record.reopened_dt = utcnow()
    proposal = record.proposal
    record_action(None, "delivery.reopen", proposal, public=True,
                  details={"not_yet": record.not_yet_count})  # fmt: skip
    notify(NotificationKind.STATUS, [("council_members", 0), ("delivery_askees", proposal.id)],
           proposal, None, detail="reopened")  # fmt: skip


# --- Privacy --------------------------------------------------------------------------------


def answers_of(user):
    """A person's "was it really fixed?" answers, for their data download."""
    rows = db.session.execute(
        sa.select(FixedAnswer, Proposal.title)
        .join(DeliveryRecord, DeliveryRecord.id == FixedAnswer.delivery_id)
        .join(Proposal, Proposal.id == DeliveryRecord.proposal_id)
        .where(FixedAnswer.user_id == user.id)
        .order_by(FixedAnswer.id)
    ).all()
    return [
        {"proposal_id": answer.delivery.proposal_id, "proposal": title, "round": answer.round,
         "answer": answer.answer, "created": answer.created_dt.isoformat(),
         "photo_ids": [photo.id for photo in answer.photos]}
        for answer, title in rows
    ]  # fmt: skip


def erase_answers_of(user):
    """Account deletion: the person's answers go, and the counts they were in are redone."""
    records = db.session.scalars(
        sa.select(DeliveryRecord).where(
            DeliveryRecord.id.in_(
                sa.select(FixedAnswer.delivery_id).where(FixedAnswer.user_id == user.id)
            )
        )
    ).all()
    for answer in db.session.scalars(sa.select(FixedAnswer).where(FixedAnswer.user_id == user.id)):
        db.session.delete(answer)
    db.session.flush()
    for record in records:
        recount(record)


# --- Bulk updates ---------------------------------------------------------------------------


@dataclass
class RowResult:
    """One row of a bulk file: what it changes, or why it cannot."""

    number: int
    values: dict
    proposal: Proposal | None = None
    milestone: Milestone | None = None
    changes: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def today():
    return date.today()


# --- Open data ------------------------------------------------------------------------------

DELIVERY_COLUMNS = [
    "proposal_id", "title", "delivery_status", "fiscal_year", "plan_code", "ordinance_item",
    "amount_baht", "unit", "milestone_position", "milestone", "planned_date", "actual_date",
    "progress", "note", "late", "photos_before", "photos_during", "photos_after", "documents",
    "fixed_yes", "fixed_not_yet",
]  # fmt: skip


def delivery_rows(process):
    """One row per milestone of the process's accepted proposals in delivery (open data; no
    person named, hidden items and hidden photos left out)."""
    photo_counts = (
        sa.select(Photo.milestone_id, Photo.stage, sa.func.count().label("n"))
        .where(Photo.milestone_id.is_not(None), Photo.is_hidden.is_(False))
        .group_by(Photo.milestone_id, Photo.stage)
    )
    document_counts = sa.select(
        MilestoneDocument.milestone_id, sa.func.count().label("n")
    ).group_by(MilestoneDocument.milestone_id)
    query = (
        sa.select(Milestone, DeliveryRecord, Proposal.title)
        .join(DeliveryRecord, DeliveryRecord.id == Milestone.delivery_id)
        .join(Proposal, Proposal.id == DeliveryRecord.proposal_id)
        .where(Proposal.process_id == process.id, Proposal.is_hidden.is_(False),
               Proposal.status == Status.ACCEPTED)
        .order_by(Proposal.id, Milestone.position)
    )  # fmt: skip

    def rows():
        photos = {}
        for milestone_id, stage, count in db.session.execute(photo_counts):
            photos[(milestone_id, stage)] = count
        documents = dict(db.session.execute(document_counts).all())
        for milestone, record, title in db.session.execute(query):
            yield [
                record.proposal_id, title, record.status, record.fiscal_year or "",
                record.plan_code or "", record.ordinance_item,
                "" if record.amount_baht is None else record.amount_baht, record.unit,
                milestone.position + 1, milestone.name,
                milestone.planned_date.isoformat() if milestone.planned_date else "",
                milestone.actual_date.isoformat() if milestone.actual_date else "",
                milestone.progress, milestone.note, milestone.is_late,
                *(photos.get((milestone.id, stage), 0) for stage in Stage),
                documents.get(milestone.id, 0), record.yes_count, record.not_yet_count,
            ]  # fmt: skip

    return DELIVERY_COLUMNS, rows()
