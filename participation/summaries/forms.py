from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from participation.core.forms import RuleAwareForm


class StatementForm(RuleAwareForm):
    statement_th = TextAreaField(
        _l("Council statement in Thai"),
        description=_l("What the council heard and what it will do. Markdown."),
    )
    statement_en = TextAreaField(_l("Council statement in English"), description=_l("Markdown"))
