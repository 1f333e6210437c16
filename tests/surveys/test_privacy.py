"""A resident's survey answers are in their data download; deleting the account keeps the
answers counted but anonymous, with their written answers emptied."""

import io
import json
import zipfile

from tests.surveys.test_answering import _good


def test_a_residents_survey_answers_are_in_their_data_download(
    client, auth, resident, create_survey
):
    survey = create_survey()
    auth.login(resident)
    client.post(f"/surveys/{survey.id}", data=_good(survey))

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(archive.read("ruamkid-my-data.json"))

    assert data["tables"]["survey_responses"]["user_id"][0]["survey_id"] == survey.id
    answers = {a["question"]: a["answer"] for a in data["features"]["surveys"][0]["answers"]}
    assert answers["เล่าปัญหาที่พบ"] == "น้ำท่วมขังทุกปี"
    assert answers["เรื่องใดสำคัญที่สุด"] == "ถนน"


def test_a_deleted_account_leaves_its_answers_counted_and_anonymous(
    app, client, auth, resident, create_survey, survey_in_db
):
    survey = create_survey(published=True)
    auth.login(resident)
    client.post(f"/surveys/{survey.id}", data=_good(survey))

    deleted = client.post("/account/delete", data={"keep": "keep", "password": resident.password})

    assert deleted.status_code == 302
    with survey_in_db(survey.id) as (_survey, responses):
        assert len(responses) == 1
        assert responses[0].user_id is None
        texts = [answer.text_value for answer in responses[0].answers]
        assert "น้ำท่วมขังทุกปี" not in texts
        assert any(answer.scale_value == 4 for answer in responses[0].answers)
    page = app.test_client().get(f"/surveys/{survey.id}/results").get_data(as_text=True)
    assert "1 คำตอบ" in page
