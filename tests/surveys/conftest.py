"""A survey with one question of each kind, built through the operations, for the survey tests.

``survey.q`` maps a short name to the question's id, ``survey.c`` a choice's label to its id.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest


@pytest.fixture
def create_survey(app, create_process):
    from participation.accounts.models import User
    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.surveys import operations as ops

    def make(place=None, audience="anyone", is_open=True, published=False, questions=None):
        place = place or create_process("reframe")
        with app.app_context():
            where = db.session.get(Process, place.id)
            facilitator = db.session.get(User, place.facilitator.id)
            now = utcnow()
            survey = ops.create_survey(
                where,
                facilitator,
                {
                    "title_th": "สำรวจความต้องการของชุมชน",
                    "introduction_th": "ใช้เวลา 5 นาที",
                    "audience": audience,
                    "asks_community": True,
                    "opens_dt": now - timedelta(days=1) if is_open else None,
                    "closes_dt": now + timedelta(days=7) if is_open else None,
                },
            )
            names = {}
            for name, data in questions or default_questions():
                if "condition" in data:
                    earlier, label = data["condition"]
                    question = db.session.get(ops.SurveyQuestion, names[earlier])
                    data = data | {
                        "condition": str(
                            next(c.id for c in question.choices if c.label_th == label)
                        )
                    }
                names[name] = ops.add_question(survey, facilitator, data).id
            survey.results_published = published
            db.session.commit()
            choices = {c.label_th: c.id for q in survey.questions for c in q.choices}
            made = SimpleNamespace(
                id=survey.id, q=names, c=choices, place=place, facilitator=place.facilitator
            )
            db.session.remove()
        return made

    return make


def default_questions():
    return [
        (
            "need",
            {
                "kind": "single",
                "text_th": "เรื่องใดสำคัญที่สุด",
                "is_required": "y",
                "choices_th": "ถนน\nไฟส่องสว่าง\nขยะ",
            },
        ),
        (
            "light_where",
            {
                "kind": "short_text",
                "text_th": "ควรติดไฟที่ไหน",
                "condition": ("need", "ไฟส่องสว่าง"),
                "is_required": "y",
            },
        ),
        (
            "services",
            {
                "kind": "multiple",
                "text_th": "ใช้บริการใดบ้าง",
                "max_choices": "2",
                "choices_th": "ศูนย์เด็กเล็ก\nรถเก็บขยะ\nห้องสมุด",
            },
        ),
        (
            "satisfaction",
            {
                "kind": "scale",
                "text_th": "พอใจบริการเก็บขยะแค่ไหน",
                "low_label_th": "น้อยที่สุด",
                "high_label_th": "มากที่สุด",
            },
        ),
        (
            "ranking",
            {
                "kind": "ranking",
                "text_th": "เรียงลำดับความสำคัญ",
                "choices_th": "สวนสาธารณะ\nลานกีฬา\nตลาด",
            },
        ),
        ("name", {"kind": "short_text", "text_th": "ชื่อซอย"}),
        ("story", {"kind": "long_text", "text_th": "เล่าปัญหาที่พบ"}),
        ("people", {"kind": "number", "text_th": "มีสมาชิกในบ้านกี่คน"}),
        ("moved", {"kind": "date", "text_th": "ย้ายมาอยู่เมื่อไร"}),
        ("spot", {"kind": "place", "text_th": "จุดที่มีปัญหา"}),
    ]


@pytest.fixture
def survey_in_db(app):
    """Read a survey's stored responses: ``with survey_in_db(id) as (survey, responses)``."""
    from contextlib import contextmanager

    from participation.extensions import db
    from participation.surveys.models import Response, Survey

    @contextmanager
    def block(survey_id):
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            responses = db.session.query(Response).filter_by(survey_id=survey_id).all()
            yield survey, responses
            db.session.remove()

    return block
