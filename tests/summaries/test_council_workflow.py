"""Council members review a summary, add their statement and publish it; residents are told."""

import re

import pytest
import sqlalchemy as sa


def page(slug, suffix=""):
    return f"/summaries/processes/{slug}{suffix}"


def test_residents_cannot_see_a_summary_before_the_council_publishes_it(
    client, auth, finished_process
):
    slug = finished_process.slug
    for suffix in ("", ".pdf", ".json", ".csv", "/data/proposals.csv"):
        assert client.get(page(slug, suffix)).status_code == 404
    auth.login(finished_process.people[0])
    assert client.get(page(slug)).status_code == 404
    assert client.post(page(slug, "/publish")).status_code == 404


def test_the_facilitator_reads_the_draft_but_only_the_council_publishes(
    client, auth, finished_process
):
    auth.login(finished_process.facilitator)
    assert client.get(page(finished_process.slug)).status_code == 200
    assert client.post(page(finished_process.slug, "/review")).status_code == 403
    assert client.post(page(finished_process.slug, "/publish")).status_code == 403


def test_council_reviews_writes_a_statement_and_publishes(client, auth, finished_process, in_db):
    from participation.notifications.models import Notification
    from participation.summaries.models import Summary

    slug = finished_process.slug
    auth.login(finished_process.council)
    dashboard = client.get("/summaries/").get_data(as_text=True)
    assert "รอตรวจทาน" in dashboard
    assert f"/summaries/processes/{slug}" in dashboard
    html = client.get(page(slug)).get_data(as_text=True)
    assert "สำหรับสภาเทศบาล" in html
    assert "ยืนยันว่าตรวจทานแล้ว" in html

    assert client.post(page(slug, "/review")).status_code == 302
    response = client.post(page(slug, "/statement"), data={
        "statement_th": "สภาเทศบาลรับข้อเสนอไฟส่องสว่างไปดำเนินการ",
        "statement_en": "The council takes the street lights forward.",
    })  # fmt: skip
    assert response.status_code == 302
    assert client.post(page(slug, "/publish")).status_code == 302

    with in_db() as session:
        summary = session.scalar(sa.select(Summary))
        assert summary.state == "published"
        assert summary.published_dt is not None
        told = set(session.scalars(
            sa.select(Notification.user_id).where(Notification.kind == "summary")
        ))  # fmt: skip
    assert told == {person.id for person in finished_process.people}  # the 8 who took part

    auth.logout()
    public = client.get(page(slug)).get_data(as_text=True)
    assert "สภาเทศบาลรับข้อเสนอไฟส่องสว่างไปดำเนินการ" in public
    assert "สำหรับสภาเทศบาล" not in public  # no council controls for visitors
    assert f"/summaries/processes/{slug}" in client.get(f"/processes/{slug}").get_data(as_text=True)

    auth.login(finished_process.people[0])
    notes = client.get("/notifications/").get_data(as_text=True)
    assert "สภาเทศบาลเผยแพร่สรุปผล" in notes
    opened = client.get(re.search(r'href="(/notifications/\d+)"', notes).group(1))
    assert opened.headers["Location"].endswith(f"/summaries/processes/{slug}")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((("publish", None),), "กรุณาตรวจทานสรุปผลก่อนเผยแพร่"),
        ((("review", None), ("publish", None)), "กรุณาเขียนแถลงการณ์ของสภาเทศบาลก่อนเผยแพร่"),
        ((("review", None), ("review", None)), "สรุปผลนี้ตรวจทานไปแล้ว"),
        ((("unpublish", None),), "สรุปผลนี้ยังไม่ได้เผยแพร่"),
        ((("statement", {"statement_th": "ก" * 5001}),), "5000"),
    ],
)
def test_council_mistakes_get_a_clear_error_and_change_nothing(
    client, auth, finished_process, in_db, steps, message
):
    from participation.summaries.models import Summary

    auth.login(finished_process.council)
    slug = finished_process.slug
    client.get(page(slug))
    *setup, (action, data) = steps
    for step, step_data in setup:
        client.post(page(slug, f"/{step}"), data=step_data or {})
    with in_db() as session:
        before = (session.scalar(sa.select(Summary.state)),
                  session.scalar(sa.select(Summary.statement_th)))  # fmt: skip
    response = client.post(page(slug, f"/{action}"), data=data or {},
                           headers={"Accept": "application/json"})  # fmt: skip
    assert response.status_code == 422
    assert message in response.get_json()["message"]
    with in_db() as session:
        after = (session.scalar(sa.select(Summary.state)),
                 session.scalar(sa.select(Summary.statement_th)))  # fmt: skip
    assert after == before


def test_a_published_summary_keeps_a_statement(client, auth, finished_process):
    slug = finished_process.slug
    auth.login(finished_process.council)
    client.post(page(slug, "/review"))
    client.post(page(slug, "/statement"), data={"statement_th": "แถลงการณ์"})
    client.post(page(slug, "/publish"))
    response = client.post(page(slug, "/statement"), data={"statement_th": " ", "statement_en": ""},
                           headers={"Accept": "application/json"})  # fmt: skip
    assert response.status_code == 422


def test_withdrawn_publication_hides_the_page_again_and_does_not_notify_twice(
    client, auth, finished_process, in_db
):
    from participation.notifications.models import Notification

    slug = finished_process.slug
    auth.login(finished_process.council)
    client.post(page(slug, "/review"))
    client.post(page(slug, "/statement"), data={"statement_th": "แถลงการณ์"})
    client.post(page(slug, "/publish"))
    client.post(page(slug, "/unpublish"), data={"confirm": "yes"})
    auth.logout()
    assert client.get(page(slug)).status_code == 404
    auth.login(finished_process.council)
    client.post(page(slug, "/publish"))
    with in_db() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Notification)
                               .where(Notification.kind == "summary"))  # fmt: skip
    assert count == 8


def test_the_council_cannot_publish_the_summary_of_a_process_still_under_way(
    client, auth, create_user, create_process, thai, in_db
):
    from participation.notifications.models import Notification
    from participation.summaries.models import Summary

    process = create_process("reimagine")
    auth.login(create_user(roles=["council"]))
    client.get(page(process.slug))  # typed in: the draft opens
    client.post(page(process.slug, "/review"))
    client.post(page(process.slug, "/statement"), data={"statement_th": "แถลงการณ์"})
    response = client.post(page(process.slug, "/publish"), headers={"Accept": "application/json"})

    assert response.status_code == 422
    assert thai("A summary can be published once its process reaches Remake, or its town hall "
                "has ended.") in response.get_json()["message"]  # fmt: skip
    with in_db() as session:
        assert session.scalar(sa.select(Summary.state)) == "reviewed"
        assert not session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                  .where(Notification.kind == "summary"))  # fmt: skip


def test_withdrawing_a_published_summary_asks_for_confirmation_first(
    client, auth, finished_process, thai
):
    slug = finished_process.slug
    auth.login(finished_process.council)
    client.post(page(slug, "/review"))
    client.post(page(slug, "/statement"), data={"statement_th": "แถลงการณ์"})
    client.post(page(slug, "/publish"))

    council_page = client.get(page(slug)).get_data(as_text=True)
    unconfirmed = client.post(page(slug, "/unpublish"), headers={"Accept": "application/json"})

    # The page's first button only unfolds the explanation; the form inside confirms.
    panel = council_page[council_page.index("data-confirm-unpublish") :]
    panel = panel[: panel.index("</details>")]
    assert thai("Yes, withdraw it from public view") in panel
    assert 'name="confirm" value="yes"' in panel
    assert unconfirmed.status_code == 422
    assert unconfirmed.json["message"] == thai(
        "Please confirm that the summary should be withdrawn from public view."
    )
    auth.logout()
    assert client.get(page(slug)).status_code == 200  # still public


def test_changing_one_language_of_the_statement_warns_to_check_the_other(
    client, auth, finished_process, thai
):
    slug = finished_process.slug
    auth.login(finished_process.council)
    client.get(page(slug))
    both = {"statement_th": "สภารับข้อเสนอไฟส่องสว่าง", "statement_en": "The council accepts"}
    first = client.post(page(slug, "/statement"), data=both, headers={"Accept": "application/json"})
    only_thai = client.post(
        page(slug, "/statement"),
        data={**both, "statement_th": "สภารับข้อเสนอไฟส่องสว่างและทางเท้า"},
        headers={"Accept": "application/json"},
    )

    assert first.json["message"] == thai("The council's statement is saved.")
    assert only_thai.json["message"] == thai(
        "The council's statement is saved, but only one language changed: check that the "
        "%(language)s text still says the same.",
        language=thai("English"),
    )


def test_after_withdrawing_the_page_says_so_instead_of_published(
    client, auth, finished_process, thai
):
    slug = finished_process.slug
    auth.login(finished_process.council)
    client.post(page(slug, "/review"))
    client.post(page(slug, "/statement"), data={"statement_th": "แถลงการณ์"})
    client.post(page(slug, "/publish"))
    client.post(page(slug, "/unpublish"), data={"confirm": "yes"})

    council_page = client.get(page(slug)).get_data(as_text=True)
    auth.logout()
    auth.login(finished_process.facilitator)
    facilitator_page = client.get(page(slug)).get_data(as_text=True)

    state = council_page[council_page.index('id="council-title"') :].split("</p>")[0]
    withdrawn = thai("withdrawn from public view (first published %(when)s)", when="@")
    assert withdrawn.split("@")[0] in state
    assert "· " + thai("published %(when)s", when="@").split("@")[0] not in state
    assert thai("The council withdrew this summary from public view. Residents do not see it.") \
        in facilitator_page  # fmt: skip
    assert thai("This summary is not public yet: the council reviews and publishes it.") \
        not in facilitator_page  # fmt: skip


def test_the_day_by_day_table_is_folded_on_the_page(client, auth, finished_process, thai):
    auth.login(finished_process.council)

    body = client.get(page(finished_process.slug)).get_data(as_text=True)

    day_by_day = body[body.index(thai("Day by day")) :]
    assert day_by_day.index('<details class="chart__fold">') < day_by_day.index("<table")
