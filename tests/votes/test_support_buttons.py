"""Support buttons where residents look: on the list cards (a plain form without JavaScript),
and a button that says why it cannot be pressed when no support is left."""

import re

import pytest
import sqlalchemy as sa

from participation.proposals.models import Contribution


def _token(page):
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _card_forms(page):
    return re.findall(r'<div class="card__support" data-support-box>.*?</form>', page, re.S)


@pytest.fixture
def csrf_on(config):
    config.WTF_CSRF_ENABLED = True
    return config


def test_resident_supports_from_the_list_without_javascript(
    csrf_on, app, resident, create_user, create_process, create_contribution, in_db, thai
):
    process = create_process("reimagine", support_threshold=5)
    author = create_user()
    first = create_contribution(process, author, title="ทางเท้าริมคลอง")
    create_contribution(process, author, title="ไฟส่องสว่างซอยวัด")
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": resident.email, "password": resident.password,
                                "csrf_token": _token(login_page)})  # fmt: skip
    url = f"/processes/{process.slug}/proposals?sort=newest"

    page = client.get(url).get_data(as_text=True)
    forms = _card_forms(page)
    assert len(forms) == 2
    form = next(f for f in forms if f"/proposals/{first}/support" in f)
    assert 'name="csrf_token"' in form
    assert f'name="next" value="/processes/{process.slug}/proposals?sort=newest"' in form
    # Without the token the support is refused; with it, the reader comes back to the list.
    action = f"/processes/{process.slug}/proposals/{first}/support"
    assert client.post(action, data={"support": "1", "next": url}).status_code == 400
    response = client.post(action, data={"support": "1", "next": url, "csrf_token": _token(form)})

    assert response.status_code == 302
    assert response.headers["Location"] == url
    with in_db() as session:
        assert session.get(Contribution, first).support_count == 1
    back = client.get(url).get_data(as_text=True)
    assert thai("Thank you for your support.") in back
    supported = next(f for f in _card_forms(back) if f"/proposals/{first}/support" in f)
    assert 'name="support" value="0"' in supported
    assert thai("Withdraw support") in supported


def test_support_cannot_leave_the_site_through_next(
    client, auth, resident, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    proposal = create_contribution(process, create_user())
    auth.login(resident)

    response = client.post(
        f"/processes/{process.slug}/proposals/{proposal}/support",
        data={"support": "1", "next": "//evil.example/"},
    )

    assert response.headers["Location"] == f"/processes/{process.slug}/proposals/{proposal}"


def test_visitors_see_no_support_form_on_the_cards(client, resident, create_process,
                                                   create_contribution):  # fmt: skip
    process = create_process("reimagine")
    create_contribution(process, resident)

    assert _card_forms(client.get(f"/processes/{process.slug}/proposals").get_data(True)) == []


def test_support_button_says_why_it_is_disabled_with_no_support_left(
    client, auth, resident, create_user, create_process, create_contribution, thai
):
    process = create_process("reimagine", max_supports=1)
    author = create_user()
    chosen = create_contribution(process, author, title="ข้อเสนอที่เลือกแล้ว")
    other = create_contribution(process, author, title="ข้อเสนออีกเรื่อง")
    auth.login(resident)
    client.post(f"/processes/{process.slug}/proposals/{chosen}/support", data={"support": "1"})
    reason = thai(
        "You have used all your %(total)s supports in this process. Withdraw one from another "
        "proposal to support this one.",
        total=1,
    )

    other_page = client.get(f"/processes/{process.slug}/proposals/{other}").get_data(True)
    chosen_page = client.get(f"/processes/{process.slug}/proposals/{chosen}").get_data(True)
    listing = client.get(f"/processes/{process.slug}/proposals").get_data(True)

    button = re.search(r"<button[^>]*data-label-support[^>]*>", other_page, re.S).group(0)
    assert "disabled" in button
    assert f'aria-describedby="none-left-{other}"' in button
    assert f'id="none-left-{other}" data-none-left>{reason}' in other_page
    # The proposal already supported keeps its enabled "Withdraw support" button.
    button = re.search(r"<button[^>]*data-label-support[^>]*>", chosen_page, re.S).group(0)
    assert "disabled" not in button
    assert f'id="none-left-{chosen}" data-none-left hidden>' in chosen_page
    assert f'id="none-left-{other}" data-none-left>{reason}' in listing


def test_support_answer_says_whether_the_proposal_qualifies(
    client, auth, resident, create_user, create_process, create_contribution, in_db
):
    process = create_process("reimagine", support_threshold=2)
    proposal = create_contribution(process, create_user())
    with in_db() as session:
        session.execute(sa.update(Contribution).values(support_count=1))
        session.commit()
    auth.login(resident)

    answer = client.post(
        f"/processes/{process.slug}/proposals/{proposal}/support",
        data={"support": "1"}, headers={"Accept": "application/json"},
    ).json  # fmt: skip

    assert (answer["support_count"], answer["qualifies"]) == (2, True)
