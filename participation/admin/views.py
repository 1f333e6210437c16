"""The administrators' pages: the list of users, and granting or removing roles."""

import json

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from participation.accounts import operations
from participation.accounts.models import User, UserRole
from participation.admin.forms import RoleForm
from participation.audit.models import ActionLog
from participation.audit.registry import ACTION_KINDS, describe, kind_choices
from participation.core.exports import csv_response
from participation.core.forms import is_safe_next, safe_redirect
from participation.core.paging import requested_page
from participation.core.permissions import GRANTABLE_ROLES, Permission, Role, permission_required
from participation.core.rules import RuleError
from participation.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/users")
@permission_required(Permission.MANAGE_USERS)
def users():
    query = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    page = requested_page()
    select = (
        sa.select(User)
        .where(User.is_guest.is_(False))  # town hall guests are not accounts
        .options(sa.orm.selectinload(User.role_rows))
        .order_by(User.created_dt.desc(), User.id.desc())
    )
    if query:
        pattern = f"%{query.lower()}%"
        select = select.where(
            sa.or_(User.email.like(pattern), sa.func.lower(User.display_name).like(pattern))
        )
    if role in {r.value for r in GRANTABLE_ROLES}:
        select = select.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    pagination = db.paginate(select, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "admin/users.html",
        pagination=pagination,
        query=query,
        role=role,
        roles=GRANTABLE_ROLES,
        form=RoleForm(),
    )


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@permission_required(Permission.MANAGE_USERS)
def change_role(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    action = form.action.data if form.validate_on_submit() else None
    if action not in ("grant", "revoke", "set") or (action != "set" and not form.role.data):
        flash(_("Please choose a role."), "error")
        return redirect(url_for("admin.users"))
    target = request.form.get("return_to")
    back = target if is_safe_next(target) else url_for("admin.users")
    wants_admin = (action == "grant" and form.role.data == Role.ADMIN) or (
        action == "set" and Role.ADMIN in (form.roles.data or [])
    )
    if wants_admin and request.form.get("confirm") != "yes" and not user.has_role(Role.ADMIN):
        # Administrators can do everything: the page asks once more before granting it.
        return render_template(
            "admin/confirm_admin.html",
            user=user,
            return_to=back,
            action=action,
            roles=form.roles.data or [],
        )
    try:
        if action == "set":  # the page's one control per user: every role at once
            changed = operations.set_roles(user, form.roles.data or [], actor=current_user)
        else:
            change = operations.grant_role if action == "grant" else operations.revoke_role
            changed = change(user, form.role.data, actor=current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        if changed:
            flash(_("Roles of %(name)s are updated.", name=user.display_name), "success")
    return safe_redirect(back, url_for("admin.users"))


LOG_PAGE = 100
LOG_COLUMNS = ("id", "created", "actor_id", "actor", "action", "target_type", "target_id",
               "reason", "private_reason", "details", "public", "description")  # fmt: skip


def _log_select():
    select = sa.select(ActionLog).options(sa.orm.joinedload(ActionLog.actor))
    action = request.args.get("action", "").strip()[:60]
    if action in ACTION_KINDS:
        select = select.where(ActionLog.action == action)
    elif action:  # a prefix such as "moderation." still works from old links and scripts
        select = select.where(ActionLog.action.startswith(action, autoescape=True))
    return select.order_by(ActionLog.created_dt.desc(), ActionLog.id.desc()), action


@bp.route("/log")
@permission_required(Permission.MANAGE_USERS)
def log():
    """The full action log: who did what, to what, when and why, in sentences."""
    select, action = _log_select()
    page = requested_page()
    pagination = db.paginate(select, page=page, per_page=LOG_PAGE, error_out=False)
    return render_template(
        "admin/log.html",
        pagination=pagination,
        entries=describe(pagination.items),
        action=action,
        kinds=kind_choices(),
    )


@bp.route("/log.csv")
@permission_required(Permission.MANAGE_USERS)
def log_csv():
    """The same log as CSV (UTF-8 with BOM, so spreadsheet programs read Thai), streamed."""
    select, _action = _log_select()

    def rows():  # runs while the response streams, so the query does too
        batch = []
        for entry in db.session.scalars(select.execution_options(yield_per=500)):
            batch.append(entry)
            if len(batch) == 500:
                yield from _csv_rows(batch)
                batch = []
        yield from _csv_rows(batch)

    return csv_response("ruamkid-action-log.csv", LOG_COLUMNS, rows())


def _csv_rows(entries):
    """Rows of a batch of entries, their sentences loaded in one query per kind of target."""
    for described in describe(entries):
        entry = described.entry
        yield [
            entry.id,
            entry.created_dt.isoformat(),
            entry.actor_id or "",
            entry.actor.display_name if entry.actor else "",
            entry.action,
            entry.target_type or "",
            entry.target_id or "",
            entry.reason,
            entry.private_reason,
            json.dumps(entry.details, ensure_ascii=False),
            "yes" if entry.is_public else "no",
            described.text,
        ]


@bp.route("/jobs")
@permission_required(Permission.MANAGE_USERS)
def jobs():
    """Background jobs that failed for good, newest first, and what is waiting."""
    from participation.jobs.models import Job, JobState

    page = requested_page()
    pagination = db.paginate(
        sa.select(Job).where(Job.state == JobState.FAILED).order_by(Job.id.desc()),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    counts = dict(
        db.session.execute(sa.select(Job.state, sa.func.count()).group_by(Job.state)).all()
    )
    return render_template(
        "admin/jobs.html", pagination=pagination, counts=counts, JobState=JobState
    )
