"""The action log's words for surveys and their answers (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.extensions import db
from participation.processes.models import Process
from participation.surveys.models import Answer, Response, Survey
from participation.townhall.models import TownHall


def _surveys(ids):
    public = sa.func.coalesce(Process.is_published, TownHall.is_published, sa.false())
    rows = db.session.execute(
        sa.select(Survey.id, Survey.title_th, Survey.title_en, Survey.opens_dt,
                  public.label("is_public"))
        .outerjoin(Process, Process.id == Survey.process_id)
        .outerjoin(TownHall, TownHall.id == Survey.townhall_id)
        .where(Survey.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        text = _("the survey %(title)s", title=quoted(row.title_th or row.title_en))
        url = url_for("surveys.show", survey_id=row.id)
        public = (text, url) if row.is_public and row.opens_dt else (
            _("a survey in preparation"), None)  # fmt: skip
        found[row.id] = Target(text, url, *public)
    return found


def _answers(ids):
    owners = dict(
        db.session.execute(
            sa.select(Answer.id, Response.survey_id)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.id.in_(ids))
        ).all()
    )
    surveys = _surveys(sorted(set(owners.values())))
    found = {}
    for answer_id, survey_id in owners.items():
        where = surveys.get(survey_id)
        if where is None:
            continue
        found[answer_id] = Target(
            _("an answer in %(survey)s", survey=where.text), where.url,
            _("an answer in %(survey)s", survey=where.public_text), where.public_url,
        )  # fmt: skip
    return found


register_target("surveys", _surveys)
register_target("survey_answers", _answers)
register_action("surveys.create", _l("Surveys created"), _l("%(actor)s created %(target)s"),
                _l("%(target)s was created"))  # fmt: skip
register_action("surveys.publish", _l("Survey results published"),
                _l("%(actor)s published the results of %(target)s"),
                _l("The results of %(target)s were published"))  # fmt: skip
register_action("surveys.unpublish", _l("Survey results withdrawn"),
                _l("%(actor)s withdrew the results of %(target)s"),
                _l("The results of %(target)s were withdrawn"))  # fmt: skip
register_action("surveys.paper", _l("Paper survey forms typed in"),
                _l("%(actor)s typed in a paper form of %(target)s"),
                _l("A paper form of %(target)s was typed in"))  # fmt: skip
