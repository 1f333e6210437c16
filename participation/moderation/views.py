"""Reporting, the moderation queue, suspensions, and the public transparency page."""

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.accounts.models import User
from participation.audit.models import ActionLog
from participation.audit.registry import describe, kind_choices
from participation.core.errors import wants_json
from participation.core.forms import safe_redirect
from participation.core.models import utcnow
from participation.core.paging import requested_page
from participation.core.permissions import Permission, permission_required
from participation.core.rules import RuleError, suspension_message
from participation.core.transactions import SAFE_METHODS
from participation.extensions import db, write_limit
from participation.moderation import operations
from participation.moderation.forms import HideForm, ReportForm, SuspendForm
from participation.moderation.models import TargetType
from participation.opinions.models import Statement
from participation.opinions.recompute import request_recompute

bp = Blueprint("moderation", __name__)

# What a suspended person may still do: sign out, change language, manage their own account.
ALLOWED_WHILE_SUSPENDED = {
    "accounts.logout", "home.set_language", "accounts.profile", "accounts.change_password",
    "privacy.consent", "privacy.delete",  # their rights under the PDPA stay whole
}  # fmt: skip
TRANSPARENCY_PAGE = 50


@bp.before_app_request
def refuse_writes_while_suspended():
    """A suspended person reads everything and writes nothing, whatever the form or script."""
    if request.method in SAFE_METHODS or request.blueprint == "api":
        return None  # the API refuses suspended writers itself, as problem+json
    if not current_user.is_authenticated:
        return None
    if not current_user.is_suspended or request.endpoint in ALLOWED_WHILE_SUSPENDED:
        return None
    message = suspension_message(current_user)
    if wants_json():
        return jsonify({"ok": False, "error": "suspended", "message": message}), 403
    return render_template("moderation/suspended.html"), 403


def _target_or_404(target_type, target_id):
    return operations.find_target(target_type, target_id) or abort(404)


def _back(default):
    target = request.values.get("next")
    return safe_redirect(target, default)


def _broadcast(target, events):
    """After the commit: live town-hall events, and a new opinion map without (or with) a
    statement whose visibility may have changed."""
    if isinstance(target, Statement):
        request_recompute(target.conversation_id)
    if events:
        from participation.townhall.events import broadcast

        broadcast(target.townhall_id, events)


@bp.route("/report/<any(contribution, comment, question, message, statement, photo, user):"
          "target_type>/"
          "<int:target_id>", methods=["GET", "POST"])  # fmt: skip
@login_required
@write_limit("report", methods=["POST"])
def report(target_type, target_id):
    target = operations.reportable_target(target_type, target_id, current_user) or abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            _entry, events = operations.report(
                current_user, target, form.reason.data, form.details.data
            )
        except RuleError as error:
            db.session.rollback()
            if wants_json():
                return jsonify({"ok": False, "message": str(error.message)}), 422
            form.add_rule_error(error)
        else:
            db.session.commit()
            _broadcast(target, events)
            message = _("Thank you. A moderator will look at your report.")
            if wants_json():
                return jsonify({"ok": True, "message": message})
            flash(message, "success")
            return _back(url_for("home.index"))
    elif request.method == "POST" and wants_json():
        return jsonify({"ok": False, "message": _("Please choose a reason.")}), 422
    return render_template(
        "moderation/report.html", form=form, target=target, target_type=target_type,
        next=request.values.get("next", ""),
    ), (422 if form.errors or form.form_errors else 200)  # fmt: skip


@bp.route("/moderation")
@permission_required(Permission.MODERATE)
def queue():
    state = request.args.get("state", "open")
    state = state if state in operations.QUEUE_STATES else "open"
    target_type = request.args.get("type", "")
    target_type = target_type if target_type in {k.value for k in TargetType} else ""
    order = request.args.get("order", "newest")
    order = order if order in operations.QUEUE_ORDERS else "newest"
    page = requested_page()
    entries = operations.queue(current_user, state, target_type or None, page=page, order=order)
    return render_template(
        "moderation/queue.html", entries=entries, state=state, target_type=target_type,
        order=order, hide_form=HideForm(), can_moderate=operations.can_moderate,
        can_suspend=operations.can_suspend, author_of=operations.author_of,
    )  # fmt: skip


@bp.route("/moderation/<any(contribution, comment, question, message, statement, photo, "
          "survey_answer):"
          "target_type>/"
          "<int:target_id>/<any(hide, restore, dismiss):action>", methods=["POST"])  # fmt: skip
@permission_required(Permission.MODERATE)
def act(target_type, target_id, action):
    target = _target_or_404(target_type, target_id)
    if not operations.can_moderate(current_user, target):
        abort(403)
    form = HideForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _back(url_for(".queue"))
    try:
        if action == "hide":
            events = operations.hide(current_user, target, form.reason.data)
        elif action == "restore":
            events = operations.restore(current_user, target, form.reason.data)
        else:
            events = operations.dismiss(current_user, target)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(url_for(".queue"))
    db.session.commit()
    _broadcast(target, events)
    flash(
        {"hide": _("Hidden. Residents see the reason you gave."),
         "restore": _("Shown again."), "dismiss": _("Reports dismissed.")}[action],
        "success",
    )  # fmt: skip
    return _back(url_for(".queue"))


@bp.route("/moderation/users/<int:user_id>/suspend", methods=["GET", "POST"])
@permission_required(Permission.MODERATE)
def suspend(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if not operations.can_suspend(current_user, user):
        abort(403)
    form = SuspendForm()
    if form.validate_on_submit():
        days = form.days.data
        until = None
        try:
            if days != "0":
                number = int(days)
                if number not in (1, 7, 30):
                    raise ValueError
                until = utcnow() + timedelta(days=number)
            operations.suspend(current_user, user, until, form.reason.data, form.public_reason.data)
        except ValueError:
            form.days.errors = [_("Please choose how long.")]
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            from participation.townhall.events import disconnect_user

            disconnect_user(user.id)
            flash(_("%(name)s is suspended.", name=user.display_name), "success")
            return _back(url_for(".queue"))
    return render_template(
        "moderation/suspend.html", form=form, user=user, next=request.values.get("next", "")
    ), (422 if form.errors or form.form_errors else 200)


@bp.route("/moderation/users/<int:user_id>/unsuspend", methods=["POST"])
@permission_required(Permission.MODERATE)
def unsuspend(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if not operations.can_suspend(current_user, user):
        abort(403)
    if not HideForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _back(url_for(".queue"))
    try:
        operations.unsuspend(current_user, user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The suspension of %(name)s is lifted.", name=user.display_name), "success")
    return _back(url_for(".queue"))


@bp.route("/transparency")
def transparency():
    """Moderation actions and council decisions, for everyone, in sentences; nobody named."""
    page = requested_page()
    action = request.args.get("action", "")
    select = sa.select(ActionLog).where(ActionLog.is_public.is_(True))
    kinds = kind_choices(public=True)
    if action in {name for name, _label in kinds}:
        select = select.where(ActionLog.action == action)
    else:
        action = ""
    select = select.order_by(ActionLog.created_dt.desc(), ActionLog.id.desc())
    pagination = db.paginate(select, page=page, per_page=TRANSPARENCY_PAGE, error_out=False)
    from participation.verification.operations import verified_counts

    return render_template(
        "moderation/transparency.html",
        verified_counts=verified_counts(),
        pagination=pagination,
        entries=describe(pagination.items, public=True),
        action=action,
        kinds=kinds,
    )
