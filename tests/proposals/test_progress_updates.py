"""Progress updates: dates typed in the reader's era, far dates confirmed, corrections by the
author with history, deletion, and followers told of a correction."""

from datetime import date

import pytest
import sqlalchemy as sa

from participation.notifications.models import Notification
from participation.proposals.models import ImplementationUpdate, ImplementationUpdateVersion

# This year, as a Thai clerk (BE) and an English reader (CE) would type it: 2569 and 2026 in 2026.
THIS_YEAR = date.today().year
BE_YEAR = THIS_YEAR + 543


def _url(process, *parts):
    return "/".join([f"/processes/{process.slug}", *[str(p) for p in parts]])


def _updates(in_db):
    with in_db() as session:
        return [
            (u.update_date, u.progress, u.body)
            for u in session.scalars(
                sa.select(ImplementationUpdate).order_by(ImplementationUpdate.id)
            )
        ]


def _typed(day, month, year, **more):
    return {"update_date-day": day, "update_date-month": month, "update_date-year": year,
            "progress": 30, "body": "ปรับพื้นที่แล้ว", **more}  # fmt: skip


def test_council_member_typing_2569_in_thai_publishes_2026(client, accepted, in_db):
    process, proposal_id = accepted

    response = client.post(_url(process, "proposals", proposal_id, "updates"),
                           data=_typed("5", "6", str(BE_YEAR)))  # fmt: skip

    assert response.status_code == 302
    assert _updates(in_db) == [(date(THIS_YEAR, 6, 5), 30, "ปรับพื้นที่แล้ว")]
    page = client.get(_url(process, "proposals", proposal_id)).get_data(as_text=True)
    assert f"5 มิ.ย. {BE_YEAR}" in page
    assert str(BE_YEAR + 543) not in page


def test_council_member_typing_2026_in_english_publishes_2026(
    client, auth, resident, create_user, create_process, create_contribution, move_to, in_db
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    move_to(process, "remake")
    auth.login(create_user(roles=["council"], language="en"))
    client.post(_url(process, "proposals", proposal_id, "response"),
                data={"status": "accepted", "body": "Accepted"})  # fmt: skip

    response = client.post(_url(process, "proposals", proposal_id, "updates"),
                           data=_typed("5", "6", str(THIS_YEAR)))  # fmt: skip

    assert response.status_code == 302
    assert _updates(in_db) == [(date(THIS_YEAR, 6, 5), 30, "ปรับพื้นที่แล้ว")]
    page = client.get(_url(process, "proposals", proposal_id)).get_data(as_text=True)
    assert f"5 Jun {THIS_YEAR}" in page


def test_a_far_date_is_saved_only_once_confirmed(client, accepted, in_db, thai):
    process, proposal_id = accepted
    url = _url(process, "proposals", proposal_id, "updates")

    # The habit the issue reported: the Buddhist year added twice.
    refused = client.post(url, data=_typed("5", "12", "3112"))

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert thai("This date is more than %(years)s years from today.", years=3) in page
    assert 'name="update_date-confirm"' in page
    assert thai("Yes, I mean %(date)s", date="5 ธ.ค. 3112") in page  # BE 3112 is CE 2569
    assert 'value="3112"' in page  # what was typed is kept
    assert _updates(in_db) == []

    # Ticking the box for another date confirms nothing.
    other = client.post(
        url, data=_typed("6", "12", "3112", **{"update_date-confirm": "2569-12-05"})
    )
    assert other.status_code == 422
    assert _updates(in_db) == []

    confirmed = client.post(
        url, data=_typed("5", "12", "3112", **{"update_date-confirm": "2569-12-05"})
    )

    assert confirmed.status_code == 302
    assert _updates(in_db) == [(date(2569, 12, 5), 30, "ปรับพื้นที่แล้ว")]


def test_a_year_in_the_other_era_is_shown_as_understood_before_saving(
    client, accepted, in_db, thai
):
    process, proposal_id = accepted
    url = _url(process, "proposals", proposal_id, "updates")

    # a Common-Era year on a Thai form
    asked = client.post(url, data=_typed("5", "6", str(THIS_YEAR)))

    page = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert thai("Yes, I mean %(date)s", date=f"5 มิ.ย. {BE_YEAR}") in page
    assert _updates(in_db) == []
    client.post(
        url, data=_typed("5", "6", str(THIS_YEAR), **{"update_date-confirm": f"{THIS_YEAR}-06-05"})
    )
    assert _updates(in_db) == [(date(THIS_YEAR, 6, 5), 30, "ปรับพื้นที่แล้ว")]


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2569", "This month has no such day."),
        ("5", "", "2569", "Please choose the month."),
        ("5", "12", "สองพัน", "Please enter the year as a number, e.g. 2569."),
    ],
)  # fmt: skip
def test_a_date_that_is_not_a_date_is_explained(
    client, accepted, in_db, thai, day, month, year, message
):
    process, proposal_id = accepted

    response = client.post(_url(process, "proposals", proposal_id, "updates"),
                           data=_typed(day, month, year))  # fmt: skip

    assert response.status_code == 422
    assert thai(message) in response.get_data(as_text=True)
    assert _updates(in_db) == []


def _far_row(in_db, proposal_id, author_id):
    """The row the review found: published "5 ธ.ค. 3112" before dates knew the Buddhist Era."""
    with in_db() as session:
        update = ImplementationUpdate(
            proposal_id=proposal_id, author_id=author_id, update_date=date(3112, 12, 5),
            progress=10, body="เริ่มสำรวจพื้นที่", body_html="<p>เริ่มสำรวจพื้นที่</p>",
        )  # fmt: skip
        session.add(update)
        session.commit()
        return update.id


def test_author_corrects_the_3112_update_and_history_keeps_the_old_text(
    client, accepted, council, in_db
):
    process, proposal_id = accepted
    update_id = _far_row(in_db, proposal_id, council.id)
    edit = _url(process, "proposals", proposal_id, "updates", update_id, "edit")

    form = client.get(edit)
    assert form.status_code == 200
    assert 'value="3655"' in form.get_data(as_text=True)  # 3112 shown in the Buddhist Era

    response = client.post(edit, data={**_typed("5", "6", str(BE_YEAR)), "body": "สำรวจพื้นที่เสร็จ"})

    assert response.status_code == 302
    assert _updates(in_db) == [(date(THIS_YEAR, 6, 5), 30, "สำรวจพื้นที่เสร็จ")]
    with in_db() as session:
        old = session.scalars(sa.select(ImplementationUpdateVersion)).one()
        assert (old.update_date, old.progress, old.body) == (date(3112, 12, 5), 10,
                                                             "เริ่มสำรวจพื้นที่")  # fmt: skip
    history = client.get(_url(process, "proposals", proposal_id, "updates", update_id, "history"))
    text = history.get_data(as_text=True)
    assert "เริ่มสำรวจพื้นที่" in text
    assert "สำรวจพื้นที่เสร็จ" in text
    page = client.get(_url(process, "proposals", proposal_id)).get_data(as_text=True)
    assert f"/updates/{update_id}/history" in page


def test_author_deletes_the_3112_update(client, accepted, council, in_db):
    process, proposal_id = accepted
    update_id = _far_row(in_db, proposal_id, council.id)

    response = client.post(_url(process, "proposals", proposal_id, "updates", update_id, "delete"))

    assert response.status_code == 302
    assert _updates(in_db) == []
    page = client.get(_url(process, "proposals", proposal_id)).get_data(as_text=True)
    assert "เริ่มสำรวจพื้นที่" not in page


def test_another_council_member_cannot_correct_or_delete(
    client, auth, accepted, council, create_user, in_db
):
    process, proposal_id = accepted
    update_id = _far_row(in_db, proposal_id, council.id)
    auth.logout()
    auth.login(create_user(roles=["council"]))
    base = _url(process, "proposals", proposal_id, "updates", update_id)

    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/edit", data=_typed("5", "6", str(BE_YEAR))).status_code == 403
    assert client.post(f"{base}/delete").status_code == 403
    assert _updates(in_db) == [(date(3112, 12, 5), 10, "เริ่มสำรวจพื้นที่")]
    page = client.get(_url(process, "proposals", proposal_id)).get_data(as_text=True)
    assert f"{base}/edit" not in page


def test_followers_get_one_notification_of_a_correction(
    client, auth, accepted, council, resident, create_user, in_db, thai
):
    process, proposal_id = accepted
    follower = create_user()
    auth.logout()
    auth.login(follower)
    client.post(_url(process, "proposals", proposal_id, "follow"))
    auth.logout()
    auth.login(council)
    update_id = _far_row(in_db, proposal_id, council.id)
    edit = _url(process, "proposals", proposal_id, "updates", update_id, "edit")

    client.post(edit, data=_typed("5", "6", str(BE_YEAR)))
    client.post(edit, data=_typed("5", "6", str(BE_YEAR)))  # the same again: nothing changed

    with in_db() as session:
        kinds = session.scalars(
            sa.select(Notification.kind).where(Notification.user_id == follower.id)
        ).all()
    assert kinds == ["correction"]
    auth.logout()
    auth.login(follower)
    page = client.get("/notifications/").get_data(as_text=True)
    assert thai(
        '%(who)s corrected a progress update on "%(what)s"', who="สมศักดิ์ รักถิ่น", what="x"
    ).split("x")[0].replace("&#34;", '"') in page.replace("&#34;", '"')
