"""Every model, imported in one place so Alembic and the app see the whole schema."""

from participation.accounts.models import PasswordResetToken, User, UserRole, UserSession
from participation.audit.models import ActionLog
from participation.municipality.models import Area, Municipality

__all__ = [
    "ActionLog",
    "Area",
    "Municipality",
    "PasswordResetToken",
    "User",
    "UserRole",
    "UserSession",
]
