from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from participation.core.forms import HumanForm, RuleAwareForm
from participation.opinions.models import QUESTION_MAX, STATEMENT_MAX


class ConversationForm(RuleAwareForm):
    question = StringField(
        _l("The question residents answer"),
        description=_l("For example: How should our community handle waste? "
                       "At most %(count)s characters.", count=QUESTION_MAX),
    )  # fmt: skip
    seeds = TextAreaField(
        _l("First statements, one per line"),
        description=_l("Short statements people can agree or disagree with, at most "
                       "%(count)s characters each. Cover different views.", count=STATEMENT_MAX),
    )  # fmt: skip
    allow_statements = BooleanField(_l("Residents may add statements"), default=True)


class StatementForm(HumanForm):
    body = TextAreaField(
        _l("Your statement"),
        description=_l("One clear idea others can agree or disagree with, at most %(count)s "
                       "characters.", count=STATEMENT_MAX),
    )  # fmt: skip


class VoteForm(FlaskForm):
    """The agree / disagree / pass buttons: CSRF and which statement; the button says which."""

    statement_id = HiddenField()
