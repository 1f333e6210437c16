"""Residents answer a survey on a phone: every kind of question checked, nothing stored when
something is wrong, one response per person or device, changed until the survey closes."""

from datetime import date, timedelta

import pytest


def _good(survey, **extra):
    data = {
        f"q{survey.q['need']}": str(survey.c["ถนน"]),
        f"q{survey.q['services']}": [str(survey.c["ศูนย์เด็กเล็ก"]), str(survey.c["ห้องสมุด"])],
        f"q{survey.q['satisfaction']}": "4",
        f"q{survey.q['ranking']}-rank-{survey.c['ตลาด']}": "1",
        f"q{survey.q['ranking']}-rank-{survey.c['ลานกีฬา']}": "2",
        f"q{survey.q['name']}": "ซอยวัดใหม่",
        f"q{survey.q['story']}": "น้ำท่วมขังทุกปี",
        f"q{survey.q['people']}": "4",
        f"q{survey.q['moved']}": "5/12/2569",
        f"q{survey.q['spot']}-lat": "13.75",
        f"q{survey.q['spot']}-lng": "100.5",
    }
    data.update(extra)
    return data


def test_a_resident_answers_every_kind_of_question_and_sees_the_answers_again(
    client, auth, resident, create_survey, survey_in_db
):
    survey = create_survey()
    auth.login(resident)
    page = client.get(f"/surveys/{survey.id}")
    assert page.status_code == 200
    assert "เรื่องใดสำคัญที่สุด" in page.get_data(as_text=True)

    response = client.post(f"/surveys/{survey.id}", data=_good(survey))
    assert response.status_code == 302
    with survey_in_db(survey.id) as (stored, responses):
        assert len(responses) == 1
        answers = {a.question_id: a for a in responses[0].answers}
        assert [c.choice_id for c in answers[survey.q["need"]].choices] == [survey.c["ถนน"]]
        assert answers[survey.q["satisfaction"]].scale_value == 4
        ranking = [c.choice_id for c in answers[survey.q["ranking"]].choices]
        assert ranking == [survey.c["ตลาด"], survey.c["ลานกีฬา"]]
        assert answers[survey.q["people"]].number_value == 4
        # A Buddhist-Era year typed by a Thai resident is read as the same day.
        assert answers[survey.q["moved"]].date_value == date(2026, 12, 5)
        assert answers[survey.q["spot"]].latitude == 13.75
        assert responses[0].user_id == resident.id
        assert responses[0].channel == "online"

    again = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert 'value="ซอยวัดใหม่"' in again
    assert "น้ำท่วมขังทุกปี" in again


@pytest.mark.parametrize(
    ("question", "extra", "message"),
    [
        ("need", {"need": ""}, "Please answer this question."),
        (
            "services",
            {"services": ["ศูนย์เด็กเล็ก", "รถเก็บขยะ", "ห้องสมุด"]},
            ("Please choose at most %(count)s answers.", {"count": 2}),
        ),
        (
            "satisfaction",
            {"satisfaction": "6"},
            ("Please choose a value from %(low)s to %(high)s.", {"low": 1, "high": 5}),
        ),
        (
            "satisfaction",
            {"satisfaction": "0"},
            ("Please choose a value from %(low)s to %(high)s.", {"low": 1, "high": 5}),
        ),
        ("moved", {"moved": "31/2/2569"}, "This month has no such day."),
        ("moved", {"moved": "พรุ่งนี้"}, "Please enter a date as day, month and year."),
        (
            "name",
            {"name": "ก" * 201},
            ("Please shorten your answer to %(count)s characters.", {"count": 200}),
        ),
        (
            "story",
            {"story": "ก" * 4001},
            ("Please shorten your answer to %(count)s characters.", {"count": 4000}),
        ),
        ("people", {"people": "สี่"}, "Please enter a number, e.g. 12 or 3.5."),
        ("need", {"need": "other-question"}, "Please choose among this question's answers."),
        ("ranking", {"ranking": "same"}, "Please give each answer a different rank."),
        ("spot", {"spot": (51.5, -0.12)}, "Please put the pin on the map of the municipality."),
    ],
)
def test_a_wrong_answer_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, auth, resident, create_survey, survey_in_db, thai, question, extra, message
):
    survey = create_survey()
    data = _good(survey)
    for name, value in extra.items():
        key = f"q{survey.q[name]}"
        if value == "other-question":
            value = str(survey.c["สวนสาธารณะ"])  # a choice of the ranking question
        elif value == "same":
            data[f"{key}-rank-{survey.c['ลานกีฬา']}"] = "1"
            continue
        elif isinstance(value, tuple):
            data[f"{key}-lat"], data[f"{key}-lng"] = map(str, value)
            continue
        elif isinstance(value, list):
            value = [str(survey.c[label]) for label in value]
        data[key] = value
    auth.login(resident)
    response = client.post(f"/surveys/{survey.id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message, variables = message if isinstance(message, tuple) else (message, {})
    translated = thai(message, **variables)
    assert translated.replace("'", "&#39;") in page
    with survey_in_db(survey.id) as (_survey, responses):
        assert responses == []


def test_a_question_hidden_by_its_condition_is_skipped_and_its_answer_discarded(
    client, auth, resident, create_survey, survey_in_db
):
    survey = create_survey()
    auth.login(resident)
    # "Where should lights go" is required only for those who chose lighting: roads skips it,
    # and what was sent for it anyway is not kept.
    data = _good(survey, **{f"q{survey.q['light_where']}": "ก" * 500})  # too long, yet skipped
    assert client.post(f"/surveys/{survey.id}", data=data).status_code == 302
    with survey_in_db(survey.id) as (_survey, responses):
        assert survey.q["light_where"] not in {a.question_id for a in responses[0].answers}


def test_a_question_shown_by_its_condition_is_required(
    client, auth, resident, create_survey, survey_in_db
):
    survey = create_survey()
    auth.login(resident)
    data = _good(survey, **{f"q{survey.q['need']}": str(survey.c["ไฟส่องสว่าง"])})
    assert client.post(f"/surveys/{survey.id}", data=data).status_code == 422
    data[f"q{survey.q['light_where']}"] = "หน้าวัด"
    assert client.post(f"/surveys/{survey.id}", data=data).status_code == 302
    with survey_in_db(survey.id) as (_survey, responses):
        texts = {a.question_id: a.text_value for a in responses[0].answers}
        assert texts[survey.q["light_where"]] == "หน้าวัด"


def test_a_resident_has_one_response_and_changes_it_until_the_survey_closes(
    app, client, auth, resident, create_survey, survey_in_db
):
    survey = create_survey(audience="signed_in")
    auth.login(resident)
    client.post(f"/surveys/{survey.id}", data=_good(survey))
    client.post(
        f"/surveys/{survey.id}", data=_good(survey, **{f"q{survey.q['satisfaction']}": "2"})
    )
    with survey_in_db(survey.id) as (_survey, responses):
        assert len(responses) == 1
        scale = [a.scale_value for a in responses[0].answers if a.scale_value]
        assert scale == [2]

    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.surveys.models import Survey

    with app.app_context():
        stored = db.session.get(Survey, survey.id)
        stored.closes_dt = utcnow() - timedelta(minutes=1)
        db.session.commit()
    refused = client.post(
        f"/surveys/{survey.id}", data=_good(survey, **{f"q{survey.q['satisfaction']}": "5"})
    )
    assert refused.status_code == 422
    with survey_in_db(survey.id) as (_survey, responses):
        assert [a.scale_value for a in responses[0].answers if a.scale_value] == [2]


def test_a_visitor_answers_once_per_device_when_anyone_with_the_link_may_answer(
    app, client, create_survey, survey_in_db
):
    survey = create_survey(audience="anyone")
    assert client.post(f"/surveys/{survey.id}", data=_good(survey)).status_code == 302
    assert client.post(f"/surveys/{survey.id}", data=_good(survey)).status_code == 302
    other_phone = app.test_client()
    assert other_phone.post(f"/surveys/{survey.id}", data=_good(survey)).status_code == 302
    with survey_in_db(survey.id) as (_survey, responses):
        assert len(responses) == 2
        assert all(r.user_id is None and len(r.device_key) == 64 for r in responses)


def test_signed_in_surveys_ask_visitors_to_sign_in(client, create_survey, survey_in_db, thai):
    survey = create_survey(audience="signed_in")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert thai("Please sign in to answer this survey.") in page
    assert client.post(f"/surveys/{survey.id}", data=_good(survey)).status_code == 422
    with survey_in_db(survey.id) as (_survey, responses):
        assert responses == []


def test_verified_residents_only_refuses_the_unverified_then_takes_their_answer(
    app, client, auth, resident, create_survey, survey_in_db, thai, create_user
):
    survey = create_survey(audience="verified")
    auth.login(resident)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert (
        thai(
            "Only verified residents can answer this survey. %(how)s",
            how=thai(
                "Verify your right at the municipal office, or enter the code from your letter."
            ),
        )
        in page
    )
    assert "data-survey-form" not in page
    assert client.post(f"/surveys/{survey.id}", data=_good(survey)).status_code == 422
    with survey_in_db(survey.id) as (_survey, responses):
        assert responses == []

    _verify(app, resident, create_user(roles=["registrar"]))
    assert client.post(f"/surveys/{survey.id}", data=_good(survey)).status_code in (200, 302, 303)
    with survey_in_db(survey.id) as (_survey, responses):
        assert len(responses) == 1


def _verify(app, person, registrar):
    """A registrar verifies ``person`` at the desk for the first community."""
    import sqlalchemy as sa

    from participation.accounts.models import User
    from participation.extensions import db
    from participation.municipality.models import Area
    from participation.verification.operations import verify_at_desk

    with app.app_context():
        area_id = db.session.scalar(sa.select(Area.id).order_by(Area.position))
        verify_at_desk(db.session.get(User, person.id), area_id, db.session.get(User, registrar.id))
        db.session.commit()
        db.session.remove()


def test_a_survey_not_yet_opened_is_hidden_from_residents(client, auth, resident, create_survey):
    survey = create_survey(is_open=False)
    auth.login(resident)
    assert client.get(f"/surveys/{survey.id}").status_code == 404


def test_answers_sent_again_and_again_from_one_address_hit_the_limit(
    config, make_app, create_survey
):
    survey = create_survey()
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_SURVEY_ANSWER = "3/minute"
    limited = make_app(config)

    statuses = [
        limited.test_client().post(f"/surveys/{survey.id}", data=_good(survey)).status_code
        for _attempt in range(5)
    ]

    assert statuses == [302, 302, 302, 429, 429]
