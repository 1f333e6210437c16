from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from participation.core.forms import RuleAwareForm
from participation.core.permissions import GRANTABLE_ROLES


class RoleForm(RuleAwareForm):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, role.title) for role in GRANTABLE_ROLES],
        validators=[InputRequired(message=_l("Please choose a role."))],
        validate_choice=False,  # the operation refuses unknown roles with a clear message
    )
    action = HiddenField(validators=[InputRequired()])
