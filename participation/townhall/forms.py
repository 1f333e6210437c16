from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from participation.core.dates import EraDateTimeField
from participation.core.forms import RuleAwareForm
from participation.core.sanitize import FORMATTING_HINT
from participation.townhall.models import GUEST_NAME_MAX

# A town hall is planned weeks ahead: a date further than this asks "do you mean it?".
TOWNHALL_WITHIN_YEARS = 2


class TownHallForm(RuleAwareForm):
    slug = StringField(
        _l("Web address"),
        description=_l(
            "Made from the title when left empty. Lower-case letters, digits and dashes, "
            "e.g. safe-routes-to-school"
        ),
    )
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    description_th = TextAreaField(_l("Description in Thai"), description=FORMATTING_HINT)
    description_en = TextAreaField(_l("Description in English"), description=FORMATTING_HINT)
    venue_th = StringField(_l("Venue in Thai"))
    venue_en = StringField(_l("Venue in English"))
    starts = EraDateTimeField(
        _l("Starts"), within_years=TOWNHALL_WITHIN_YEARS,
        validators=[InputRequired(message=_l("Please give the start time."))],
    )  # fmt: skip
    ends = EraDateTimeField(
        _l("Ends"), within_years=TOWNHALL_WITHIN_YEARS,
        validators=[InputRequired(message=_l("Please give the end time."))],
    )  # fmt: skip
    process_id = SelectField(_l("Process"), coerce=str, validate_choice=False)
    allow_visitors = BooleanField(_l("Visitors without an account may watch"), default=True)
    allow_guests = BooleanField(
        _l("Guests may take part with a name only (ask, upvote, answer polls, chat)"),
        default=False,
    )
    facilitators = SelectMultipleField(
        _l("Facilitators"),
        description=_l("People with the facilitator role who run this town hall with you."),
        coerce=str,
        validate_choice=False,
    )


class GuestForm(RuleAwareForm):
    name = StringField(
        _l("Your name, as others will see it"),
        validators=[InputRequired(), Length(max=GUEST_NAME_MAX)],
    )
