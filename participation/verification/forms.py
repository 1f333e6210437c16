"""Forms of resident verification. Nothing from an ID card is ever a field here, except the
resident's own list match, whose values are hashed at once and never kept."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from participation.core.forms import RuleAwareForm
from participation.verification.models import Requirement


class CodeForm(RuleAwareForm):
    code = StringField(
        _l("Code from your letter"),
        validators=[InputRequired(_l("Please type the code from your letter.")), Length(max=40)],
        description=_l("12 letters and digits, like ACEF-HJKM-3479. Dashes and spaces are fine."),
    )


class ListMatchForm(RuleAwareForm):
    national_id = StringField(
        _l("National ID number"),
        validators=[InputRequired(_l("Please type your ID number.")), Length(max=20)],
        description=_l(
            "13 digits. It is not stored: it is turned into a keyed code at once and "
            "compared with the municipality's list."
        ),
    )
    birth_date = StringField(
        _l("Birth date"),
        validators=[InputRequired(_l("Please type your birth date.")), Length(max=12)],
        description=_l("As on your ID card, like 17/05/2530."),
    )


class DeskSearchForm(RuleAwareForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, e-mail or the resident's code"), validators=[Length(max=120)])


class DeskVerifyForm(RuleAwareForm):
    area_id = SelectField(
        _l("Community"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose the community."))],
    )


class RevokeForm(RuleAwareForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class LettersForm(RuleAwareForm):
    area_id = SelectField(
        _l("Community"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose the community."))],
    )
    count = IntegerField(
        _l("How many codes"), default=50, validators=[InputRequired(), NumberRange(min=1, max=5000)]
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[InputRequired(), NumberRange(min=1, max=730)],
    )


class ListUploadForm(RuleAwareForm):
    file = FileField(
        _l("Resident list (CSV)"),
        description=_l("Two columns, hash and community, with a header line."),
    )


class RequirementsForm(RuleAwareForm):
    actions = SelectMultipleField(
        _l("Only verified residents may"),
        choices=[SelectChoice(r.value, r.title) for r in Requirement],
        validate_choice=False,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    residents_only = BooleanField(_l("Only residents verified for this process's communities"))


class ShowCommunityForm(RuleAwareForm):
    show_community = BooleanField(_l("Show my community beside the badge on my profile"))
