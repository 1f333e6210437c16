"""Running budget operations the way a request does, and reading back a voter's ballot."""

from types import SimpleNamespace

import sqlalchemy as sa


def do(app, action, *args, **kwargs):
    """Run an operation on fresh objects in its own transaction; commit if it succeeds."""
    from participation.accounts.models import User
    from participation.budgets.models import Budget, Heading
    from participation.core.transactions import writing
    from participation.extensions import db

    with app.app_context(), writing():  # as a POST request would
        loaded = []
        for arg in args:
            if isinstance(arg, SimpleNamespace) and hasattr(arg, "heading_id"):
                arg = db.session.get(Heading, arg.heading_id)
            elif isinstance(arg, SimpleNamespace) and hasattr(arg, "budget_id"):
                arg = db.session.get(Budget, arg.budget_id)
            elif hasattr(arg, "email"):
                arg = db.session.get(User, arg.id)
            loaded.append(arg)
        try:
            result = action(*loaded, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def choices(app, budget, voter):
    from participation.budgets.models import Ballot, BallotChoice
    from participation.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.select(Ballot.channel, BallotChoice.project_id)
            .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
            .where(Ballot.heading_id == budget.heading_id, Ballot.voter_id == voter.id)
        ).all()
        db.session.remove()
    return {channel for channel, _ in rows}, {project for _, project in rows}
