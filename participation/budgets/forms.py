from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from participation.budgets.models import Rule, Style
from participation.core.forms import RuleAwareForm

STYLE_CHOICES = [
    SelectChoice(Style.APPROVAL.value, _l("Approval: residents pick up to a number of projects")),
    SelectChoice(
        Style.KNAPSACK.value, _l("Within the money: residents pick projects whose cost fits")
    ),
]
RULE_CHOICES = [
    SelectChoice(Rule.GREEDY.value, _l("Most votes first, skipping what no longer fits the money")),
    SelectChoice(Rule.EQUAL_SHARES.value, _l("Method of Equal Shares (proportional)")),
]
MONEY_MAX = 10**12  # baht: more than any municipality's whole budget


class BudgetForm(RuleAwareForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    style = RadioField(_l("Ballot"), choices=STYLE_CHOICES, default=Style.APPROVAL.value)
    max_choices = IntegerField(
        _l("Approval: how many projects a ballot may pick"), default=3,
        validators=[Optional(), NumberRange(min=1, max=50)],
    )  # fmt: skip
    min_spend_percent = IntegerField(
        _l("Within the money: the least share of the money a ballot must spend (%)"),
        default=0, validators=[Optional(), NumberRange(min=0, max=100)],
    )  # fmt: skip
    rule = RadioField(_l("How winners are chosen"), choices=RULE_CHOICES,
                      default=Rule.GREEDY.value)  # fmt: skip


class HeadingForm(RuleAwareForm):
    title = StringField(_l("Name of the heading"), validators=[InputRequired(), Length(max=200)])
    money = IntegerField(
        _l("Money (baht)"), validators=[InputRequired(), NumberRange(min=1, max=MONEY_MAX)]
    )
    area_id = SelectField(_l("Who votes"), coerce=str, validate_choice=False)


class ProjectForm(RuleAwareForm):
    heading_id = SelectField(_l("Heading"), coerce=str, validate_choice=False)
    proposal_id = SelectField(_l("From a proposal (optional)"), coerce=str, validate_choice=False)
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])


class ReviewForm(RuleAwareForm):
    feasible = RadioField(
        _l("Review"),
        choices=[SelectChoice("1", _l("Feasible")), SelectChoice("0", _l("Not feasible"))],
        validators=[InputRequired()],
    )  # fmt: skip
    cost = IntegerField(_l("Estimated cost (baht)"),
                        validators=[Optional(), NumberRange(min=0, max=MONEY_MAX)])  # fmt: skip
    responsible_unit = StringField(_l("Responsible unit"), validators=[Length(max=200)])
    reason = TextAreaField(_l("Reason (public)"), validators=[Length(max=2000)])


class OverrideForm(RuleAwareForm):
    project_id = SelectField(_l("Project"), coerce=str, validate_choice=False)
    action = RadioField(_l("Change"), choices=[SelectChoice("add", _l("Add to the winners")),
                                               SelectChoice("drop", _l("Drop from the winners"))],
                        validators=[InputRequired()])  # fmt: skip
    reason = TextAreaField(_l("Reason (published beside the results)"),
                           validators=[InputRequired(), Length(max=2000)])  # fmt: skip
