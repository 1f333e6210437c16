from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, Optional

from participation.core.forms import RuleAwareForm
from participation.core.permissions import GRANTABLE_ROLES


class RoleForm(RuleAwareForm):
    """One role granted or revoked (``action``), or the whole set at once (``action=set``)."""

    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, role.title) for role in GRANTABLE_ROLES],
        validators=[Optional()],
        validate_choice=False,  # the operation refuses unknown roles with a clear message
    )
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(role.value, role.title) for role in GRANTABLE_ROLES],
        validate_choice=False,
    )
    action = HiddenField(validators=[InputRequired()])
