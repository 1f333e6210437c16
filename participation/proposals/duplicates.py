"""Issues that say the same: suggested while a resident writes, merged by a facilitator.

Similar means close in words (the Thai-segmented terms the search index uses, each weighted by
how rare it is among the process's open issues) and, when both have a pin, close in place: an
issue within ``NEAR_METRES`` needs fewer words in common.
"""

import math

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.comments.models import Comment
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError
from participation.extensions import db
from participation.notifications.models import Follow, NotificationKind
from participation.notifications.operations import notify
from participation.photos.models import Photo
from participation.places.geo import distance_m
from participation.places.models import Place
from participation.proposals.models import Contribution, DuplicateLink, Issue, Status
from participation.search.thai import index_terms
from participation.votes.models import Affected

NEAR_METRES = 100
CANDIDATES = 500  # the most recent open issues of the process that are compared
SIMILAR_WORDS = 0.35  # share of the new text's weighted words found in an existing issue
SIMILAR_WORDS_NEAR = 0.15
SUGGESTIONS = 5


def merged_ids():
    return sa.select(DuplicateLink.duplicate_id)


def similar_issues(process, title, body, latitude=None, longitude=None, exclude_id=None):
    """[(issue, metres or None)] of open issues like the one being written, closest first."""
    terms = set(index_terms(f"{title or ''}\n{body or ''}"))
    if not terms and latitude is None:
        return []
    rows = db.session.execute(
        sa.select(Issue, Place.latitude, Place.longitude)
        .outerjoin(Place, Place.contribution_id == Issue.id)
        .where(
            Issue.process_id == process.id,
            Issue.status == Status.OPEN,
            Issue.is_hidden.is_(False),
            Issue.id.not_in(merged_ids()),
            Issue.id != (exclude_id or 0),
        )
        .order_by(Issue.created_dt.desc())
        .limit(CANDIDATES)
    ).all()
    documents = [set(issue.search_text.split()) for issue, _lat, _lng in rows]
    frequency = {term: sum(term in words for words in documents) for term in terms}
    weights = {term: math.log((1 + len(rows)) / (1 + frequency[term])) + 1 for term in terms}
    total = sum(weights.values()) or 1
    found = []
    for (issue, lat, lng), words in zip(rows, documents, strict=True):
        share = sum(weights[term] for term in terms & words) / total
        metres = None
        if latitude is not None and lat is not None:
            metres = distance_m(latitude, longitude, lat, lng)
        near = metres is not None and metres <= NEAR_METRES
        if share >= SIMILAR_WORDS or (near and share >= SIMILAR_WORDS_NEAR):
            found.append((issue, metres, share))
    found.sort(key=lambda row: (-(row[2] + (0.5 if row[1] is not None and row[1] <= NEAR_METRES
                                            else 0)), row[0].id))  # fmt: skip
    return [(issue, metres) for issue, metres, _share in found[:SUGGESTIONS]]


def kept_of(issue):
    """The issue this one was merged into, or None."""
    link = db.session.get(DuplicateLink, issue.id)
    return link.kept if link else None


def merged_into(issue):
    """The issues merged into this one, oldest first."""
    return db.session.scalars(
        sa.select(Contribution)
        .join(DuplicateLink, DuplicateLink.duplicate_id == Contribution.id)
        .where(DuplicateLink.kept_id == issue.id)
        .order_by(Contribution.created_dt)
    ).all()


def can_merge(user, issue):
    return can(user, Permission.FACILITATE, issue.process)


def merge(actor, duplicate, kept):
    """Merge ``duplicate`` into ``kept``: its "affects me too", comments and followers move to
    the kept issue (once per person), counts are recounted from the rows, its author and the
    people it affected are told."""
    if not can_merge(actor, kept):
        raise RuleError(_l("Only the facilitators of this process can merge issues."))
    if not isinstance(duplicate, Issue) or not isinstance(kept, Issue):
        raise RuleError(_l("Only issues can be merged."))
    if duplicate.id == kept.id or duplicate.process_id != kept.process_id:
        raise RuleError(_l("Choose another issue of the same process to keep."), "kept_id")
    if db.session.get(DuplicateLink, duplicate.id) or db.session.get(DuplicateLink, kept.id):
        raise RuleError(_l("One of these issues is already merged into another."), "kept_id")
    # Who said "it affects me too" on the duplicate, read before their rows move.
    affected_ids = db.session.scalars(
        sa.select(Affected.user_id).where(Affected.issue_id == duplicate.id)
    ).all()  # fmt: skip
    # Issues already merged into the duplicate now belong to the kept one.
    db.session.execute(
        sa.update(DuplicateLink).where(DuplicateLink.kept_id == duplicate.id)
        .values(kept_id=kept.id)
    )  # fmt: skip
    _move_people(Affected, Affected.issue_id, duplicate.id, kept.id)
    _move_people(Follow, Follow.contribution_id, duplicate.id, kept.id)
    db.session.execute(
        sa.update(Comment).where(Comment.contribution_id == duplicate.id)
        .values(contribution_id=kept.id)
    )  # fmt: skip
    # Their photos are shown where the comments now are (and follow that issue's visibility).
    db.session.execute(
        sa.update(Photo).where(Photo.contribution_id == duplicate.id, Photo.comment_id.is_not(None))
        .values(contribution_id=kept.id)
        .execution_options(synchronize_session="fetch")
    )  # fmt: skip
    db.session.add(DuplicateLink(duplicate_id=duplicate.id, kept_id=kept.id,
                                 merged_by_id=actor.id))  # fmt: skip
    db.session.flush()
    now = utcnow()
    for issue in (duplicate, kept):
        _recount(issue)
        issue.modified_dt = now
    record_action(actor, "issue.merge", duplicate, details={"kept_id": kept.id}, public=True)
    if duplicate.author_id is not None:
        notify(NotificationKind.STATUS, [("people", [duplicate.author_id])], kept, actor,
               detail="merged")  # fmt: skip
    if affected_ids:  # their "affects me too" now counts on the kept issue: they are told so
        notify(NotificationKind.STATUS, [("people", list(affected_ids))], kept, actor,
               detail="merged_affected", exclude=[duplicate.author_id])  # fmt: skip
    db.session.flush()


def _move_people(model, column, from_id, to_id):
    """Move rows of people from one issue to another, dropping those already on the other."""
    already = sa.select(model.user_id).where(column == to_id)
    db.session.execute(
        sa.delete(model).where(column == from_id, model.user_id.in_(already))
    )  # fmt: skip
    db.session.execute(sa.update(model).where(column == from_id).values({column.key: to_id}))


def _recount(issue):
    issue.affected_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Affected).where(Affected.issue_id == issue.id)
    )
    issue.comment_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Comment).where(
            Comment.contribution_id == issue.id, Comment.is_deleted.is_(False)
        )
    )  # fmt: skip
