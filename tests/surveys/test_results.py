"""Results: public once published (staff always), a chart and table per question that stay
right with conditions, text answers a facilitator can hide, a community filter, and exports
(CSV and XLSX, one row per response and one column per question; names only for staff)."""

import csv
import io

from openpyxl import load_workbook

from tests.surveys.test_answering import _good


def _answer(app, survey, data):
    client = app.test_client()
    assert client.post(f"/surveys/{survey.id}", data=data).status_code == 302


def test_results_are_for_staff_until_published_then_for_everyone(
    app, client, auth, resident, create_survey
):
    survey = create_survey()
    _answer(app, survey, _good(survey))
    assert client.get(f"/surveys/{survey.id}/results").status_code == 404
    assert client.get(f"/surveys/{survey.id}/results.csv").status_code == 404
    auth.login(resident)
    assert client.get(f"/surveys/{survey.id}/results").status_code == 404
    auth.logout()

    auth.login(survey.facilitator)
    assert client.get(f"/surveys/{survey.id}/results").status_code == 200
    published = client.post(f"/surveys/{survey.id}/results/publish", data={"published": "1"})
    assert published.status_code == 302
    auth.logout()

    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == 200
    assert "เรื่องใดสำคัญที่สุด" in page.get_data(as_text=True)
    survey_page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert f"/surveys/{survey.id}/results" in survey_page


def test_counts_stay_right_with_conditions_and_paper_forms(app, client, auth, create_survey):
    survey = create_survey(published=True)
    light = str(survey.c["ไฟส่องสว่าง"])
    _answer(app, survey, _good(survey))  # roads: not asked where lights go
    _answer(
        app,
        survey,
        _good(survey, **{f"q{survey.q['need']}": light, f"q{survey.q['light_where']}": "หน้าวัด"}),
    )
    auth.login(survey.facilitator)
    client.post(
        f"/surveys/{survey.id}/paper",
        data=_good(
            survey, **{f"q{survey.q['need']}": light, f"q{survey.q['light_where']}": "ตลาดเช้า"}
        ),
    )
    auth.logout()

    from participation.extensions import db
    from participation.surveys import operations as ops
    from participation.surveys.models import Survey

    with app.test_request_context():
        figures = ops.results(db.session.get(Survey, survey.id))
        by_question = {item["question"].id: item for item in figures["figures"]}
        assert figures["responses"] == 3
        assert figures["paper"] == 1
        assert dict(by_question[survey.q["need"]]["rows"]) == {"ถนน": 1, "ไฟส่องสว่าง": 2, "ขยะ": 0}
        # Asked of two people, answered by two: the roads answer is not counted as missing.
        assert by_question[survey.q["light_where"]]["answered"] == 2
        assert by_question[survey.q["satisfaction"]]["mean"] == 4
        ranking = by_question[survey.q["ranking"]]["rows"]
        assert ranking[0] == ("ตลาด", 9, 3)
        db.session.remove()

    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert 'data-chart="bar"' in page
    assert "หน้าวัด" in page
    assert "ตลาดเช้า" in page


def test_a_facilitator_hides_a_text_answer_and_residents_no_longer_see_it(
    app, client, auth, create_survey
):
    survey = create_survey(published=True)
    _answer(app, survey, _good(survey, **{f"q{survey.q['story']}": "เบอร์โทรของเพื่อนบ้าน 0812345678"}))
    from participation.extensions import db
    from participation.surveys.models import Answer

    with app.app_context():
        answer = db.session.scalar(db.select(Answer).filter_by(question_id=survey.q["story"])).id
    auth.login(survey.facilitator)
    hidden = client.post(
        f"/moderation/survey_answer/{answer}/hide", data={"reason": "มีข้อมูลส่วนบุคคล"}
    )
    assert hidden.status_code == 302
    staff_page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "มีข้อมูลส่วนบุคคล" in staff_page
    auth.logout()
    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "0812345678" not in page
    exported = client.get(f"/surveys/{survey.id}/results.csv").get_data(as_text=True)
    assert "0812345678" not in exported
    transparency = client.get("/transparency").get_data(as_text=True)
    assert "มีข้อมูลส่วนบุคคล" in transparency


def test_results_filter_by_community(app, client, create_survey, municipality):
    survey = create_survey(published=True)
    north, south = (str(area.id) for area in municipality)
    _answer(app, survey, _good(survey, area=north))
    _answer(
        app, survey, _good(survey, area=south, **{f"q{survey.q['need']}": str(survey.c["ขยะ"])})
    )
    page = client.get(f"/surveys/{survey.id}/results?area={south}").get_data(as_text=True)
    assert "1 คำตอบ" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/surveys/{survey.id}/results.csv?area={north}").get_data(as_text=True)
            )
        )
    )
    assert len(rows) == 2
    assert "ถนน" in rows[1]


def test_exports_read_back_with_one_row_per_response_and_names_only_for_staff(
    app, client, auth, resident, create_survey
):
    survey = create_survey(published=True)
    auth.login(resident)
    client.post(f"/surveys/{survey.id}", data=_good(survey, **{f"q{survey.q['name']}": "=1+1"}))
    auth.logout()
    _answer(app, survey, _good(survey))

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/surveys/{survey.id}/results.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert len(rows) == 3
    assert len(rows[0]) == 4 + 10  # response, channel, community, date + one per question
    assert "เรื่องใดสำคัญที่สุด" in rows[0]
    assert "สมชาย ใจดี" not in str(rows)
    assert "'=1+1" in rows[1]  # a formula is never run by a spreadsheet

    auth.login(survey.facilitator)
    workbook = load_workbook(io.BytesIO(client.get(f"/surveys/{survey.id}/results.xlsx").data))
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet) == 3
    assert len(sheet[0]) == 4 + 2 + 10
    assert "สมชาย ใจดี" in sheet[1]
    column = sheet[0].index("เรียงลำดับความสำคัญ")
    assert sheet[1][column] == "ตลาด; ลานกีฬา"
    assert sheet[1][sheet[0].index("ย้ายมาอยู่เมื่อไร")] == "2026-12-05"


def test_published_results_feed_the_process_outcome_summary(app, client, auth, create_survey):
    survey = create_survey()
    _answer(app, survey, _good(survey))
    auth.login(survey.facilitator)
    summary = f"/summaries/processes/{survey.place.slug}"
    assert "สำรวจความต้องการของชุมชน" not in client.get(summary).get_data(as_text=True)

    client.post(f"/surveys/{survey.id}/results/publish", data={"published": "1"})

    page = client.get(summary).get_data(as_text=True)
    assert "สำรวจความต้องการของชุมชน" in page
    assert "เรื่องใดสำคัญที่สุด" in page
    assert client.get(f"{summary}.pdf").status_code == 200


def test_many_written_answers_show_the_latest_with_a_link_to_all(app, client, create_survey):
    from participation.surveys.views import TEXTS_SHOWN

    survey = create_survey(published=True)
    for number in range(TEXTS_SHOWN + 2):
        _answer(app, survey, _good(survey, **{f"q{survey.q['story']}": f"เรื่องที่ {number}"}))

    page = client.get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert f"เรื่องที่ {TEXTS_SHOWN + 1}<" in page
    assert "เรื่องที่ 1<" not in page
    everything = client.get(f"/surveys/{survey.id}/results?texts=all").get_data(as_text=True)
    assert "เรื่องที่ 1<" in everything
