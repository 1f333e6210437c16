"""The figures of a summary, computed from the content by index range scans and aggregates.

A process summary never sorts the supports: people are counted by range scans that return each
person once, days by index range counts, and only per-proposal rows come into Python. With
10,000 proposals, 300,000 comments and 1,000,000 supports it takes about 1.6 s on SQLite
(bench/summary_bench.py). The result is a plain dict of numbers, ids and public titles (JSON),
cached on the summary row and recomputed when the content's fingerprint changes
(``process_fingerprint``).
"""

import hashlib
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from participation.comments.models import Alignment, Comment
from participation.core.i18n import BANGKOK, to_bangkok
from participation.core.models import utcnow
from participation.core.shares import percentages
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
from participation.summaries.themes import THEMES_VERSION, characteristic_phrases, phrase_tokens
from participation.votes.models import Affected, Support

# What residents want: the rules, stated on the page with these numbers.
MIN_ALIGNED_COMMENTS = 3  # comments saying in favour or against before a proposal is classed
CONSENSUS_MAX_AGAINST = 0.20  # consensus: qualified, and at most 20% of those comments against
CONTESTED_MIN_AGAINST = 0.40  # contested: qualified, and at least 40% of them against
RANKED = 20  # proposals listed in each ranking
THEMES = 15  # per language

RULES = {
    "min_aligned_comments": MIN_ALIGNED_COMMENTS,
    "consensus_max_against": CONSENSUS_MAX_AGAINST,
    "contested_min_against": CONTESTED_MIN_AGAINST,
}


# --- Phases and days ----------------------------------------------------------------------------


def _dialect():
    return db.session.get_bind().dialect.name


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


# --- The content of a process -----------------------------------------------------------------


def _in_process(process):
    """The conditions of a process's contributions that count: not hidden by a moderator."""
    return (Contribution.process_id == process.id, Contribution.is_hidden.is_(False))


# Comments that count: neither hidden nor deleted.
_VISIBLE_COMMENT = (Comment.is_hidden.is_(False), Comment.is_deleted.is_(False))


def _visible_contributions(process):
    return sa.select(Contribution.id).where(*_in_process(process))


def participants_query(process):
    """Everyone who took part in a process (a query of user ids, each once)."""
    return sa.union(
        *(
            sa.select(person.label("user_id")).where(*conditions, person.is_not(None))
            for _kind, person, _moment, _contribution, conditions in _sources(process)
        )
    )


def _process_span(process):
    """The first and last day of a process: its phase dates, else its creation until today."""
    days = [day for phase in PHASES for day in process.phase_dates(phase) if day is not None]
    today = to_bangkok(utcnow()).date()
    first = min(days) if days else to_bangkok(process.created_dt).date()
    last = min(max(days), today) if days else today
    return first, max(first, last)


def _sources(process):
    """Every kind of act of participation in a process: (name, person, moment, contribution,
    conditions). Hidden and deleted content does not count."""
    visible = _visible_contributions(process)
    return (
        ("contributions", Contribution.author_id, Contribution.created_dt, Contribution.id,
         _in_process(process)),
        ("comments", Comment.author_id, Comment.created_dt, Comment.contribution_id,
         (Comment.contribution_id.in_(visible), *_VISIBLE_COMMENT)),
        ("supports", Support.user_id, Support.created_dt, Support.proposal_id,
         (Support.process_id == process.id,)),
        ("affected", Affected.user_id, Affected.created_dt, Affected.issue_id,
         (Affected.issue_id.in_(visible),)),
    )  # fmt: skip


def _ranges(bounds):
    """(lower, upper) moments between consecutive bounds; None is open-ended."""
    edges = [None, *bounds, None]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _in_range(column, lower, upper):
    conditions = []
    if lower is not None:
        conditions.append(column >= lower)
    if upper is not None:
        conditions.append(column < upper)
    return conditions


def _people(process, starts, areas):
    """Distinct participants: everyone and per phase (sets of ids), per area (counts), and the
    visible comments per area.

    Each query is a range scan on an index that returns one person once (SELECT DISTINCT), so
    the database never sorts a million supports: per phase, the phases' start moments split
    each kind of act by time; per area, the contributions of the area select their acts.
    On PostgreSQL the areas are counted in one grouped query instead (hash aggregation).
    """
    per_phase = defaultdict(set)
    phase_bounds = [_utc_midnight(start) for _phase, start in starts[1:]]
    phase_names = [phase for phase, _start in starts] or [None]
    for _kind, person, moment, _contribution, conditions in _sources(process):
        for phase, (lower, upper) in zip(phase_names, _ranges(phase_bounds), strict=True):
            # "person + 0" (here and below): without it SQLite walks the person index to skip
            # the DISTINCT sort, reading every row from the table; with it, the covering index
            # of the condition (time, or contribution).
            query = (
                sa.select(person + 0)
                .distinct()
                .where(*conditions, person.is_not(None), *_in_range(moment, lower, upper))
            )
            per_phase[phase].update(db.session.scalars(query))

    if _dialect() == "postgresql":
        per_area, comments_per_area = _areas_grouped(process)
    else:
        per_area, comments_per_area = _areas_one_by_one(process, areas)
    everyone = set().union(*per_phase.values())
    return everyone, per_phase, per_area, comments_per_area


def _areas_one_by_one(process, areas):
    """SQLite: one area at a time, each walking its contributions' index ranges."""
    per_area = {}  # area id: how many people
    comments_per_area = Counter()  # visible comments (the counters also count hidden ones)
    for area_id in areas:
        chosen = sa.select(Contribution.id).where(
            *_in_process(process),
            Contribution.area_id == area_id if area_id else Contribution.area_id.is_(None),
        )
        # Only what selects the area's acts, so the database walks the contributions' own
        # index ranges (process and visibility are implied by ``chosen``); the UNION counts
        # each person once, in the database.
        acts = [chosen.with_only_columns(Contribution.author_id.label("person"))]
        for kind, person, _moment, contribution, _conditions in _sources(process)[1:]:
            visible = _VISIBLE_COMMENT if kind == "comments" else ()
            acts.append(sa.select(person + 0).where(contribution.in_(chosen), *visible))
        people = sa.union(*acts).subquery()
        per_area[area_id] = db.session.scalar(
            sa.select(sa.func.count()).select_from(people).where(people.c[0].is_not(None))
        )
        comments_per_area[area_id] = db.session.scalar(
            sa.select(sa.func.count()).where(Comment.contribution_id.in_(chosen), *_VISIBLE_COMMENT)
        )
    return per_area, comments_per_area


def _areas_grouped(process):
    """PostgreSQL: every area at once; hash aggregation beats many small scans there.

    Each kind of act is first reduced to its distinct (area, person) pairs, then the pairs
    are counted per area with COUNT(DISTINCT): with a million supports this took 0.67 s where
    one UNION of every act took 0.98 s (bench/summary_bench.py's data)."""
    pairs = [
        sa.select(Contribution.area_id.label("area"), Contribution.author_id.label("person"))
        .where(*_in_process(process), Contribution.author_id.is_not(None))
        .distinct()
    ]  # fmt: skip
    for _kind, person, _moment, contribution, conditions in _sources(process)[1:]:
        pairs.append(
            sa.select(Contribution.area_id, person)
            .join(Contribution, Contribution.id == contribution)
            .where(*conditions, person.is_not(None), Contribution.is_hidden.is_(False))
            .distinct()
        )
    people = sa.union_all(*pairs).subquery()
    per_area = dict(
        db.session.execute(
            sa.select(people.c.area, sa.func.count(sa.distinct(people.c.person))).group_by(
                people.c.area
            )
        ).all()
    )
    comments_per_area = Counter(
        dict(
            db.session.execute(
                sa.select(Contribution.area_id, sa.func.count())
                .select_from(Comment)
                .join(Contribution, Contribution.id == Comment.contribution_id)
                .where(*_in_process(process), *_VISIBLE_COMMENT)
                .group_by(Contribution.area_id)
            ).all()
        )
    )
    return per_area, comments_per_area


def _hour(column):
    """The UTC hour of a timestamp, as the database groups it cheaply."""
    if _dialect() == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.substr(column, 1, 13)  # 'YYYY-MM-DD HH' of the stored UTC time


def _bangkok_day(hour):
    if isinstance(hour, str):
        hour = datetime.strptime(hour[:13], "%Y-%m-%d %H")
    return to_bangkok(_aware(hour)).date()


def _counts_per_day(process):
    """Acts per Bangkok day. Contributions and comments are grouped by UTC hour in the database
    (few rows); supports, the many, are counted one day at a time on their (process, time)
    index, which needs no sorting."""
    per_day = defaultdict(Counter)
    sources = {kind: rest for kind, *rest in _sources(process)}
    _person, moment, _contribution, conditions = sources["contributions"]
    hour = _hour(moment)
    rows = db.session.execute(
        sa.select(hour, Contribution.kind, sa.func.count()).where(*conditions)
        .group_by(hour, Contribution.kind)
    )  # fmt: skip
    for value, kind, count in rows:
        per_day[_bangkok_day(value)][f"{kind}s"] += count
    _person, moment, _contribution, conditions = sources["comments"]
    hour = _hour(moment)
    for value, count in db.session.execute(
        sa.select(hour, sa.func.count()).where(*conditions).group_by(hour)
    ):
        per_day[_bangkok_day(value)]["comments"] += count
    _person, moment, _contribution, conditions = sources["supports"]
    # Two queries: SQLite reads a lone min() or max() from the index end, not both at once.
    first = db.session.scalar(sa.select(sa.func.min(moment)).where(*conditions))
    last = db.session.scalar(sa.select(sa.func.max(moment)).where(*conditions))
    if first is not None:
        day, last_day = _bangkok_day(first), _bangkok_day(last)
        while day <= last_day:
            lower, upper = _utc_midnight(day), _utc_midnight(day + timedelta(days=1))
            count = db.session.scalar(
                sa.select(sa.func.count()).where(*conditions, *_in_range(moment, lower, upper))
            )
            if count:
                per_day[day]["supports"] += count
            day += timedelta(days=1)
    return per_day


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _registrations(first, last):
    """New accounts per Bangkok day between two days (inclusive)."""
    from participation.accounts.models import User

    start = _utc_midnight(first)
    end = _utc_midnight(last + timedelta(days=1))
    moments = db.session.scalars(
        sa.select(User.created_dt).where(
            User.created_dt >= start, User.created_dt < end, User.is_guest.is_(False)
        )
    )
    return Counter(to_bangkok(_aware(moment)).date() for moment in moments)


def _utc_midnight(day):
    """Midnight in Bangkok at the start of ``day``, as a UTC moment."""
    return datetime.combine(day, time(), tzinfo=BANGKOK).astimezone(UTC)


def _area_counts(process):
    """Issues, proposals and supports per area, from the per-contribution counters."""
    counts = defaultdict(Counter)
    rows = db.session.execute(
        sa.select(
            Contribution.area_id,
            Contribution.kind,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Contribution.support_count), 0),
        )
        .where(*_in_process(process))
        .group_by(Contribution.area_id, Contribution.kind)
    )
    for area_id, kind, count, supports in rows:
        counts[area_id][f"{kind}s"] += count
        counts[area_id]["supports"] += supports
    return counts


def participation(process):
    starts = phase_starts(process)
    per_day = _counts_per_day(process)
    first, last = _process_span(process)
    for day, count in _registrations(first, last).items():
        per_day[day]["registrations"] += count
    first, last = min([first, *per_day]), max([last, *per_day])
    municipality = current_municipality()
    areas = _areas(process, municipality)
    area_counts = _area_counts(process)
    area_ids = [area.id for area in areas] + ([None] if None in area_counts else [])
    everyone, per_phase_people, per_area_people, area_comments = _people(process, starts, area_ids)
    for area_id, count in area_comments.items():
        area_counts.setdefault(area_id, Counter())["comments"] = count
    keys = ("issues", "proposals", "comments", "supports", "registrations")

    timeline = []
    day = first
    while day <= last:
        timeline.append({"day": day.isoformat(), **{key: per_day[day][key] for key in keys}})
        day += timedelta(days=1)

    phases = []
    for phase, _start in starts:
        row = {"phase": phase, "participants": len(per_phase_people.get(phase, ()))}
        row.update(
            {
                key: sum(per_day[day][key] for day in per_day if phase_of_day(day, starts) == phase)
                for key in keys
            }
        )
        phases.append(row)

    rows = []
    for area in [*areas, None] if None in area_ids else areas:
        area_id = getattr(area, "id", None)
        people = per_area_people.get(area_id, 0)
        counts = area_counts.get(area_id, Counter())
        population = getattr(area, "population", None)
        rows.append(
            {
                "id": area_id,
                "name_th": getattr(area, "name_th", ""),
                "name_en": getattr(area, "name_en", ""),
                "population": population,
                "participants": people,
                "share": _share(people, population),
                **{key: counts[key] for key in ("issues", "proposals", "comments", "supports")},
            }
        )

    totals = {key: sum(row[key] for row in timeline) for key in keys}
    population = municipality.population if municipality else None
    return {
        "participants": len(everyone),
        "population": population,
        "share": _share(len(everyone), population),
        "totals": totals,
        "phases": phases,
        "areas": rows,
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
            *_VISIBLE_COMMENT,
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
        .where(*_open_proposals(process))
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
        favour_percent, against_percent = percentages([in_favour, against], decimals=1)
        item = {
            "id": proposal_id,
            "title": title,
            "supports": supports,
            "comments": comments,
            "status": status,
            "in_favour": in_favour,
            "against": against,
            "neutral": sides[Alignment.NEUTRAL],
            # Shares of the comments that took a side, rounded so that the two add up to 100%.
            "in_favour_share": favour_percent / 100 if aligned else None,
            "against_share": against_percent / 100 if aligned else None,
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
    """The most characteristic phrases of the issues and proposals, per language (see
    ``summaries.themes``); read from the words stored with each contribution."""
    rows = db.session.execute(
        sa.select(
            Contribution.id, Contribution.kind, Contribution.title, Contribution.theme_tokens,
            sa.case((Contribution.theme_tokens == "", Contribution.body), else_="").label("body"),
        ).where(*_in_process(process))
    ).all()  # fmt: skip
    documents = [
        # Rows written before the words were stored are segmented here, once per summary.
        (row.id, row.kind, row.title, row.theme_tokens or phrase_tokens(f"{row.title}\n{row.body}"))
        for row in rows
    ]
    return characteristic_phrases(documents, limit=THEMES)


# --- What the council decided -----------------------------------------------------------------


def _open_proposals(process):
    """Proposals that count (not hidden, not withdrawn by their authors)."""
    return (
        *_in_process(process),
        Contribution.kind == Kind.PROPOSAL,
        Contribution.status != Status.WITHDRAWN,
    )


def _decided(process):
    """Proposals the council owes an answer (they qualified) or gave one; with the response
    outer-joined."""
    return (
        *_open_proposals(process),
        sa.or_(
            Contribution.support_count >= process.support_threshold,
            OfficialResponse.id.is_not(None),
        ),
    )


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
    from participation.delivery.models import DeliveryRecord

    return (
        sa.select(
            Contribution.id,
            Contribution.title,
            Contribution.support_count,
            Contribution.status,
            OfficialResponse.modified_dt.label("response_dt"),
            sa.func.coalesce(latest_progress, 0).label("progress"),
            # The budget line an accepted proposal is funded from (participation/delivery).
            DeliveryRecord.fiscal_year,
            DeliveryRecord.plan_code,
            DeliveryRecord.amount_baht,
            DeliveryRecord.status.label("delivery_status"),
        )
        .outerjoin(OfficialResponse, OfficialResponse.proposal_id == Contribution.id)
        .outerjoin(DeliveryRecord, DeliveryRecord.proposal_id == Contribution.id)
        .where(*_decided(process))
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
        .where(*_decided(process))
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


def opinion_maps(subject):
    """The opinion maps of the process or town hall as last computed (participation.opinions)."""
    from participation.opinions.operations import summary_data

    return summary_data(subject)


def opinions_version(subject):
    from participation.opinions.operations import summary_fingerprint

    return summary_fingerprint(subject)


def survey_results(subject):
    """The published survey results of the process or town hall (participation.surveys)."""
    from participation.surveys.operations import summary_data

    return summary_data(subject)


def surveys_version(subject):
    from participation.surveys.operations import summary_fingerprint

    return summary_fingerprint(subject)


def process_summary(process):
    return {
        "kind": "process",
        "participation": participation(process),
        "wants": what_residents_want(process),
        "themes": themes(process),
        "decisions": decisions(process),
        "opinions": opinion_maps(process),
        "surveys": survey_results(process),
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
        sa.select(
            sa.func.max(OfficialResponse.modified_dt),
            sa.func.max(ImplementationUpdate.id),
            # corrected or deleted progress updates change what the summary says too
            sa.func.max(ImplementationUpdate.corrected_dt),
            sa.func.count(ImplementationUpdate.id),
        )  # fmt: skip
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
        THEMES_VERSION, *contributions, comments, *answers, process.modified_dt, users,
        opinions_version(process), surveys_version(process),
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
        "opinions": opinion_maps(townhall),
        "surveys": survey_results(townhall),
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
    parts = [townhall.last_seq, townhall.modified_dt, townhall.state, opinions_version(townhall),
             surveys_version(townhall)]  # fmt: skip
    for query in queries:
        parts.extend(db.session.execute(query).one())
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()
