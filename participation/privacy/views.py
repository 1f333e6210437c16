"""Consent to the privacy notice, download my data, delete my account."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from participation.core.errors import wants_json
from participation.core.forms import safe_redirect
from participation.core.rules import RuleError
from participation.extensions import db, limiter
from participation.privacy import operations
from participation.privacy.forms import ConsentForm, DeleteAccountForm

bp = Blueprint("privacy", __name__, url_prefix="/account")

# Pages a person who has not yet accepted a changed notice can still use.
ALLOWED_BEFORE_CONSENT = {
    "privacy.consent", "home.privacy", "accounts.logout", "home.set_language", "static",
    "privacy.delete", "privacy.data",
    "home.healthz", "home.favicon",  # machines' requests: they need no signed-in person
}  # fmt: skip


@bp.before_app_request
def ask_again_after_the_notice_changed():
    if request.endpoint in ALLOWED_BEFORE_CONSENT or not current_user.is_authenticated:
        return None
    if not operations.needs_consent(current_user, current_app.config["PRIVACY_NOTICE_VERSION"]):
        return None
    if wants_json():
        message = _("Please accept the new privacy notice first.")
        return jsonify({"ok": False, "error": "consent", "message": message}), 403
    return redirect(url_for("privacy.consent", next=request.full_path.rstrip("?")))


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent():
    form = ConsentForm()
    version = current_app.config["PRIVACY_NOTICE_VERSION"]
    if form.validate_on_submit():
        if not form.consent.data:
            form.consent.errors = [_("Please read and accept the privacy notice to go on.")]
        else:
            operations.accept_notice(current_user, version)
            db.session.commit()
            target = request.args.get("next")
            return safe_redirect(target, url_for("home.index"))
    return render_template("privacy/consent.html", form=form, version=version), (
        422 if form.errors else 200
    )


@bp.route("/privacy")
@login_required
def overview():
    return render_template("privacy/overview.html")


@bp.route("/data.zip")
@login_required
@limiter.limit("10 per hour")
def data():
    """Everything about the signed-in person, for them only (never cached on the way)."""
    archive = operations.data_archive(current_user)
    return Response(
        archive, mimetype="application/zip",
        headers={"Content-Disposition": "attachment; filename=ruamkid-my-data.zip",
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if form.keep.data not in ("keep", "erase"):
            form.keep.errors = [_("Please choose what happens to what you wrote.")]
        else:
            user_id = current_user.id
            try:
                operations.delete_account(
                    current_user._get_current_object(), form.password.data,
                    keep_contributions=form.keep.data == "keep",
                )  # fmt: skip
            except RuleError as error:
                db.session.rollback()
                form.add_rule_error(error)
            else:
                db.session.commit()
                from participation.townhall.events import disconnect_user

                disconnect_user(user_id)
                logout_user()
                session.clear()
                flash(_("Your account and your personal data are deleted. Thank you for "
                        "taking part."), "success")  # fmt: skip
                return redirect(url_for("home.index"))
    return render_template("privacy/delete.html", form=form), (
        422 if form.errors or form.form_errors else 200
    )
