"""The action log's words for opinion maps and their statements (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.extensions import db
from participation.opinions.models import Conversation, Statement
from participation.processes.models import Process
from participation.townhall.models import TownHall


def _conversation_rows(where):
    """(id, conversation id, question, whether its process or town hall is public)."""
    public = sa.func.coalesce(Process.is_published, TownHall.is_published, sa.false())
    return db.session.execute(
        sa.select(Conversation.id, Conversation.question, public.label("is_public"))
        .outerjoin(Process, Process.id == Conversation.process_id)
        .outerjoin(TownHall, TownHall.id == Conversation.townhall_id)
        .where(where)
    )


def _conversations(ids):
    found = {}
    for row in _conversation_rows(Conversation.id.in_(ids)):
        text = _("the opinion map %(title)s", title=quoted(row.question))
        url = url_for("opinions.show", conversation_id=row.id)
        public = (text, url) if row.is_public else (_("an opinion map in preparation"), None)
        found[row.id] = Target(text, url, *public)
    return found


def _statements(ids):
    owners = dict(
        db.session.execute(
            sa.select(Statement.id, Statement.conversation_id).where(Statement.id.in_(ids))
        ).all()
    )
    maps = _conversations(sorted(set(owners.values())))
    found = {}
    for statement_id, conversation_id in owners.items():
        where = maps.get(conversation_id)
        if where is None:
            continue
        found[statement_id] = Target(
            _("a statement in %(map)s", map=where.text), where.url,
            _("a statement in %(map)s", map=where.public_text), where.public_url,
        )  # fmt: skip
    return found


register_target("conversations", _conversations)
register_target("statements", _statements)
register_action(
    "opinions.open", _l("Opinion maps opened"), _l("%(actor)s opened %(target)s"),
    _l("%(target)s was opened"),
)  # fmt: skip
register_action(
    "opinions.close", _l("Opinion maps closed"), _l("%(actor)s closed %(target)s"),
    _l("%(target)s was closed"),
)  # fmt: skip
register_action(
    "opinions.reopen", _l("Opinion maps reopened"), _l("%(actor)s reopened %(target)s"),
    _l("%(target)s was reopened"),
)  # fmt: skip
