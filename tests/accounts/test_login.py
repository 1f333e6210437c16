"""Signing in and out, remember me, and what the sign-in page does not reveal."""

import sqlalchemy as sa

from participation.accounts.models import UserSession
from tests.conftest import PASSWORD


def test_resident_signs_in_and_out(client, auth, resident):
    response = auth.login(resident)
    assert response.headers["Location"] == "/"
    assert client.get("/profile").status_code == 200

    auth.logout()

    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/profile")


def test_wrong_password_and_unknown_email_get_the_same_answer(client, thai, resident):
    wrong_password = client.post("/login", data={"email": resident.email, "password": "nope-nope"})
    unknown_email = client.post(
        "/login", data={"email": "nobody@example.org", "password": "nope-nope"}
    )

    assert wrong_password.status_code == unknown_email.status_code == 422
    message = thai("The e-mail or password is not correct.")
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_sign_in_returns_to_the_page_that_asked(client, resident):
    response = client.post(
        "/login?next=/profile", data={"email": resident.email, "password": resident.password}
    )
    assert response.headers["Location"] == "/profile"


def test_sign_in_never_redirects_to_another_site(client, resident):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"email": resident.email, "password": resident.password}
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_each_sign_in_starts_a_new_session(client, auth, resident, in_db):
    auth.login(resident)
    auth.logout()
    auth.login(resident)

    with in_db() as session:
        rows = session.scalars(sa.select(UserSession).order_by(UserSession.id)).all()
        assert len(rows) == 2
        assert rows[0].token_hash != rows[1].token_hash
        assert rows[0].revoked_dt is not None
        assert rows[1].revoked_dt is None


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, auth, resident):
    auth.login(resident)
    stolen = app.test_client()
    stolen.set_cookie("session", auth.client.get_cookie("session").value)
    assert stolen.get("/profile").status_code == 200

    auth.logout()

    assert stolen.get("/profile").status_code == 302


def test_remember_me_keeps_a_remembered_session(client, auth, resident, in_db):
    auth.login(resident, remember=True)

    assert client.get_cookie("remember_token") is not None
    with in_db() as session:
        row = session.scalar(sa.select(UserSession))
        assert row.is_remembered
        assert (row.expires_dt - row.created_dt).days == 30


def test_remembered_browser_comes_back_signed_in_after_the_session_cookie_is_gone(
    client, auth, resident
):
    auth.login(resident, remember=True)
    client.delete_cookie("session")

    assert client.get("/profile").status_code == 200


def test_expired_session_is_signed_out(client, auth, resident, in_db):
    from datetime import timedelta

    auth.login(resident)
    with in_db() as session:
        row = session.scalar(sa.select(UserSession))
        row.last_seen_dt = row.last_seen_dt - timedelta(hours=3)
        session.commit()

    assert client.get("/profile").status_code == 302


def test_signing_out_needs_a_post(client, auth, resident):
    auth.login(resident)
    assert client.get("/logout").status_code == 405
    assert client.get("/profile").status_code == 200


def test_password_is_checked_while_no_transaction_is_open(client, resident, monkeypatch):
    """A crowd signing in at once must not queue on SQLite's write lock for Argon2's time."""
    from participation.accounts import operations
    from participation.extensions import db

    seen = []
    checked = operations.verify_password

    def verify(password_hash, password):
        seen.append(db.session().in_transaction())
        return checked(password_hash, password)

    monkeypatch.setattr(operations, "verify_password", verify)
    response = client.post("/login", data={"email": resident.email, "password": PASSWORD})

    assert response.status_code == 302
    assert seen == [False]
    assert client.get("/profile").status_code == 200


def test_residents_first_press_after_a_pause_is_answered_at_once_and_counts_as_activity(
    client, auth, resident, create_user, create_process, create_contribution, in_db, caplog
):
    import time
    from datetime import timedelta

    process = create_process("reimagine")
    item_id = create_contribution(process, resident)
    auth.login(create_user())
    with in_db() as session:  # the resident last did something ten minutes ago
        row = session.scalar(sa.select(UserSession))
        row.last_seen_dt = paused = row.last_seen_dt - timedelta(minutes=10)
        session.commit()

    started = time.monotonic()
    response = client.post(
        f"/processes/{process.slug}/proposals/{item_id}/support",
        data={"support": "1"}, headers={"Accept": "application/json"},
    )  # fmt: skip
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    # On SQLite the activity was once written on a second connection, which waited the whole
    # busy timeout (5 s) for the write lock its own request held, holding up every writer.
    assert elapsed < 2
    assert "Could not record session activity" not in caplog.text
    with in_db() as session:
        assert session.scalar(sa.select(UserSession.last_seen_dt)) > paused
