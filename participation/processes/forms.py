from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from participation.core.dates import EraDateField
from participation.core.forms import RuleAwareForm, ThaiIntegerField
from participation.core.sanitize import FORMATTING_HINT


def _id_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ProcessForm(RuleAwareForm):
    slug = StringField(
        _l("Web address"),
        description=_l(
            "Made from the title when left empty. Lower-case letters, digits and dashes, "
            "e.g. safe-routes-to-school"
        ),
    )
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"))
    summary_th = TextAreaField(_l("Summary in Thai"))
    summary_en = TextAreaField(_l("Summary in English"))
    description_th = TextAreaField(_l("Description in Thai"), description=FORMATTING_HINT)
    description_en = TextAreaField(_l("Description in English"), description=FORMATTING_HINT)
    cover = FileField(_l("Cover image (optional)"), description=_l("PNG, JPEG or WebP, up to 4 MB"))
    areas = SelectMultipleField(_l("Communities"), coerce=_id_or_none, validate_choice=False)
    categories_th = TextAreaField(
        _l("Categories"),
        description=_l("One per line: Thai name | English name"),
    )
    reframe_start = EraDateField(_l("Reframe opens"), validators=[Optional()])
    reframe_end = EraDateField(_l("Reframe closes"), validators=[Optional()])
    reimagine_start = EraDateField(_l("Reimagine opens"), validators=[Optional()])
    reimagine_end = EraDateField(_l("Reimagine closes"), validators=[Optional()])
    remake_start = EraDateField(_l("Remake opens"), validators=[Optional()])
    remake_end = EraDateField(_l("Remake closes"), validators=[Optional()])
    max_supports = ThaiIntegerField(
        _l("Supports per resident"),
        description=_l("Leave empty for no limit. Fixed once Reimagine opens."),
        validators=[Optional(), NumberRange(min=1, max=1000, message=_l("From 1 to 1,000."))],
    )
    support_threshold = ThaiIntegerField(
        _l("Supports needed for council review"),
        description=_l("Fixed once Reimagine opens."),
        validators=[InputRequired(message=_l("Please give a number.")),
                    NumberRange(min=0, max=1_000_000, message=_l("From 0 to 1,000,000."))],
    )  # fmt: skip
    edit_window_minutes = ThaiIntegerField(
        _l("Minutes authors may edit after posting"),
        default=1440,
        validators=[InputRequired(message=_l("Please give a number.")),
                    NumberRange(min=0, max=525_600, message=_l("From 0 to 525,600."))],
    )  # fmt: skip
