"""A suspension has two reasons: one for the person, never published, and a public one."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from participation.extensions import db
from tests.conftest import Auth

PRIVATE = "ส่งข้อความคุกคามคุณสมศรีทางข้อความส่วนตัวหลายครั้ง"
PUBLIC = "ละเมิดกติกาการใช้งานเรื่องการคุกคามผู้อื่น"


def _suspend(client, user_id, **reasons):
    return client.post(f"/moderation/users/{user_id}/suspend", data={"days": "7", **reasons})


def test_the_persons_reason_stays_private_and_the_public_reason_is_published(
    app, client, auth, admin, resident
):
    auth.login(admin)

    assert _suspend(client, resident.id, reason=PRIVATE, public_reason=PUBLIC).status_code == 302

    transparency = app.test_client().get("/transparency").get_data(as_text=True)
    api_log = app.test_client().get("/api/v1/action-log").get_data(as_text=True)
    assert PUBLIC in transparency
    assert PRIVATE not in transparency
    assert PUBLIC in api_log
    assert PRIVATE not in api_log
    staff_log = client.get("/admin/log").get_data(as_text=True)
    assert PRIVATE in staff_log
    assert PUBLIC in staff_log
    theirs = app.test_client()
    Auth(theirs).login(resident)
    assert PRIVATE in theirs.get("/notifications/").get_data(as_text=True)  # told why


def test_without_a_public_reason_nothing_of_the_private_one_is_published(
    app, client, auth, admin, resident
):
    auth.login(admin)

    _suspend(client, resident.id, reason=PRIVATE)

    assert PRIVATE not in app.test_client().get("/transparency").get_data(as_text=True)
    assert PRIVATE not in app.test_client().get("/api/v1/action-log").get_data(as_text=True)


def test_the_form_says_which_reason_is_public(client, auth, admin, resident, thai):
    auth.login(admin)

    page = client.get(f"/moderation/users/{resident.id}/suspend").get_data(as_text=True)

    assert thai("Reason the person will see (not published)") in page
    assert thai("Public reason on the transparency page (optional)") in page
    assert thai("Published for everyone to read. Name no one and give no personal data.") in page


def test_existing_suspension_reasons_become_private_when_upgrading(config, tmp_path, make_app):
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/old.sqlite3"
    app = make_app(config)
    insert = sa.text(
        "INSERT INTO action_log (created_dt, action, reason, details, is_public) "
        "VALUES ('2026-11-30 10:00:00', :action, :reason, '{}', 1)"
    )
    rows = sa.text("SELECT action, reason, private_reason FROM action_log ORDER BY id")
    with app.app_context():
        upgrade(revision="810d3d1eed80")
        with db.engine.begin() as connection:
            connection.execute(insert, {"action": "user.suspend", "reason": PRIVATE})
            connection.execute(insert, {"action": "moderation.hide", "reason": "โฆษณา"})
        upgrade()
        with db.engine.connect() as connection:
            upgraded = connection.execute(rows).all()
        downgrade(revision="810d3d1eed80")
        with db.engine.connect() as connection:
            restored = connection.execute(sa.text("SELECT action, reason FROM action_log")).all()

    assert upgraded == [("user.suspend", "", PRIVATE), ("moderation.hide", "โฆษณา", "")]
    assert restored == [("user.suspend", PRIVATE), ("moderation.hide", "โฆษณา")]
