"""Recording actions in the log."""

from participation.audit.models import ActionLog
from participation.extensions import db


def record_action(actor, action, target=None, reason="", details=None, public=False,
                  private_reason=""):  # fmt: skip
    """Add an action to the log (flushed with the caller's transaction, never committed here).

    ``reason`` is published with a public action; ``private_reason`` never is.
    """
    entry = ActionLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        reason=reason or "",
        private_reason=private_reason or "",
        details=details or {},
        is_public=public,
    )
    db.session.add(entry)
    return entry
