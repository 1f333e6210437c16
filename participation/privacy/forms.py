from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, SelectChoice

from participation.core.forms import RuleAwareForm


class ConsentForm(RuleAwareForm):
    consent = BooleanField(_l("I have read and accept the privacy notice"))


class DeleteAccountForm(RuleAwareForm):
    keep = RadioField(
        _l("What you wrote"),
        choices=[
            SelectChoice("keep", _l("Keep it, without my name, as “former participant”")),
            SelectChoice("erase", _l("Erase its text")),
        ],
        validate_choice=False,
    )
    password = PasswordField(_l("Your password, to confirm"))
