"""The action log's words for people, roles and API tokens (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.accounts.models import AccessToken, User
from participation.audit.registry import Target, quoted, register_action, register_target
from participation.core.permissions import Role
from participation.extensions import db


def _users(ids):
    """People by name on the staff log; on the public page nobody is named."""
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return {
        row.id: Target(row.display_name, url_for("admin.users", q=row.display_name),
                       _("a participant"))
        for row in rows
    }  # fmt: skip


def _tokens(ids):
    rows = db.session.execute(
        sa.select(AccessToken.id, AccessToken.name, User.display_name)
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.id.in_(ids))
    )
    return {
        row.id: Target(
            _("the API token %(name)s of %(person)s", name=quoted(row.name),
              person=row.display_name),
            None, _("an API token"),
        )
        for row in rows
    }  # fmt: skip


def _role_params(entry, _people):
    role = (entry.details or {}).get("role")
    return {"role": Role(role).title if role in set(Role) else role or ""}


register_target("users", _users)
register_target("access_tokens", _tokens)
register_action(
    "role.grant", _l("Roles given"), _l("%(actor)s gave %(target)s the role %(role)s"),
    params=_role_params,
)  # fmt: skip
register_action(
    "role.revoke", _l("Roles removed"), _l("%(actor)s took the role %(role)s from %(target)s"),
    params=_role_params,
)  # fmt: skip
register_action("token.create", _l("API tokens created"), _l("%(actor)s created %(target)s"))
register_action("token.revoke", _l("API tokens revoked"), _l("%(actor)s revoked %(target)s"))
