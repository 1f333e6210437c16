"""Forgotten passwords: an e-mailed link that expires, works once and reveals nothing."""

import re
from datetime import timedelta

import sqlalchemy as sa

from participation.accounts.models import PasswordResetToken
from tests.html import without_csrf_tokens

NEW_PASSWORD = "ต้นไม้ริมคลองแม่ข่า-2569"


def _link_from(message):
    body = message.get_content()
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def test_resident_resets_a_forgotten_password(client, auth, resident, mail):
    response = client.post("/password/forgot", data={"email": resident.email})
    assert response.status_code == 302

    assert len(mail) == 1
    assert mail[0]["To"] == resident.email
    link = _link_from(mail[0])
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": NEW_PASSWORD}).status_code == 302

    old = client.post("/login", data={"email": resident.email, "password": resident.password})
    assert old.status_code == 422
    resident.password = NEW_PASSWORD
    auth.login(resident)


def test_reset_mail_is_written_in_the_residents_language(client, create_user, mail):
    english = create_user(language="en")
    thai_reader = create_user(language="th")

    client.post("/password/forgot", data={"email": english.email})
    client.post("/password/forgot", data={"email": thai_reader.email})

    subjects = {message["To"]: message["Subject"] for message in mail}
    assert subjects[english.email] == "Reset your Ruamkid password"
    assert "ร่วมคิด" in subjects[thai_reader.email]


def test_unknown_email_gets_the_same_answer_and_no_mail(client, resident, mail):
    known = client.post("/password/forgot", data={"email": resident.email}, follow_redirects=True)
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )

    assert without_csrf_tokens(known.get_data(as_text=True)) == without_csrf_tokens(
        unknown.get_data(as_text=True)
    )
    assert len(mail) == 1


def test_reset_link_works_only_once(client, resident, mail):
    client.post("/password/forgot", data={"email": resident.email})
    link = _link_from(mail[0])
    client.post(link, data={"password": NEW_PASSWORD})

    reused = client.post(link, data={"password": "อีกรหัสหนึ่งที่ยาวพอ-2569"})

    assert reused.status_code == 410
    assert client.get(link).status_code == 410


def test_expired_reset_link_is_refused(client, resident, mail, in_db):
    client.post("/password/forgot", data={"email": resident.email})
    link = _link_from(mail[0])
    with in_db() as session:
        token = session.scalar(sa.select(PasswordResetToken))
        token.expires_dt = token.created_dt - timedelta(seconds=1)
        session.commit()

    response = client.post(link, data={"password": NEW_PASSWORD})

    assert response.status_code == 410
    assert (
        client.post("/login", data={"email": resident.email, "password": NEW_PASSWORD}).status_code
        == 422
    )


def test_made_up_reset_link_is_refused(client):
    assert client.get("/password/reset/not-a-real-token").status_code == 410


def test_using_one_link_kills_the_others(client, resident, mail):
    client.post("/password/forgot", data={"email": resident.email})
    client.post("/password/forgot", data={"email": resident.email})
    first, second = _link_from(mail[0]), _link_from(mail[1])

    client.post(second, data={"password": NEW_PASSWORD})

    assert client.get(first).status_code == 410


def test_weak_new_password_is_refused_and_the_link_still_works(client, resident, mail, thai):
    client.post("/password/forgot", data={"email": resident.email})
    link = _link_from(mail[0])

    response = client.post(link, data={"password": "short"})

    assert response.status_code == 422
    assert thai("Use at least %(count)s characters for your password.", count=10) in (
        response.get_data(as_text=True)
    )
    assert client.get(link).status_code == 200


def test_reset_signs_out_every_device(app, client, auth, resident, mail):
    auth.login(resident)
    other_device = app.test_client()
    client.post("/password/forgot", data={"email": resident.email})

    other_device.post(_link_from(mail[0]), data={"password": NEW_PASSWORD})

    assert client.get("/profile").status_code == 302


def test_reset_link_uses_the_public_address_whatever_the_host_header(config, make_app, resident):
    from participation.core.jobs import wait_for_jobs
    from participation.core.mail import outbox

    config.PUBLIC_URL = "https://ruamkid.example.org"
    config.TRUSTED_HOSTS = None  # even if a proxy let a forged Host through
    app = make_app(config)

    app.test_client().post(
        "/password/forgot", data={"email": resident.email}, headers={"Host": "evil.example"}
    )

    assert wait_for_jobs()
    with app.app_context():
        body = outbox()[0].get_content()
    assert "https://ruamkid.example.org/password/reset/" in body
    assert "evil.example" not in body


def test_without_a_public_address_a_forged_host_gets_the_development_address(client, resident,
                                                                             mail):  # fmt: skip
    client.post("/password/forgot", data={"email": resident.email},
                headers={"Host": "evil.example"})  # fmt: skip

    body = mail[0].get_content()
    assert "http://127.0.0.1:5000/password/reset/" in body
    assert "evil.example" not in body


def test_without_a_public_address_a_trusted_host_is_used_for_the_link(config, make_app, resident):
    from participation.core.jobs import wait_for_jobs
    from participation.core.mail import outbox

    config.TRUSTED_HOSTS = ["ruamkid.local"]
    app = make_app(config)

    app.test_client().post("/password/forgot", data={"email": resident.email},
                           headers={"Host": "ruamkid.local:8000"})  # fmt: skip

    assert wait_for_jobs()
    with app.app_context():
        assert "http://ruamkid.local:8000/password/reset/" in outbox()[0].get_content()
