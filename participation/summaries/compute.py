"""The figures of a summary, computed from the content in a few aggregate queries.

A process summary scans each kind of content once or twice in the database (GROUP BY, COUNT
DISTINCT) and reads only per-proposal rows into Python: with 10,000 proposals, 300,000 comments
and 1,000,000 supports it takes well under two seconds (bench/summary_bench.py). The result is a
plain dict of numbers, ids and public titles (JSON), cached on the summary row and recomputed
when the content's fingerprint changes (``process_fingerprint``).
"""

import hashlib
from collections import Counter, defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from participation.comments.models import Alignment, Comment
from participation.core.i18n import BANGKOK, to_bangkok
from participation.core.models import utcnow
from participation.extensions import db
from participation.municipality.models import Area, current_municipality
from participation.processes.models import PHASES
from participation.proposals.models import (
    Contribution,
    ImplementationUpdate,
    Kind,
    OfficialResponse,
    Status,
)
from participation.summaries.themes import characteristic_terms
from participation.votes.models import Affected, Support

# What residents want: the rules, stated on the page with these numbers.
MIN_ALIGNED_COMMENTS = 3  # comments saying in favour or against before a proposal is classed
CONSENSUS_MAX_AGAINST = 0.20  # consensus: qualified, and at most 20% of those comments against
CONTESTED_MIN_AGAINST = 0.40  # contested: qualified, and at least 40% of them against
RANKED = 20  # proposals listed in each ranking
THEMES = 20

RULES = {
    "min_aligned_comments": MIN_ALIGNED_COMMENTS,
    "consensus_max_against": CONSENSUS_MAX_AGAINST,
    "contested_min_against": CONTESTED_MIN_AGAINST,
}


# --- Dates in Bangkok, in SQL -----------------------------------------------------------------


def _dialect():
    return db.session.get_bind().dialect.name


def local_day(column):
    """The Bangkok calendar day of a UTC timestamp column, computed by the database."""
    if _dialect() == "postgresql":
        return sa.cast(sa.func.timezone("Asia/Bangkok", column), sa.Date)
    return sa.func.date(column, "+7 hours")  # Bangkok has no daylight saving time


def _day_literal(day):
    return sa.literal(day if _dialect() == "postgresql" else day.isoformat())


def _as_day(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def phase_starts(process):
    """(phase, first day) for each phase with a start date, in order."""
    starts = []
    for phase in PHASES:
        start, _end = process.phase_dates(phase)
        if start is not None:
            starts.append((str(phase), start))
    return starts


def phase_of_day(day, starts):
    """The phase a day belongs to: the last phase that had started (days before the first start
    count for the first phase); None when the process has no phase dates."""
    if not starts:
        return None
    current = starts[0][0]
    for phase, start in starts:
        if day >= start:
            current = phase
    return current


def _phase_case(day_column, starts):
    if not starts:
        return sa.literal(None, sa.String)
    whens = [(day_column >= _day_literal(start), phase) for phase, start in reversed(starts[1:])]
    if not whens:
        return sa.literal(starts[0][0])
    return sa.case(*whens, else_=sa.literal(starts[0][0]))


# --- The content of a process -----------------------------------------------------------------


def _visible_contributions(process):
    return sa.select(Contribution.id).where(
        Contribution.process_id == process.id, Contribution.is_hidden.is_(False)
    )


def _activity(process):
    """Every act of participation in a process as (user_id, contribution_id, created_dt):
    writing an issue or proposal, commenting, supporting, saying an issue affects you."""
    visible = _visible_contributions(process)
    return sa.union_all(
        sa.select(
            Contribution.author_id.label("user_id"),
            Contribution.id.label("contribution_id"),
            Contribution.created_dt.label("created_dt"),
        ).where(Contribution.process_id == process.id, Contribution.is_hidden.is_(False)),
        sa.select(Comment.author_id, Comment.contribution_id, Comment.created_dt).where(
            Comment.contribution_id.in_(visible),
            Comment.is_hidden.is_(False),
            Comment.is_deleted.is_(False),
        ),
        sa.select(Support.user_id, Support.proposal_id, Support.created_dt).where(
            Support.process_id == process.id
        ),
        sa.select(Affected.user_id, Affected.issue_id, Affected.created_dt).where(
            Affected.issue_id.in_(visible)
        ),
    ).subquery()


def _process_span(process):
    """The first and last day of a process: its phase dates, else its creation until today."""
    days = [day for phase in PHASES for day in process.phase_dates(phase) if day is not None]
    today = to_bangkok(utcnow()).date()
    first = min(days) if days else to_bangkok(process.created_dt).date()
    last = min(max(days), today) if days else today
    return first, max(first, last)


def _timeline(process):
    """Per Bangkok day: issues, proposals, comments, supports, new registrations."""
    per_day = defaultdict(Counter)
    day = local_day(Contribution.created_dt)
    rows = db.session.execute(
        sa.select(day, Contribution.kind, sa.func.count())
        .where(Contribution.process_id == process.id, Contribution.is_hidden.is_(False))
        .group_by(day, Contribution.kind)
    )
    for value, kind, count in rows:
        per_day[_as_day(value)][f"{kind}s"] += count
    day = local_day(Comment.created_dt)
    rows = db.session.execute(
        sa.select(day, sa.func.count())
        .where(
            Comment.contribution_id.in_(_visible_contributions(process)),
            Comment.is_hidden.is_(False),
            Comment.is_deleted.is_(False),
        )
        .group_by(day)
    )
    for value, count in rows:
        per_day[_as_day(value)]["comments"] += count
    day = local_day(Support.created_dt)
    rows = db.session.execute(
        sa.select(day, sa.func.count()).where(Support.process_id == process.id).group_by(day)
    )
    for value, count in rows:
        per_day[_as_day(value)]["supports"] += count
    return per_day


def _registrations(first, last):
    """New accounts per Bangkok day between two days (inclusive)."""
    from participation.accounts.models import User

    start = _utc_midnight(first)
    end = _utc_midnight(last + timedelta(days=1))
    day = local_day(User.created_dt)
    rows = db.session.execute(
        sa.select(day, sa.func.count())
        .where(User.created_dt >= start, User.created_dt < end)
        .group_by(day)
    )
    return {_as_day(value): count for value, count in rows}


def _utc_midnight(day):
    from datetime import datetime, time

    return datetime.combine(day, time(), tzinfo=BANGKOK)


def _participants(process, starts):
    """Distinct participants: in all, per phase and per area."""
    activity = _activity(process)
    phase = _phase_case(local_day(activity.c.created_dt), starts).label("phase")
    per_phase = dict(
        db.session.execute(
            sa.select(phase, sa.func.count(sa.distinct(activity.c.user_id)))
            .where(activity.c.user_id.is_not(None))
            .group_by(phase)
        ).all()
    )
    total = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(activity.c.user_id))).where(
            activity.c.user_id.is_not(None)
        )
    )
    per_area = dict(
        db.session.execute(
            sa.select(Contribution.area_id, sa.func.count(sa.distinct(activity.c.user_id)))
            .join(Contribution, Contribution.id == activity.c.contribution_id)
            .where(activity.c.user_id.is_not(None))
            .group_by(Contribution.area_id)
        ).all()
    )
    return total or 0, per_phase, per_area


def _area_counts(process):
    """Issues, proposals, comments and supports per area (the area of the contribution)."""
    counts = defaultdict(Counter)
    rows = db.session.execute(
        sa.select(
            Contribution.area_id,
            Contribution.kind,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Contribution.support_count), 0),
            sa.func.coalesce(sa.func.sum(Contribution.affected_count), 0),
        )
        .where(Contribution.process_id == process.id, Contribution.is_hidden.is_(False))
        .group_by(Contribution.area_id, Contribution.kind)
    )
    for area_id, kind, count, supports, affected in rows:
        counts[area_id][f"{kind}s"] += count
        counts[area_id]["supports"] += supports
        counts[area_id]["affected"] += affected
    rows = db.session.execute(
        sa.select(Contribution.area_id, sa.func.count())
        .select_from(Comment)
        .join(Contribution, Contribution.id == Comment.contribution_id)
        .where(
            Contribution.process_id == process.id,
            Contribution.is_hidden.is_(False),
            Comment.is_hidden.is_(False),
            Comment.is_deleted.is_(False),
        )
        .group_by(Contribution.area_id)
    )
    for area_id, count in rows:
        counts[area_id]["comments"] += count
    return counts


def participation(process):
    starts = phase_starts(process)
    first, last = _process_span(process)
    per_day = _timeline(process)
    registrations = _registrations(first, last)
    for day, count in registrations.items():
        per_day[day]["registrations"] += count
    total, per_phase_people, per_area_people = _participants(process, starts)
    keys = ("issues", "proposals", "comments", "supports", "registrations")

    timeline = []
    if per_day:
        day, end = min(min(per_day), first), max(max(per_day), last)
        while day <= end:
            timeline.append({"day": day.isoformat(), **{key: per_day[day][key] for key in keys}})
            day += timedelta(days=1)

    phases = []
    for phase, _start in starts:
        row = {"phase": phase, "participants": per_phase_people.get(phase, 0)}
        row.update(
            {
                key: sum(per_day[day][key] for day in per_day if phase_of_day(day, starts) == phase)
                for key in keys
            }
        )
        phases.append(row)

    municipality = current_municipality()
    area_counts = _area_counts(process)
    areas = []
    for area in _areas(process, municipality):
        people = per_area_people.get(area.id, 0)
        counts = area_counts.get(area.id, Counter())
        areas.append(
            {
                "id": area.id,
                "name_th": area.name_th,
                "name_en": area.name_en,
                "population": area.population,
                "participants": people,
                "share": _share(people, area.population),
                **{key: counts[key] for key in ("issues", "proposals", "comments", "supports")},
            }
        )
    unplaced = area_counts.get(None)
    if unplaced or per_area_people.get(None):
        counts = unplaced or Counter()
        areas.append(
            {
                "id": None,
                "name_th": "",
                "name_en": "",
                "population": None,
                "participants": per_area_people.get(None, 0),
                "share": None,
                **{key: counts[key] for key in ("issues", "proposals", "comments", "supports")},
            }
        )

    totals = {key: sum(row[key] for row in timeline) for key in keys}
    population = municipality.population if municipality else None
    return {
        "participants": total,
        "population": population,
        "share": _share(total, population),
        "totals": totals,
        "phases": phases,
        "areas": areas,
        "timeline": timeline,
    }


def _areas(process, municipality):
    if process.areas:
        return list(process.areas)
    if municipality is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Area).where(Area.municipality_id == municipality.id).order_by(Area.position)
        )
    )


def _share(part, whole):
    return round(part / whole, 4) if whole else None


# --- What residents want ----------------------------------------------------------------------


def _alignments(process):
    """{proposal id: Counter(alignment: comments)} for the visible comments that took a side."""
    rows = db.session.execute(
        sa.select(Comment.contribution_id, Comment.alignment, sa.func.count())
        .where(
            Comment.contribution_id.in_(
                sa.select(Contribution.id).where(
                    Contribution.process_id == process.id, Contribution.kind == Kind.PROPOSAL
                )
            ),
            Comment.alignment.is_not(None),
            Comment.is_hidden.is_(False),
            Comment.is_deleted.is_(False),
        )
        .group_by(Comment.contribution_id, Comment.alignment)
    )
    alignments = defaultdict(Counter)
    for proposal_id, alignment, count in rows:
        alignments[proposal_id][alignment] += count
    return alignments


def classify(support_count, threshold, in_favour, against):
    """'consensus', 'contested' or None, by the rules in :data:`RULES`."""
    aligned = in_favour + against
    if support_count < threshold or aligned < MIN_ALIGNED_COMMENTS:
        return None
    against_share = against / aligned
    if against_share <= CONSENSUS_MAX_AGAINST:
        return "consensus"
    if against_share >= CONTESTED_MIN_AGAINST:
        return "contested"
    return None


def what_residents_want(process):
    rows = db.session.execute(
        sa.select(
            Contribution.id,
            Contribution.title,
            Contribution.support_count,
            Contribution.comment_count,
            Contribution.status,
        )
        .where(
            Contribution.process_id == process.id,
            Contribution.kind == Kind.PROPOSAL,
            Contribution.is_hidden.is_(False),
            Contribution.status != Status.WITHDRAWN,
        )
        .order_by(Contribution.support_count.desc(), Contribution.id)
    ).all()
    alignments = _alignments(process)
    threshold = process.support_threshold
    ranked, consensus, contested = [], [], []
    consensus_count = contested_count = 0
    for proposal_id, title, supports, comments, status in rows:
        sides = alignments.get(proposal_id, Counter())
        in_favour = sides[Alignment.IN_FAVOUR]
        against = sides[Alignment.AGAINST]
        aligned = in_favour + against  # the comments that took a side
        item = {
            "id": proposal_id,
            "title": title,
            "supports": supports,
            "comments": comments,
            "status": status,
            "in_favour": in_favour,
            "against": against,
            "neutral": sides[Alignment.NEUTRAL],
            "in_favour_share": _share(in_favour, aligned),
            "against_share": _share(against, aligned),
        }
        if len(ranked) < RANKED:
            ranked.append(item)
        kind = classify(supports, threshold, in_favour, against)
        if kind == "consensus":
            consensus_count += 1
            if len(consensus) < RANKED:
                consensus.append(item)
        elif kind == "contested":
            contested_count += 1
            if len(contested) < RANKED:
                contested.append(item)
    return {
        "proposals": len(rows),
        "qualified": sum(1 for row in rows if row.support_count >= threshold),
        "threshold": threshold,
        "ranked": ranked,
        "consensus": consensus,
        "consensus_count": consensus_count,
        "contested": contested,
        "contested_count": contested_count,
        "rules": RULES,
    }


def themes(process):
    """The most characteristic terms of the issues and proposals (see ``summaries.themes``)."""
    rows = db.session.execute(
        sa.select(Contribution.id, Contribution.kind, Contribution.search_text).where(
            Contribution.process_id == process.id, Contribution.is_hidden.is_(False)
        )
    ).all()
    documents = [(row.id, row.kind, row.search_text.split()) for row in rows]
    return characteristic_terms(documents, limit=THEMES)


# --- What the council decided -----------------------------------------------------------------


def decisions_query(process):
    """Every proposal that qualified or was answered: those still without a response first."""
    latest_progress = (
        sa.select(ImplementationUpdate.progress)
        .where(ImplementationUpdate.proposal_id == Contribution.id)
        .order_by(ImplementationUpdate.update_date.desc(), ImplementationUpdate.id.desc())
        .limit(1)
        .correlate(Contribution)
        .scalar_subquery()
    )
    return (
        sa.select(
            Contribution.id,
            Contribution.title,
            Contribution.support_count,
            Contribution.status,
            OfficialResponse.body_html.label("response_html"),
            OfficialResponse.modified_dt.label("response_dt"),
            sa.func.coalesce(latest_progress, 0).label("progress"),
        )
        .outerjoin(OfficialResponse, OfficialResponse.proposal_id == Contribution.id)
        .where(
            Contribution.process_id == process.id,
            Contribution.kind == Kind.PROPOSAL,
            Contribution.is_hidden.is_(False),
            Contribution.status != Status.WITHDRAWN,
            sa.or_(
                Contribution.support_count >= process.support_threshold,
                OfficialResponse.id.is_not(None),
            ),
        )
        .order_by(
            OfficialResponse.id.is_not(None),  # unanswered (false) first
            Contribution.support_count.desc(),
            Contribution.id,
        )
    )


def decisions(process):
    """Counts of the council's decisions on the proposals that qualified."""
    rows = db.session.execute(
        sa.select(Contribution.status, sa.func.count(OfficialResponse.id), sa.func.count())
        .outerjoin(OfficialResponse, OfficialResponse.proposal_id == Contribution.id)
        .where(
            Contribution.process_id == process.id,
            Contribution.kind == Kind.PROPOSAL,
            Contribution.is_hidden.is_(False),
            Contribution.status != Status.WITHDRAWN,
            sa.or_(
                Contribution.support_count >= process.support_threshold,
                OfficialResponse.id.is_not(None),
            ),
        )
        .group_by(Contribution.status)
    ).all()
    by_status = {status: count for status, _answered, count in rows}
    answered = sum(answered for _status, answered, _count in rows)
    total = sum(by_status.values())
    return {
        "total": total,
        "answered": answered,
        "unanswered": total - answered,
        "by_status": {str(status): by_status.get(status, 0) for status in Status},
    }


def process_summary(process):
    return {
        "kind": "process",
        "participation": participation(process),
        "wants": what_residents_want(process),
        "themes": themes(process),
        "decisions": decisions(process),
        "computed": utcnow().isoformat(),
    }


def process_fingerprint(process):
    """A cheap digest of everything the summary counts; it changes when the content changes.

    Weighted sums (``sum(id * count)``) notice a support moved from one proposal to another,
    which a plain total would not.
    """
    from participation.accounts.models import User

    contributions = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(Contribution.modified_dt),
            sa.func.sum(Contribution.id * Contribution.support_count),
            sa.func.sum(Contribution.id * Contribution.comment_count),
            sa.func.sum(Contribution.id * Contribution.affected_count),
        ).where(Contribution.process_id == process.id)
    ).one()
    comments = db.session.execute(
        sa.select(sa.func.max(Comment.modified_dt)).where(
            Comment.contribution_id.in_(
                sa.select(Contribution.id).where(Contribution.process_id == process.id)
            )
        )
    ).scalar()
    answers = db.session.execute(
        sa.select(sa.func.max(OfficialResponse.modified_dt), sa.func.max(ImplementationUpdate.id))
        .select_from(Contribution)
        .outerjoin(OfficialResponse, OfficialResponse.proposal_id == Contribution.id)
        .outerjoin(ImplementationUpdate, ImplementationUpdate.proposal_id == Contribution.id)
        .where(Contribution.process_id == process.id, Contribution.kind == Kind.PROPOSAL)
    ).one()
    municipality = current_municipality()
    population = db.session.execute(
        sa.select(sa.func.sum(Area.population), sa.func.count(Area.id))
    ).one()
    users = db.session.scalar(sa.select(sa.func.max(User.id)))
    parts = (
        *contributions, comments, *answers, process.modified_dt, users,
        getattr(municipality, "modified_dt", None), getattr(municipality, "population", None),
        *population,
    )  # fmt: skip
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


# --- A town hall --------------------------------------------------------------------------------


def _attendance(townhall):
    from participation.townhall.models import Attendance

    samples = db.session.execute(
        sa.select(Attendance.sampled_dt, Attendance.present, Attendance.seen)
        .where(Attendance.townhall_id == townhall.id)
        .order_by(Attendance.sampled_dt, Attendance.id)
    ).all()
    per_minute = {}
    for sampled_dt, present, _seen in samples:
        minute = to_bangkok(sampled_dt).replace(second=0, microsecond=0).isoformat()
        per_minute[minute] = max(per_minute.get(minute, 0), present)
    return {
        "peak": max((row.present for row in samples), default=0),
        "total": max((row.seen for row in samples), default=0),
        "timeline": [{"minute": minute, "present": count} for minute, count in per_minute.items()],
    }


def townhall_participants(townhall):
    """Everyone who asked, upvoted, wrote in the discussion or answered a poll (a query)."""
    from participation.townhall.models import Message, Poll, PollResponse, Question, QuestionUpvote

    return sa.union(
        sa.select(Question.author_id.label("user_id")).where(Question.townhall_id == townhall.id),
        sa.select(QuestionUpvote.user_id)
        .join(Question, Question.id == QuestionUpvote.question_id)
        .where(Question.townhall_id == townhall.id),
        sa.select(Message.author_id).where(Message.townhall_id == townhall.id),
        sa.select(PollResponse.user_id)
        .join(Poll, Poll.id == PollResponse.poll_id)
        .where(Poll.townhall_id == townhall.id),
    )


def townhall_summary(townhall):
    from participation.townhall.models import Message, Mute, Poll, Question, QuestionState

    questions = db.session.execute(
        sa.select(Question.state, Question.is_hidden, sa.func.count())
        .where(Question.townhall_id == townhall.id)
        .group_by(Question.state, Question.is_hidden)
    ).all()
    visible = Counter({state: count for state, hidden, count in questions if not hidden})
    hidden_questions = sum(count for _state, hidden, count in questions if hidden)
    unanswered = db.session.execute(
        sa.select(Question.id, Question.body, Question.upvote_count, Question.created_dt)
        .where(
            Question.townhall_id == townhall.id,
            Question.is_hidden.is_(False),
            Question.state != QuestionState.ANSWERED,
        )
        .order_by(Question.upvote_count.desc(), Question.seq)
        .limit(RANKED)
    ).all()
    messages = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(sa.distinct(Message.author_id)),
            sa.func.count(Message.parent_id),
        ).where(Message.townhall_id == townhall.id, Message.is_hidden.is_(False))
    ).one()
    hidden_messages = db.session.scalar(
        sa.select(sa.func.count()).where(
            Message.townhall_id == townhall.id, Message.is_hidden.is_(True)
        )
    )
    mutes = db.session.scalar(sa.select(sa.func.count()).where(Mute.townhall_id == townhall.id))
    polls = db.session.scalars(
        sa.select(Poll)
        .where(Poll.townhall_id == townhall.id)
        .order_by(Poll.seq)
        .options(sa.orm.selectinload(Poll.options))
    ).all()
    participants = db.session.scalar(
        sa.select(sa.func.count()).select_from(townhall_participants(townhall).subquery())
    )
    asked = sum(visible.values())
    return {
        "kind": "townhall",
        "attendance": _attendance(townhall),
        "participants": participants or 0,
        "questions": {
            "asked": asked,
            "answered": visible[QuestionState.ANSWERED],
            "unanswered": asked - visible[QuestionState.ANSWERED],
            "top_unanswered": [
                {
                    "id": row.id,
                    "body": row.body,
                    "upvotes": row.upvote_count,
                    "asked": row.created_dt.isoformat(),
                }
                for row in unanswered
            ],
        },
        "polls": [
            {
                "id": poll.id,
                "question": poll.question,
                "is_multiple": poll.is_multiple,
                "state": poll.state,
                "voters": poll.voter_count,
                "options": [
                    {"label": option.label, "votes": option.vote_count} for option in poll.options
                ],
            }
            for poll in polls
        ],
        "discussion": {
            "messages": messages[0],
            "people": messages[1],
            "replies": messages[2],
        },
        "moderation": {
            "hidden_questions": hidden_questions,
            "hidden_messages": hidden_messages or 0,
            "mutes": mutes or 0,
            "total": hidden_questions + (hidden_messages or 0) + (mutes or 0),
        },
        "computed": utcnow().isoformat(),
    }


def townhall_fingerprint(townhall):
    """A digest of what a town-hall summary counts (a few aggregate queries)."""
    from participation.townhall.models import Attendance, Message, Mute, Poll, Question

    hidden = sa.func.sum(sa.case((Question.is_hidden.is_(True), 1), else_=0))
    queries = (
        sa.select(sa.func.count(), sa.func.max(Attendance.id)).where(
            Attendance.townhall_id == townhall.id
        ),
        sa.select(
            sa.func.count(),
            sa.func.sum(Question.upvote_count),
            hidden,
            sa.func.max(Question.answered_dt),
            sa.func.max(Question.hidden_dt),
        ).where(Question.townhall_id == townhall.id),  # fmt: skip
        sa.select(sa.func.count(), sa.func.max(Message.hidden_dt)).where(
            Message.townhall_id == townhall.id
        ),
        sa.select(sa.func.sum(Poll.voter_count), sa.func.max(Poll.closed_dt)).where(
            Poll.townhall_id == townhall.id
        ),
        sa.select(sa.func.count()).where(Mute.townhall_id == townhall.id),
    )
    parts = [townhall.last_seq, townhall.modified_dt, townhall.state]
    for query in queries:
        parts.extend(db.session.execute(query).one())
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()
