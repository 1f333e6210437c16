"""The action log's words for comments (see audit.registry)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.registry import Target, quoted, register_target
from participation.comments.models import Comment
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.action_log import (
    contribution_url,
    localized_title,
    unseen_contribution_words,
)
from participation.proposals.models import Contribution, Kind


def _comment_words(kind, title):
    if kind == Kind.ISSUE:
        return _("a comment on the issue %(title)s", title=quoted(title))
    return _("a comment on the proposal %(title)s", title=quoted(title))


def _comments(ids):
    rows = db.session.execute(
        sa.select(
            Comment.id, Contribution.id.label("contribution_id"), Contribution.kind,
            Contribution.title, Contribution.is_hidden, Process.slug, Process.title_th,
            Process.title_en, Process.is_published,
        )
        .join(Contribution, Contribution.id == Comment.contribution_id)
        .join(Process, Process.id == Contribution.process_id)
        .where(Comment.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        url = contribution_url(row.kind, row.slug, row.contribution_id, f"comment-{row.id}")
        text = _comment_words(row.kind, row.title)
        if row.is_published and not row.is_hidden:
            # The public page says where the comment was, never what it said.
            public = text, contribution_url(row.kind, row.slug, row.contribution_id)
        else:
            where = unseen_contribution_words(row.kind, localized_title(row), row.is_published)
            public = _("a comment on %(item)s", item=where), None
        found[row.id] = Target(text, url, *public)
    return found


register_target("comments", _comments)
