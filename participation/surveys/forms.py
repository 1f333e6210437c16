"""The facilitators' forms: a survey's settings and one question. Residents' answers are read
by ``operations.read_answers`` (the questions are the survey's own, not a fixed form)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from participation.core.dates import EraDateTimeField
from participation.core.forms import RuleAwareForm
from participation.surveys.models import AUDIENCE_TITLES, KIND_TITLES


class SurveyForm(RuleAwareForm):
    title_th = StringField(_l("Title in Thai"))
    title_en = StringField(_l("Title in English"), description=_l("Optional."))
    introduction_th = TextAreaField(
        _l("Introduction in Thai"),
        description=_l("Why you ask, how long it takes, and what will be done with the answers."),
    )
    introduction_en = TextAreaField(_l("Introduction in English"), description=_l("Optional."))
    opens_dt = EraDateTimeField(
        _l("Opens"), validators=[Optional()],
        description=_l("Leave empty while you prepare the survey: residents do not see it yet."),
    )  # fmt: skip
    closes_dt = EraDateTimeField(
        _l("Closes"), validators=[Optional()],
        description=_l("Answers can be given and changed until then."),
    )  # fmt: skip
    audience = SelectField(
        _l("Who may answer"),
        choices=[SelectChoice(key.value, title) for key, title in AUDIENCE_TITLES.items()],
    )
    asks_community = BooleanField(_l("Ask which community each person lives in"), default=True)


class QuestionForm(RuleAwareForm):
    kind = SelectField(
        _l("Kind of question"),
        choices=[SelectChoice(key.value, title) for key, title in KIND_TITLES.items()],
    )
    text_th = StringField(_l("Question in Thai"))
    text_en = StringField(_l("Question in English"), description=_l("Optional."))
    explanation_th = TextAreaField(
        _l("Explanation in Thai"), description=_l("Optional. Can be added after answers exist.")
    )
    explanation_en = TextAreaField(_l("Explanation in English"), description=_l("Optional."))
    is_required = BooleanField(_l("An answer is required"))
    choices_th = TextAreaField(
        _l("Answers to choose from, in Thai"),
        description=_l("For one choice, several choices and ranking: one answer per line."),
    )
    choices_en = TextAreaField(
        _l("Answers to choose from, in English"),
        description=_l("Optional. In the same order, one per line."),
    )
    max_choices = StringField(_l("Most answers a person may choose"),
                              description=_l("For several choices. Empty: no limit."))  # fmt: skip
    low_label_th = StringField(
        _l("Label of 1 in Thai"), description=_l("For a scale, e.g. น้อยที่สุด.")
    )
    low_label_en = StringField(_l("Label of 1 in English"))
    high_label_th = StringField(
        _l("Label of 5 in Thai"), description=_l("For a scale, e.g. มากที่สุด.")
    )
    high_label_en = StringField(_l("Label of 5 in English"))
    section_th = StringField(
        _l("Heading of a new section, in Thai"),
        description=_l("Optional. A section starts with this question under this heading."),
    )
    section_en = StringField(_l("Heading of a new section, in English"),
                             description=_l("Optional."))  # fmt: skip
    condition = SelectField(_l("Show this question only when"), choices=[], validate_choice=False)
