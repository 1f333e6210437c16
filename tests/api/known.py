"""Real path parameters for the live schemathesis run (see schemathesis_hooks.py)."""

import sqlalchemy as sa

from participation.comments.models import Comment
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.models import Contribution
from participation.summaries.models import Summary
from participation.townhall.models import Poll, Question, TownHall


def known_parameters(document):
    """For each path template of the document, a list of real parameter sets."""
    processes = db.session.scalars(sa.select(Process)).all()
    townhalls = db.session.scalars(sa.select(TownHall)).all()
    items = db.session.execute(
        sa.select(Process.slug, Contribution.kind, Contribution.id).join(Process)
    ).all()
    comments = db.session.scalars(sa.select(Comment.id)).all()
    questions = db.session.execute(sa.select(TownHall.slug, Question.id).join(TownHall)).all()
    polls = db.session.execute(sa.select(TownHall.slug, Poll.id).join(TownHall)).all()
    summaries = db.session.scalars(sa.select(Summary)).all()
    known = {}
    for path in document["paths"]:
        rows = []
        if path.startswith("/processes/{slug}/issues/{item_id}"):
            rows = [{"slug": s, "item_id": i} for s, kind, i in items if kind == "issue"]
        elif path.startswith("/processes/{slug}/proposals/{item_id}"):
            rows = [{"slug": s, "item_id": i} for s, kind, i in items if kind == "proposal"]
        elif path.startswith("/processes/{slug}"):
            rows = [{"slug": p.slug} for p in processes]
        elif path.startswith("/townhalls/{slug}/questions/{question_id}"):
            rows = [{"slug": s, "question_id": i} for s, i in questions]
        elif path.startswith("/townhalls/{slug}/polls/{poll_id}"):
            rows = [{"slug": s, "poll_id": i} for s, i in polls]
        elif path.startswith("/townhalls/{slug}"):
            rows = [{"slug": t.slug} for t in townhalls]
        elif path == "/summaries/processes/{slug}":
            rows = [{"slug": s.process.slug} for s in summaries if s.process]
        elif path == "/summaries/townhalls/{slug}":
            rows = [{"slug": s.townhall.slug} for s in summaries if s.townhall]
        elif path.startswith("/comments/{comment_id}"):
            rows = [{"comment_id": i} for i in comments]
        if rows:
            known[path] = rows
    return known
