"""The action log's words for linking and unlinking LINE accounts (see audit.registry)."""

from flask_babel import lazy_gettext as _l

from participation.audit.registry import register_action

register_action(
    "line.link", _l("LINE accounts linked"), _l("%(actor)s linked their LINE account")
)  # fmt: skip
register_action(
    "line.unlink", _l("LINE accounts unlinked"), _l("%(actor)s unlinked their LINE account")
)  # fmt: skip
