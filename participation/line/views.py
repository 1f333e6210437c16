"""LINE pages: linking from the profile, signing in with LINE, unlinking, and LINE's webhook.

Without the LINE settings (``line_configured``) these pages answer 404 and nothing links to
them; unlinking still works, so a resident can always remove a link.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user

from participation.accounts import operations as accounts
from participation.core.forms import is_safe_next, public_url_for
from participation.core.rules import RuleError
from participation.core.transactions import writing
from participation.extensions import configured_limit, csrf, db, limiter
from participation.line import client, operations
from participation.line import sender as _sender  # noqa: F401 - registers the LINE channel
from participation.notifications.settings import line_configured

bp = Blueprint("line", __name__, url_prefix="/line")


def _configured():
    if not line_configured():
        abort(404)


def _callback_url():
    # LINE compares it with the callback URL registered in the LINE Login channel.
    return public_url_for("line.callback")


@bp.app_context_processor
def _line_in_templates():
    return {
        "line_enabled": line_configured(),
        "line_account": lambda: (
            operations.account_of(current_user) if current_user.is_authenticated else None
        ),
        "line_quota_notice": operations.quota_notice,
    }


@bp.route("/link", methods=["POST"])
@login_required
@limiter.limit(configured_limit("RATELIMIT_POST"))
def link():
    """Leave for LINE Login to link the signed-in resident's LINE account."""
    _configured()
    return redirect(operations.start_login("link", _callback_url(), user=current_user))


# Not counted against the sign-in limit: it only leaves for LINE; the callback, which checks
# LINE's answer, is counted (one LINE sign-in, one count, as one password sign-in).
@bp.route("/login", methods=["POST"])
def login():
    """Leave for LINE Login to sign in to an account linked before."""
    _configured()
    next_url = request.form.get("next", "")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("home.index"))
    url = operations.start_login("login", _callback_url(),
                                 next_url=next_url if is_safe_next(next_url) else "")  # fmt: skip
    return redirect(url)


@bp.route("/callback")
@limiter.shared_limit(configured_limit("RATELIMIT_LOGIN"), scope="sign-in")
def callback():
    """LINE sends the resident back here with ``code`` and ``state``."""
    _configured()
    try:
        attempt, claims = operations.finish_login(request.args, _callback_url())
    except operations.LoginRefusedError as refused:
        db.session.rollback()
        return render_template("line/refused.html", message=refused.message), 400
    if attempt["purpose"] == "link":
        if not current_user.is_authenticated or current_user.id != attempt.get("user_id"):
            # Started by another session or person: never link someone else's account.
            return render_template("line/refused.html", message=operations.MISMATCH), 400
        # A friend already? LINE gives the Official Account a profile only of its friends.
        following = client.is_friend(claims["sub"])
    # This GET writes: end the read begun by loading the signed-in person, and write in a
    # transaction that takes SQLite's write lock at once (after the calls to LINE, not during).
    db.session.rollback()
    with writing():
        if attempt["purpose"] == "link":
            return _finish_link(claims, following)
        return _finish_sign_in(attempt, claims)


def _finish_link(claims, following):
    try:
        operations.link(current_user, claims["sub"], claims.get("name"), following)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Your LINE account is linked. Notifications you choose for LINE will come "
                "from the municipality's LINE Official Account."), "success")  # fmt: skip
    return redirect(url_for("accounts.profile", _anchor="line"))


def _finish_sign_in(attempt, claims):
    account = operations.account_for_line_user(claims["sub"])
    if account is None:
        flash(_("This LINE account is not linked to a Ruamkid account. Sign in with your e-mail "
                "and password, then link LINE from your profile; or create an account."),
              "info")  # fmt: skip
        return redirect(url_for("accounts.login"))
    user = account.user
    session.clear()
    accounts.start_session(user, False, request.user_agent.string)
    db.session.commit()
    login_user(user)  # not remembered: as a password sign-in without "remember me"
    flash(_("You are signed in with LINE."), "success")
    next_url = attempt.get("next") or ""
    return redirect(next_url if is_safe_next(next_url) else url_for("home.index"))


@bp.route("/unlink", methods=["POST"])
@login_required
def unlink():
    if operations.unlink(current_user):
        db.session.commit()
        flash(_("Your LINE account is unlinked. Nothing more will be sent to it."), "success")
    return redirect(url_for("accounts.profile", _anchor="line"))


@bp.route("/webhook", methods=["POST"])
# No CSRF token: LINE's servers call it, not a browser with our form. What proves the request
# is LINE's is X-Line-Signature, an HMAC of the exact body with the channel secret; a
# browser tricked into posting here cannot make one, so it is refused like any other forgery.
@csrf.exempt
@limiter.limit(configured_limit("RATELIMIT_LINE_WEBHOOK"), key_func=get_remote_address)
def webhook():
    """Follow and unfollow events of the Official Account (docs/notifications.md)."""
    _configured()
    try:
        operations.handle_webhook(
            request.get_data(cache=True), request.headers.get("X-Line-Signature", "")
        )
    except operations.WebhookRefusedError as refused:
        db.session.rollback()
        current_app.logger.warning("LINE webhook refused: %s", refused)
        return {"error": "refused"}, 400
    db.session.commit()
    return {}, 200
