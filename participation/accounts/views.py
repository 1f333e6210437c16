"""Account pages: register, sign in and out, profile, passwords."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from participation.accounts import operations, throttle
from participation.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)
from participation.core.forms import public_url_for, redirect_next
from participation.core.i18n import current_language
from participation.core.rules import RuleError
from participation.extensions import configured_limit, db, limiter
from participation.jobs import enqueue

bp = Blueprint("accounts", __name__)


_limit = configured_limit


def _sign_in(user, remember):
    """Start a fresh session: nothing from the anonymous session carries over."""
    session.clear()
    operations.start_session(user, remember, request.user_agent.string)
    db.session.commit()
    login_user(
        user, remember=remember, duration=timedelta(days=current_app.config["REMEMBER_DAYS"])
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_language.data = current_language()
        form.next.data = request.args.get("next", "")
    if form.is_submitted() and not form.validate():
        # The form's own checks failed; add the rules' problems on the other fields, so every
        # problem shows at once.
        checks, *_cleaned = operations.registration_problems(
            form.email.data, form.display_name.data, form.password.data,
            form.preferred_language.data, form.consent.data,
        )  # fmt: skip
        form.add_rule_error(RuleError("", problems=checks.problems), keep_existing=True)
    elif form.is_submitted():
        try:
            user = operations.register_user(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                preferred_language=form.preferred_language.data,
                consent=form.consent.data,
            )
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            _sign_in(user, remember=False)
            flash(_("Welcome to Ruamkid, %(name)s!", name=user.display_name), "success")
            return redirect_next()
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
# One counter with POST /api/v1/tokens, which also checks passwords.
@limiter.shared_limit(_limit("RATELIMIT_LOGIN"), scope="sign-in", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_next()
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # Checked before the password, so that a right one says nothing while it waits.
        wait = throttle.seconds_to_wait(form.email.data)
        if wait:
            form.form_errors.append(throttle.wait_message(wait))
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
        user = operations.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            throttle.record_wrong_password(form.email.data)
            # The same words whether the address is unknown or the password wrong.
            form.form_errors.append(_("The e-mail or password is not correct."))
        else:
            _sign_in(user, remember=form.remember.data)
            throttle.forget(form.email.data)  # after the commit: no network inside it
            flash(_("You are signed in."), "success")
            return redirect_next()
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        operations.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("home.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            operations.update_profile(
                current_user, form.display_name.data, form.preferred_language.data,
                form.show_supports.data,
            )  # fmt: skip
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return _profile_page(form), 422 if form.errors else 200


def _profile_page(form=None, token_form=None, new_token=None):
    from participation.verification.operations import current_verification

    return render_template(
        "accounts/profile.html", form=form or ProfileForm(obj=current_user),
        token_form=token_form or TokenForm(), new_token=new_token,
        tokens=operations.access_tokens_of(current_user),
        verification=current_verification(current_user),
    )  # fmt: skip


@bp.route("/profile/tokens", methods=["POST"])
@login_required
@limiter.limit(_limit("RATELIMIT_POST"))
def create_token():
    """Create a personal access token; its value is shown on this answer only, never again."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _row, token = operations.create_access_token(
                current_user, form.name.data, write=form.write.data
            )
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            response = make_response(_profile_page(token_form=TokenForm(formdata=None),
                                                   new_token=token))  # fmt: skip
            response.headers["Cache-Control"] = "no-store"
            return response
    return _profile_page(token_form=form), 422


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    row = operations.find_access_token(current_user, token_id) or abort(404)
    operations.revoke_access_token(row, current_user)
    db.session.commit()
    flash(_("The token “%(name)s” is revoked. Scripts using it can no longer sign in.",
            name=row.name), "success")  # fmt: skip
    return redirect(url_for("accounts.profile", _anchor="tokens"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current_password.data, form.password.data)
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Whether or not the address has an account, the same job is sent off and the same
        # words are said: the answer does not tell (nor does its time).
        token = operations.new_reset_token()
        url = public_url_for("accounts.reset_password", token=token)
        enqueue("accounts.send_password_reset", email=form.email.data, token=token, url=url)
        db.session.commit()
        flash(
            _(
                "If an account uses that address, we have sent it a link to choose a new "
                "password. Please check your e-mail."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def reset_password(token):
    if operations.find_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            email = operations.reset_password(token, form.password.data).email
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            # A resident whose account is being guessed can sign in at once with the new one.
            throttle.forget(email)
            logout_user()
            session.clear()
            flash(_("Your new password is set. Please sign in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), (422 if form.errors else 200)
