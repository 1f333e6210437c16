"""Every writable field takes the whole corpus of XSS attempts; no page renders anything that
could run. Each page is compared with the same page holding harmless text, so the page's own
forms and buttons are not mistaken for injected ones."""

import pytest

from participation.core.sanitize import strip_control_characters
from tests.conftest import Auth
from tests.security.html_check import dangers, element_counts
from tests.security.payloads import PAYLOADS
from tests.surveys.conftest import create_survey  # noqa: F401  (the fixture)

HARMLESS = "ข้อความธรรมดา"


@pytest.fixture(autouse=True)
def long_standing_residents(app):
    """Accounts past the new-account link limit, so every payload is stored and shown."""
    app.config["NEW_ACCOUNT_DAYS"] = 0


def _fits(limit):
    return [payload for payload in PAYLOADS if len(payload) <= limit]


def _clean(page, baseline):
    return dangers(page, allowed_elements=element_counts(baseline))


def _active(page):
    """Scripts, handlers and dangerous URLs only (for pages whose forms vary with content)."""
    return [found for found in dangers(page) if "extra" not in found]


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def test_titles_and_descriptions_of_issues_and_proposals(
    app, client, auth, resident, create_process
):
    process = create_process("reimagine")
    auth.login(resident)

    def post(title, body):
        response = client.post(f"/processes/{process.slug}/proposals/new",
                               data={"title": title, "body": body})  # fmt: skip
        assert response.status_code == 302, title
        return response.headers["Location"]

    baseline_page = client.get(post(HARMLESS, HARMLESS)).get_data(as_text=True)
    problems = {}
    for payload in _fits(150):
        page = client.get(post(payload, f"{payload}\n\n{payload}")).get_data(as_text=True)
        if found := _clean(page, baseline_page):
            problems[payload] = found
    listing = client.get(f"/processes/{process.slug}/proposals?per_page=100&sort=newest")
    baseline_list = element_counts(listing.get_data(as_text=True))
    for page_number in (1, 2):
        page = client.get(f"/processes/{process.slug}/proposals?per_page=100&sort=newest"
                          f"&page={page_number}").get_data(as_text=True)  # fmt: skip
        if found := dangers(page, allowed_elements=baseline_list):
            problems[f"list page {page_number}"] = found
    assert problems == {}


def test_comments_and_replies(app, client, auth, resident, create_process, create_contribution):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    other = create_contribution(process, resident)
    auth.login(resident)
    for _ in PAYLOADS:
        client.post(f"/contributions/{other}/comments", data={"body": HARMLESS})
    for payload in PAYLOADS:
        response = client.post(f"/contributions/{item_id}/comments", data={"body": payload})
        assert response.status_code == 302, payload

    page = client.get(f"/processes/{process.slug}/proposals/{item_id}").get_data(as_text=True)
    baseline = client.get(f"/processes/{process.slug}/proposals/{other}").get_data(as_text=True)
    visitor = app.test_client().get(f"/processes/{process.slug}/proposals/{item_id}")
    visitor_baseline = app.test_client().get(f"/processes/{process.slug}/proposals/{other}")

    assert _clean(page, baseline) == []
    assert _clean(visitor.get_data(as_text=True), visitor_baseline.get_data(as_text=True)) == []


def test_display_names(app, client, auth, resident, create_process, create_contribution):
    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(resident)
    url = f"/processes/{process.slug}/proposals/{item_id}"
    baseline = client.get(url).get_data(as_text=True)
    problems = {}
    for payload in _fits(60):
        response = client.post("/profile", data={"display_name": payload,
                                                 "preferred_language": "th"})  # fmt: skip
        if response.status_code != 302:
            continue  # refused with a clear message: nothing stored
        for path in (url, "/profile", f"/processes/{process.slug}/proposals"):
            page = client.get(path).get_data(as_text=True)
            reference = baseline if path == url else client.get(path).get_data(as_text=True)
            if found := _clean(page, reference):
                problems[(payload, path)] = found
    assert problems == {}


def test_council_responses_and_progress_updates(
    app, client, auth, resident, council, create_process, create_contribution, move_to
):
    process = create_process("reimagine")
    items = [create_contribution(process, resident) for _ in range(4)]
    move_to(process, "remake")
    auth.login(council)
    baseline_id = items.pop()
    client.post(f"/processes/{process.slug}/proposals/{baseline_id}/response",
                data={"status": "accepted", "body": HARMLESS})  # fmt: skip
    client.post(f"/processes/{process.slug}/proposals/{baseline_id}/updates",
                data={"update_date": "2026-11-01", "progress": 10, "body": HARMLESS})  # fmt: skip
    baseline = client.get(f"/processes/{process.slug}/proposals/{baseline_id}")
    problems = {}
    for item_id, chunk in zip(items, _chunks(PAYLOADS, 70), strict=False):
        body = "\n\n".join(chunk)
        client.post(f"/processes/{process.slug}/proposals/{item_id}/response",
                    data={"status": "accepted", "body": body})  # fmt: skip
        client.post(f"/processes/{process.slug}/proposals/{item_id}/updates",
                    data={"update_date": "2026-11-01", "progress": 10, "body": body})  # fmt: skip
        page = client.get(f"/processes/{process.slug}/proposals/{item_id}").get_data(as_text=True)
        assert chunk[0][:5] in page or "&lt;" in page  # the text is there, made harmless
        if found := _clean(page, baseline.get_data(as_text=True)):
            problems[item_id] = found
    assert problems == {}


def test_reports_hide_reasons_and_suspension_reasons(
    app, client, auth, admin, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    reporter = app.test_client()
    Auth(reporter).login(create_user())
    auth.login(admin)
    queue_baseline = client.get("/moderation").get_data(as_text=True)
    problems = {}
    for number, chunk in enumerate(_chunks(_fits(300), 20)):
        item_id = create_contribution(process, resident, title=f"ข้อเสนอ {number}")
        details = "\n".join(chunk)[:1000]
        assert (
            reporter.post(
                f"/report/contribution/{item_id}", data={"reason": "other", "details": details}
            ).status_code
            == 302
        )
        # The queue's own forms grow with its entries: only scripts, handlers and URLs count.
        queue = client.get("/moderation").get_data(as_text=True)
        if found := _active(queue):
            problems[("queue", number)] = found
        for payload in chunk:
            hidden = client.post(f"/moderation/contribution/{item_id}/hide",
                                 data={"reason": payload})  # fmt: skip
            assert hidden.status_code == 302
            page = app.test_client().get(f"/processes/{process.slug}/proposals/{item_id}")
            if found := _active(page.get_data(as_text=True)):
                problems[("hidden", payload)] = found
            client.post(f"/moderation/contribution/{item_id}/restore", data={"reason": payload})
    for page_number in (1, 2, 3):
        transparency = app.test_client().get(f"/transparency?page={page_number}")
        if found := _active(transparency.get_data(as_text=True)):
            problems[("transparency", page_number)] = found
    assert queue_baseline
    assert problems == {}


def _row_field_problems(app, model, row_id, field, limit, page, listings):
    """Write every payload that fits into one field of a row and look at its page and the
    listings that show it. The row is written directly: titles are escaped and descriptions
    sanitised when pages are rendered (each form's own checks are tested with its feature)."""
    from participation.extensions import db

    baseline = app.test_client().get(page).get_data(as_text=True)
    problems = {}
    for payload in _fits(limit):
        with app.app_context():
            setattr(db.session.get(model, row_id), field, strip_control_characters(payload))
            db.session.commit()  # as forms deliver it: without control characters
        for path in (page, *listings):
            html = app.test_client().get(path).get_data(as_text=True)
            if found := (_clean(html, baseline) if path == page else _active(html)):
                problems[(payload, path)] = found
    return problems


@pytest.mark.parametrize("field", ["title_th", "title_en", "description_th", "venue_th"])
def test_town_hall_fields(app, create_townhall, field):
    from participation.townhall.models import TownHall

    townhall = create_townhall(state="scheduled")
    limit = 200 if field.startswith(("title", "venue")) else 5000
    page = f"/townhalls/{townhall.slug}"
    assert _row_field_problems(app, TownHall, townhall.id, field, limit, page,
                               ("/townhalls/", "/")) == {}  # fmt: skip


@pytest.mark.parametrize("field", ["title_th", "title_en", "summary_th", "description_th"])
def test_process_fields(app, create_process, field):
    from participation.processes.models import Process

    process = create_process("reimagine")
    limit = 200 if field.startswith("title") else 5000
    page = f"/processes/{process.slug}"
    assert _row_field_problems(app, Process, process.id, field, limit, page,
                               ("/processes/", "/")) == {}  # fmt: skip


def test_suspension_reasons_shown_to_the_suspended(app, client, auth, admin, resident):
    auth.login(admin)
    theirs = app.test_client()
    problems = {}
    for payload in _fits(300)[:60]:
        client.post(f"/moderation/users/{resident.id}/unsuspend")
        response = client.post(f"/moderation/users/{resident.id}/suspend",
                               data={"days": "1", "reason": payload})  # fmt: skip
        assert response.status_code in (302, 422), payload
        Auth(theirs).login(resident)
        page = theirs.get("/profile").get_data(as_text=True)
        if found := _active(page):
            problems[payload] = found
    assert problems == {}


def test_town_hall_guest_names(app, create_townhall):
    """A guest's name (the only thing a guest types to join) on the guest's own page, on the
    facilitator's page with its guest badge, and on the projector."""
    from participation.extensions import db
    from participation.townhall import guests
    from participation.townhall import operations as ops
    from participation.townhall.models import TownHall

    problems, stored = {}, 0
    for chunk in _chunks(_fits(60), 20):
        townhall = create_townhall(allow_guests=True)
        cookies = {}
        with app.app_context():
            hall = db.session.get(TownHall, townhall.id)
            for n, payload in enumerate(chunk):
                try:
                    guest = guests.join_as_guest(hall, payload)
                except guests.GuestError:
                    db.session.rollback()
                    continue  # refused with a clear message: nothing stored
                ops.ask_question(hall, guest.user, f"คำถามที่ {n}", f"xss-{n}")
                db.session.commit()
                cookies[payload] = (guests.cookie_name(hall), guests.cookie_value(guest))
        facilitator = app.test_client()
        Auth(facilitator).login(townhall.facilitator)
        page = f"/townhalls/{townhall.slug}"
        for path, client in ((page, facilitator), (page, app.test_client()),
                             (f"{page}/projector", app.test_client())):  # fmt: skip
            if found := _active(client.get(path).get_data(as_text=True)):
                problems[(chunk[0], path)] = found
        stored += len(cookies)
        for payload, cookie in cookies.items():
            own = app.test_client()
            own.set_cookie(*cookie)
            if found := _active(own.get(f"/townhalls/{townhall.slug}").get_data(as_text=True)):
                problems[(payload, "own page")] = found
    assert stored > len(_fits(60)) // 2  # most are names that are kept, and shown
    assert problems == {}


def test_photo_descriptions_and_landmarks(app, client, auth, resident, create_process):
    """Alt texts (an attribute) and landmarks (text, and on the map page and its GeoJSON)."""
    import io

    from tests.photos.images import phone_jpeg

    process = create_process("reframe")
    auth.login(resident)
    photo = phone_jpeg(40, 30)

    def post(text):
        response = client.post(
            f"/processes/{process.slug}/issues/new",
            data={"title": "ทางเท้าแตก", "body": "ทางเท้าแตกเป็นหลุม", "landmark": text,
                  "latitude": "18.78", "longitude": "98.92", "photo_alt": text,
                  "photos": [(io.BytesIO(photo), "a.jpg")]},
            content_type="multipart/form-data",
        )  # fmt: skip
        assert response.status_code == 302, text
        return response.headers["Location"]

    baseline_page = client.get(post(HARMLESS)).get_data(as_text=True)
    problems = {}
    for payload in _fits(200):
        page = client.get(post(payload)).get_data(as_text=True)
        if found := _clean(page, baseline_page):
            problems[payload] = found
    map_page = client.get(f"/processes/{process.slug}/map").get_data(as_text=True)
    if found := _active(map_page):
        problems["map page"] = found
    geojson = client.get(f"/api/v1/processes/{process.slug}/map.geojson")
    assert geojson.headers["Content-Type"] == "application/json"
    assert geojson.headers["X-Content-Type-Options"] == "nosniff"
    assert problems == {}


def test_photo_descriptions_of_comments_and_progress_updates(
    app, client, auth, resident, council, create_process, create_contribution, move_to
):
    """A comment's photo description and a progress update's, as the resident and a visitor
    see them (the thread is cached for visitors)."""
    import io

    from tests.photos.images import phone_jpeg

    photo = phone_jpeg(40, 30)
    process = create_process("reimagine")
    item_id, other, updated, baseline_id = (create_contribution(process, resident)
                                            for _ in range(4))  # fmt: skip
    auth.login(resident)

    def comment(on, text):
        response = client.post(f"/contributions/{on}/comments",
                               data={"body": HARMLESS, "photo_alt": text,
                                     "photo": [(io.BytesIO(photo), "a.jpg")]},
                               content_type="multipart/form-data")  # fmt: skip
        assert response.status_code == 302, text

    for payload in _fits(300):
        comment(other, HARMLESS)
        comment(item_id, payload)
    problems = {}
    for reader in (client, app.test_client()):
        page = reader.get(f"/processes/{process.slug}/proposals/{item_id}")
        baseline = reader.get(f"/processes/{process.slug}/proposals/{other}")
        if found := _clean(page.get_data(as_text=True), baseline.get_data(as_text=True)):
            problems[("comments", reader is client)] = found
    auth.logout()
    move_to(process, "remake")
    auth.login(council)

    def update(on, text):
        response = client.post(f"/processes/{process.slug}/proposals/{on}/updates",
                               data={"update_date": "2026-11-01", "progress": 10,
                                     "body": HARMLESS, "photo_alt": text,
                                     "photos": [(io.BytesIO(photo), "a.jpg")]},
                               content_type="multipart/form-data")  # fmt: skip
        assert response.status_code == 302, text

    for proposal_id in (updated, baseline_id):
        client.post(f"/processes/{process.slug}/proposals/{proposal_id}/response",
                    data={"status": "accepted", "body": HARMLESS})  # fmt: skip
    for payload in _fits(300)[:60]:  # compared element by element with as many harmless ones
        update(baseline_id, HARMLESS)
        update(updated, payload)
    auth.logout()
    page = client.get(f"/processes/{process.slug}/proposals/{updated}").get_data(as_text=True)
    baseline = client.get(f"/processes/{process.slug}/proposals/{baseline_id}")
    if found := _clean(page, baseline.get_data(as_text=True)):
        problems["updates"] = found
    auth.login(council)
    for payload in _fits(300)[60:]:  # the rest: nothing on the page may run
        update(updated, payload)
    auth.logout()
    page = client.get(f"/processes/{process.slug}/proposals/{updated}").get_data(as_text=True)
    if found := _active(page):
        problems["all updates"] = found
    assert problems == {}


def test_survey_questions_choices_and_answers(app, client, auth, create_survey):  # noqa: F811
    """Question texts, choices and written answers in every payload: the survey page, the
    builder, the preview and the published results render none of them as markup."""
    survey = create_survey(published=True, questions=[
        ("base", {"kind": "single", "text_th": HARMLESS, "choices_th": f"{HARMLESS}\nอื่น ๆ"}),
        ("text", {"kind": "long_text", "text_th": HARMLESS}),
    ])  # fmt: skip
    pages = [f"/surveys/{survey.id}", f"/surveys/{survey.id}/build",
             f"/surveys/{survey.id}/preview", f"/surveys/{survey.id}/results"]  # fmt: skip
    auth.login(survey.facilitator)
    payloads = _fits(200)
    problems = {}
    for chunk in _chunks(payloads, 40):
        for payload in chunk:
            added = client.post(f"/surveys/{survey.id}/build", data={
                "kind": "multiple", "text_th": payload, "explanation_th": payload,
                "choices_th": f"{payload}\nอื่น ๆ",
            })  # fmt: skip
            assert added.status_code == 302, payload
        for page in pages:
            if found := _active(client.get(page).get_data(as_text=True)):
                problems[page] = found
        # Remove the chunk's questions again (before anyone answers, they are not locked).
        from participation.extensions import db
        from participation.surveys.models import Survey

        with app.app_context():
            stored = db.session.get(Survey, survey.id)
            for question in stored.questions[2:]:
                db.session.delete(question)
            db.session.commit()
    for payload in payloads:
        sent = app.test_client().post(f"/surveys/{survey.id}",
                              data={f"q{survey.q['text']}": payload})  # fmt: skip
        assert sent.status_code == 302, payload
    page = client.get(f"/surveys/{survey.id}/results?texts=all").get_data(as_text=True)
    assert page.count('class="survey-text"') == len(payloads)
    if found := _active(page):  # each answer has its hide form, so only what could run
        problems["results"] = found
    assert problems == {}
