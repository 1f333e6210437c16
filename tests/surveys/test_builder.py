"""Facilitators build a survey in a form builder: add, reorder, duplicate questions with Thai
and English text, a condition on an earlier answer, preview as a resident; the questions lock
once answers exist (only an explanation may be added); paper forms are typed in."""

from tests.surveys.test_answering import _good


def _question_ids(app, survey_id):
    from participation.extensions import db
    from participation.surveys.models import Survey

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        made = [(q.id, q.text_th, q.condition_choice_id) for q in survey.questions]
        db.session.remove()
    return made


def test_a_facilitator_builds_a_survey_with_a_condition_and_previews_it(
    app, client, auth, create_process, thai
):
    process = create_process("reframe")
    auth.login(process.facilitator)
    created = client.post(
        f"/surveys/new/processes/{process.slug}",
        data={
            "title_th": "สำรวจความต้องการ",
            "title_en": "Needs survey",
            "audience": "anyone",
            "introduction_th": "ใช้เวลา 3 นาที",
            "opens_dt": "2026-12-01T08:00",
            "closes_dt": "2026-12-31T18:00",
            "asks_community": "y",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    build = created.headers["Location"]
    survey_id = int(build.split("/")[2])

    added = client.post(
        build,
        data={
            "kind": "single",
            "text_th": "เคยใช้ศูนย์เด็กเล็กไหม",
            "text_en": "Have you used the childcare centre?",
            "choices_th": "เคย\nไม่เคย",
            "choices_en": "Yes\nNo",
            "is_required": "y",
        },
    )
    assert added.status_code == 302
    page = client.get(build).get_data(as_text=True)
    assert "เคยใช้ศูนย์เด็กเล็กไหม" in page
    from participation.extensions import db
    from participation.surveys.models import SurveyChoice

    with app.app_context():
        yes = db.session.scalar(db.select(SurveyChoice).filter_by(label_th="เคย")).id
    client.post(
        build,
        data={
            "kind": "scale",
            "text_th": "พอใจศูนย์เด็กเล็กแค่ไหน",
            "condition": str(yes),
            "low_label_th": "น้อยที่สุด",
            "high_label_th": "มากที่สุด",
        },
    )
    client.post(build, data={"kind": "long_text", "text_th": "ข้อเสนอแนะ"})
    questions = _question_ids(app, survey_id)
    assert [text for _id, text, _c in questions] == [
        "เคยใช้ศูนย์เด็กเล็กไหม",
        "พอใจศูนย์เด็กเล็กแค่ไหน",
        "ข้อเสนอแนะ",
    ]
    assert questions[1][2] == yes

    # Duplicate the last question, then move it up: the order follows.
    last = questions[2][0]
    assert client.post(f"/surveys/{survey_id}/questions/{last}/duplicate").status_code == 302
    assert client.post(f"/surveys/{survey_id}/questions/{last}/up").status_code == 302
    texts = [text for _id, text, _c in _question_ids(app, survey_id)]
    assert texts == ["เคยใช้ศูนย์เด็กเล็กไหม", "ข้อเสนอแนะ", "พอใจศูนย์เด็กเล็กแค่ไหน", "ข้อเสนอแนะ"]

    # Moving the conditional question above the one it depends on drops the condition.
    conditional = _question_ids(app, survey_id)[2][0]
    client.post(f"/surveys/{survey_id}/questions/{conditional}/up")
    client.post(f"/surveys/{survey_id}/questions/{conditional}/up")
    moved = _question_ids(app, survey_id)
    assert moved[0][0] == conditional
    assert moved[0][2] is None

    preview = client.get(f"/surveys/{survey_id}/preview").get_data(as_text=True)
    assert "เคยใช้ศูนย์เด็กเล็กไหม" in preview
    assert 'type="submit"' not in preview.split("data-survey-form", 1)[1].split("</form>")[0]

    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get(f"/surveys/{survey_id}/preview").get_data(as_text=True)
    assert "Have you used the childcare centre?" in english


def test_a_question_without_two_choices_is_refused_and_nothing_added(
    app, client, auth, create_survey, thai
):
    survey = create_survey()
    auth.login(survey.facilitator)
    before = _question_ids(app, survey.id)
    page = client.post(
        f"/surveys/{survey.id}/build",
        data={"kind": "single", "text_th": "เลือกอะไร", "choices_th": "อย่างเดียว"},
    )
    assert thai("Please give at least two answers to choose from, one per line.") in (
        page.get_data(as_text=True)
    )
    assert _question_ids(app, survey.id) == before


def test_questions_lock_after_the_first_answer_but_an_explanation_can_be_added(
    app, client, auth, resident, create_survey, thai
):
    survey = create_survey()
    auth.login(resident)
    assert client.post(f"/surveys/{survey.id}", data=_good(survey)).status_code == 302
    auth.logout()
    auth.login(survey.facilitator)
    question = survey.q["need"]
    build = client.get(f"/surveys/{survey.id}/build").get_data(as_text=True)
    assert (
        thai(
            "Answers exist, so the questions are locked: you can still add an explanation to each."
        )
        in build
    )

    refused = client.post(
        f"/surveys/{survey.id}/build",
        follow_redirects=True,
        data={"kind": "short_text", "text_th": "คำถามใหม่"},
    )
    assert thai(
        "Questions cannot change once answers exist; you can still add an explanation."
    ) in (refused.get_data(as_text=True))
    client.post(f"/surveys/{survey.id}/questions/{question}/delete")
    client.post(
        f"/surveys/{survey.id}/questions/{question}",
        data={
            "text_th": "เปลี่ยนคำถาม",
            "kind": "number",
            "explanation_th": "หมายถึงเรื่องที่อยากให้ทำก่อน",
        },
    )
    from participation.extensions import db
    from participation.surveys.models import SurveyQuestion

    with app.app_context():
        stored = db.session.get(SurveyQuestion, question)
        assert stored.text_th == "เรื่องใดสำคัญที่สุด"
        assert stored.kind == "single"
        assert stored.explanation_th == "หมายถึงเรื่องที่อยากให้ทำก่อน"
        assert len(stored.survey.questions) == 10


def test_staff_type_in_paper_forms_counted_with_the_online_answers(
    app, client, auth, create_survey, survey_in_db, municipality
):
    survey = create_survey()
    auth.login(survey.facilitator)
    for _form in range(2):
        saved = client.post(
            f"/surveys/{survey.id}/paper", data=_good(survey, area=str(municipality[1].id))
        )
        assert saved.status_code == 302
    with survey_in_db(survey.id) as (_survey, responses):
        assert [r.channel for r in responses] == ["paper", "paper"]
        assert all(
            r.entered_by_id == survey.facilitator.id and r.user_id is None for r in responses
        )
        assert all(r.area_id == municipality[1].id for r in responses)
    results = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "2 คำตอบ" in results


def test_a_resident_cannot_type_in_paper_forms(client, auth, resident, create_survey):
    survey = create_survey()
    auth.login(resident)
    assert client.post(f"/surveys/{survey.id}/paper", data=_good(survey)).status_code == 403


def test_a_town_hall_holds_a_survey_its_page_lists(app, client, auth, create_townhall, resident):
    townhall = create_townhall()
    auth.login(townhall.facilitator)
    created = client.post(
        f"/surveys/new/townhalls/{townhall.slug}",
        data={"title_th": "ความพึงพอใจต่อเวทีวันนี้", "audience": "anyone",
              "opens_dt": "2026-01-01T08:00"},
    )  # fmt: skip
    assert created.status_code == 302
    survey_id = int(created.headers["Location"].split("/")[2])
    client.post(
        f"/surveys/{survey_id}/build",
        data={"kind": "scale", "text_th": "พอใจเวทีวันนี้แค่ไหน", "is_required": "y"},
    )
    auth.logout()
    auth.login(resident)
    page = client.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)
    assert "ความพึงพอใจต่อเวทีวันนี้" in page
    form = client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    question_id = form.split('name="q', 1)[1].split('"', 1)[0]
    assert client.post(f"/surveys/{survey_id}", data={f"q{question_id}": "5"}).status_code == 302


def test_a_section_heading_starts_a_group_of_questions(client, auth, create_survey):
    survey = create_survey(questions=[
        ("one", {"kind": "short_text", "text_th": "ชื่อซอย", "section_th": "ที่อยู่ของคุณ"}),
        ("two", {"kind": "number", "text_th": "บ้านเลขที่"}),
        ("three", {"kind": "long_text", "text_th": "เล่าให้ฟัง", "section_th": "ความคิดเห็น",
                   "section_en": "Your views"}),
    ])  # fmt: skip
    auth.login(survey.facilitator)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert page.count('class="survey-section"') == 2
    assert page.index("ที่อยู่ของคุณ") < page.index("บ้านเลขที่") < page.index("ความคิดเห็น")

    client.post(f"/surveys/{survey.id}/questions/{survey.q['three']}",
                data={"kind": "long_text", "text_th": "เล่าให้ฟัง", "section_th": ""})  # fmt: skip
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert page.count('class="survey-section"') == 1
