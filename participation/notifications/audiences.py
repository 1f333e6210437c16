"""Who hears of an event: named audiences, each a query of user ids.

``notify`` takes its recipients as ``(audience, id)`` pairs, so that a fan-out too large for the
request can be described to a job in JSON. A feature with people to tell registers an audience
with :func:`audience`; the ones every feature shares are below.
"""

import sqlalchemy as sa

_AUDIENCES = {}


def audience(name):
    """Register ``func(value) -> SELECT of user_id`` as the audience called ``name``."""

    def decorator(func):
        _AUDIENCES[name] = func
        return func

    return decorator


def query(recipients):
    """One SELECT of the distinct user ids of every ``(audience, value)`` in ``recipients``."""
    selects = [_AUDIENCES[name](value) for name, value in recipients]
    return sa.union(*selects)


@audience("people")
def people(user_ids):
    """Exactly these people."""
    from participation.accounts.models import User

    return sa.select(User.id.label("user_id")).where(User.id.in_(list(user_ids)))


@audience("contribution")
def contribution_audience(contribution_id):
    """The author, the followers and the supporters of a proposal or issue."""
    from participation.notifications.models import Follow
    from participation.proposals.models import Contribution
    from participation.votes.models import Support

    return sa.union(
        sa.select(Contribution.author_id.label("user_id")).where(
            Contribution.id == contribution_id
        ),
        sa.select(Follow.user_id).where(Follow.contribution_id == contribution_id),
        sa.select(Support.user_id).where(Support.proposal_id == contribution_id),
    )


@audience("contribution_followers")
def contribution_followers(contribution_id):
    """The author and the followers of a proposal or issue (not those who only support it)."""
    from participation.notifications.models import Follow
    from participation.proposals.models import Contribution

    return sa.union(
        sa.select(Contribution.author_id.label("user_id")).where(
            Contribution.id == contribution_id
        ),
        sa.select(Follow.user_id).where(Follow.contribution_id == contribution_id),
    )


@audience("process_followers")
def process_followers(process_id):
    from participation.notifications.models import Follow

    return sa.select(Follow.user_id).where(Follow.process_id == process_id)


@audience("summary_participants")
def summary_participants(summary_id):
    """Everyone who took part in what a summary sums up."""
    from participation.extensions import db
    from participation.summaries import compute
    from participation.summaries.models import Summary

    summary = db.session.get(Summary, summary_id)
    if summary.kind == "townhall":
        return compute.townhall_participants(summary.townhall)
    return compute.participants_query(summary.process)
