from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired

from participation.core.forms import RuleAwareForm
from participation.core.sanitize import FORMATTING_HINT


class TownHallForm(RuleAwareForm):
    slug = StringField(
        _l("Web address"),
        description=_l("Lower-case letters, digits and dashes, e.g. safe-routes-to-school"),
        validators=[InputRequired(message=_l("Please choose a web address."))],
    )
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    description_th = TextAreaField(_l("Description in Thai"), description=FORMATTING_HINT)
    description_en = TextAreaField(_l("Description in English"), description=FORMATTING_HINT)
    venue_th = StringField(_l("Venue in Thai"))
    venue_en = StringField(_l("Venue in English"))
    starts = StringField(
        _l("Starts"), description=_l("Bangkok time"),
        validators=[InputRequired(message=_l("Please give the start time."))],
    )  # fmt: skip
    ends = StringField(
        _l("Ends"), description=_l("Bangkok time"),
        validators=[InputRequired(message=_l("Please give the end time."))],
    )  # fmt: skip
    process_id = SelectField(_l("Process"), coerce=str, validate_choice=False)
    allow_visitors = BooleanField(_l("Visitors without an account may watch"), default=True)
    facilitators = SelectMultipleField(
        _l("Facilitators"),
        description=_l("People with the facilitator role who run this town hall with you."),
        coerce=str,
        validate_choice=False,
    )
