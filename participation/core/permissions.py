"""Roles, permissions and the one helper that views and socket handlers ask.

Every signed-in user is a resident. Other roles are held as a set per user. A view asks
``can(user, Permission.X)`` (or ``can(user, Permission.X, obj)`` when the answer depends on the
object, e.g. a facilitator of *this* process) and never compares role names itself.
"""

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user


class Role(StrEnum):
    RESIDENT = "resident"
    FACILITATOR = "facilitator"
    COUNCIL = "council"
    ADMIN = "admin"
    REGISTRAR = "registrar"

    @property
    def title(self):
        return ROLE_TITLES[self]


ROLE_TITLES = {
    Role.RESIDENT: _l("Resident"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.COUNCIL: _l("Council member"),
    Role.ADMIN: _l("Administrator"),
    Role.REGISTRAR: _l("Registrar"),
}

# Roles that are granted; "resident" is what every account is and is never stored.
GRANTABLE_ROLES = (Role.FACILITATOR, Role.COUNCIL, Role.REGISTRAR, Role.ADMIN)


class Permission(StrEnum):
    PARTICIPATE = "participate"
    MANAGE_PROCESSES = "manage_processes"
    FACILITATE = "facilitate"
    RESPOND_AS_COUNCIL = "respond_as_council"
    MODERATE = "moderate"
    MANAGE_USERS = "manage_users"
    # Marking residents verified at the office or a forum desk (participation.verification).
    VERIFY_RESIDENTS = "verify_residents"


ROLE_PERMISSIONS = {
    Role.RESIDENT: {Permission.PARTICIPATE},
    Role.FACILITATOR: {
        Permission.PARTICIPATE,
        Permission.MANAGE_PROCESSES,
        Permission.FACILITATE,
        Permission.MODERATE,
    },
    Role.COUNCIL: {Permission.PARTICIPATE, Permission.RESPOND_AS_COUNCIL},
    Role.REGISTRAR: {Permission.PARTICIPATE, Permission.VERIFY_RESIDENTS},
    Role.ADMIN: set(Permission),
}


def permissions_of(roles):
    """Return every permission the given set of roles grants."""
    granted = set(ROLE_PERMISSIONS[Role.RESIDENT])
    for role in roles:
        granted |= ROLE_PERMISSIONS[Role(role)]
    return granted


def can(user, permission, obj=None):
    """Return True when ``user`` may do ``permission`` (on ``obj``, when given).

    Objects with their own rules implement ``allows(user, permission)``; that answer is final.
    Anonymous visitors, blocked and suspended accounts may do nothing that needs a permission.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_suspended", False):
        return False
    if obj is not None and hasattr(obj, "allows"):
        return bool(obj.allows(user, permission))
    return Permission(permission) in permissions_of(user.roles)


def permission_required(permission):
    """Guard a view: anonymous visitors go to sign in, others without the permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from participation.extensions import login_manager

                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
