"""Account forms. Rules beyond the shape of the input live in accounts.operations."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from participation.accounts.models import DISPLAY_NAME_MAX, EMAIL_MAX
from participation.accounts.passwords import MAX_LENGTH
from participation.core.forms import HumanForm, RuleAwareForm


def language_choices():
    return [SelectChoice("th", "ไทย"), SelectChoice("en", "English")]


def _required(message):
    return DataRequired(message=message)


def _at_most(count):
    return Length(max=count, message=_l("Use at most %(max)d characters."))


class RegisterForm(HumanForm):
    display_name = StringField(
        _l("Your name as others will see it"),
        validators=[_required(_l("Please enter the name others will see.")),
                    _at_most(DISPLAY_NAME_MAX)],
    )  # fmt: skip
    email = EmailField(
        _l("E-mail"),
        validators=[_required(_l("Please enter your e-mail address.")), _at_most(EMAIL_MAX)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l(
            "At least 10 characters. A few words only you would put together work well."
        ),
        validators=[_required(_l("Please choose a password.")), _at_most(MAX_LENGTH)],
    )
    preferred_language = RadioField(
        _l("Language for pages and e-mails"), choices=language_choices(), default="th",
        validate_choice=False,
        validators=[InputRequired(message=_l("Please choose Thai or English."))],
    )  # fmt: skip
    consent = BooleanField(_l("I have read and accept the privacy notice"))
    next = HiddenField()


class LoginForm(RuleAwareForm):
    email = EmailField(
        _l("E-mail"), validators=[_required(_l("Please enter your e-mail address."))]
    )
    password = PasswordField(
        _l("Password"), validators=[_required(_l("Please enter your password."))]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ForgotPasswordForm(RuleAwareForm):
    email = EmailField(
        _l("E-mail"), validators=[_required(_l("Please enter your e-mail address."))]
    )


class ResetPasswordForm(RuleAwareForm):
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 10 characters. A few words only you would put together work well."
        ),
        validators=[_required(_l("Please choose a password.")), _at_most(MAX_LENGTH)],
    )


class ChangePasswordForm(RuleAwareForm):
    current_password = PasswordField(
        _l("Current password"), validators=[_required(_l("Please enter your current password."))]
    )
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 10 characters. A few words only you would put together work well."
        ),
        validators=[_required(_l("Please choose a password.")), _at_most(MAX_LENGTH)],
    )


class ProfileForm(RuleAwareForm):
    display_name = StringField(
        _l("Your name as others will see it"),
        validators=[_required(_l("Please enter the name others will see.")),
                    _at_most(DISPLAY_NAME_MAX)],
    )  # fmt: skip
    preferred_language = RadioField(
        _l("Language for pages and e-mails"), choices=language_choices(), validate_choice=False,
        validators=[InputRequired(message=_l("Please choose Thai or English."))],
    )  # fmt: skip
    show_supports = BooleanField(
        _l("Show my name on the proposals I support"),
        description=_l("Off unless you turn it on: what you support can reveal your opinions."),
    )


class TokenForm(RuleAwareForm):
    name = StringField(
        _l("What the token is for"),
        description=_l("For example, the name of the script or app that will use it."),
        validators=[_required(_l("Please name the token, e.g. after the script that uses it.")),
                    _at_most(80)],
    )  # fmt: skip
    write = BooleanField(
        _l("It may also take part for me (post, comment, support)"),
        description=_l("Leave this off for a token that only reads."),
    )
