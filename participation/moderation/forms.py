from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired

from participation.core.forms import RuleAwareForm
from participation.moderation.models import DETAILS_MAX, ReportReason

# Suspension lengths offered to moderators, in days; 0 = until a moderator lifts it.
SUSPENSION_DAYS = (1, 7, 30, 0)


class ReportForm(RuleAwareForm):
    reason = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(reason.value, reason.title) for reason in ReportReason],
        validators=[InputRequired(message=_l("Please choose a reason."))],
        validate_choice=False,  # the operation refuses unknown reasons with a clear message
    )
    details = TextAreaField(
        _l("Tell the moderators more (optional; needed for “something else”)"),
        render_kw={"maxlength": DETAILS_MAX, "rows": 4},
    )


class HideForm(RuleAwareForm):
    reason = TextAreaField(_l("Reason residents will see"), render_kw={"maxlength": 300, "rows": 2})


class SuspendForm(RuleAwareForm):
    days = SelectField(
        _l("For how long"),
        choices=[
            SelectChoice("1", _l("1 day")),
            SelectChoice("7", _l("7 days")),
            SelectChoice("30", _l("30 days")),
            SelectChoice("0", _l("Until a moderator lifts it")),
        ],
        validators=[InputRequired(message=_l("Please choose how long."))],
        validate_choice=False,
    )
    reason = TextAreaField(
        _l("Reason the person will see (not published)"),
        description=_l("Shown only to the person and to the staff."),
        render_kw={"maxlength": 300, "rows": 3},
    )
    public_reason = TextAreaField(
        _l("Public reason on the transparency page (optional)"),
        description=_l("Published for everyone to read. Name no one and give no personal data."),
        render_kw={"maxlength": 300, "rows": 2},
    )
