"""A resident creates an account; bad input gets a clear, translated error and saves nothing."""

import pytest
import sqlalchemy as sa

from participation.accounts.models import User

GOOD = {
    "display_name": "มาลี ศรีสุข",
    "email": "Malee@Example.org",
    "password": "ดอกไม้บานที่แม่เหียะ2569",
    "preferred_language": "th",
    "consent": "y",
}


def _count_users(in_db):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(User))


def test_resident_registers_and_is_signed_in(client, in_db):
    response = client.post("/register", data=GOOD)

    assert response.status_code == 302
    with in_db() as session:
        user = session.scalar(sa.select(User))
        assert user.email == "malee@example.org"
        assert user.display_name == "มาลี ศรีสุข"
        assert user.preferred_language == "th"
        assert user.privacy_consent_version == 1
        assert user.password_hash.startswith("$argon2id$")
        assert "ดอกไม้" not in user.password_hash
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert "malee@example.org" in profile.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message", "variables"),
    [
        ({"consent": ""}, "Please read and accept the privacy notice to create an account.", {}),
        (
            {"password": "1234567890"},
            "This password is too easy to guess. Try a few words that only you would put "
            "together.",
            {},
        ),
        ({"password": "สั้นไป"}, "Use at least %(count)s characters for your password.",
         {"count": 10}),
        ({"email": "not-an-email"}, "Please enter a valid e-mail address.", {}),
        ({"email": ""}, "Please enter your e-mail address.", {}),
        ({"display_name": "   "}, "Please enter the name others will see.", {}),
        ({"display_name": "ก" * 61}, "Use at most %(max)d characters.", {"max": 60}),
        ({"preferred_language": "fr"}, "Please choose Thai or English.", {}),
    ],
)  # fmt: skip
def test_bad_registration_says_what_to_fix_in_thai_and_saves_nothing(
    client, in_db, thai, change, message, variables
):
    response = client.post("/register", data={**GOOD, **change})

    assert response.status_code == 422
    assert thai(message, **variables) in response.get_data(as_text=True)
    assert _count_users(in_db) == 0


def test_duplicate_email_is_refused_whatever_its_case(client, in_db, thai, create_user):
    create_user(email="malee@example.org")

    response = client.post("/register", data={**GOOD, "email": "MALEE@example.ORG"})

    assert response.status_code == 422
    message = "An account with this e-mail already exists. Sign in, or reset your password."
    assert thai(message) in response.get_data(as_text=True)
    assert _count_users(in_db) == 1


def test_registration_errors_are_in_english_for_english_readers(client):
    client.set_cookie("lang", "en")

    response = client.post("/register", data={**GOOD, "consent": ""})

    assert "Please read and accept the privacy notice" in response.get_data(as_text=True)


def test_password_containing_the_email_name_is_too_weak(client, in_db):
    response = client.post(
        "/register", data={**GOOD, "email": "somchai@example.org", "password": "somchai-2569!"}
    )

    assert response.status_code == 422
    assert _count_users(in_db) == 0


def test_registration_form_is_labelled_and_asks_for_consent(client):
    page = client.get("/register").get_data(as_text=True)

    for field in ("display_name", "email", "password", "consent"):
        assert f'for="{field}"' in page
    assert 'href="/privacy"' in page


@pytest.mark.parametrize(
    ("password", "password_message", "variables"),
    [
        ("short", "Use at least %(count)s characters for your password.", {"count": 10}),
        ("", "Please choose a password.", {}),
    ],
)  # fmt: skip
def test_registration_shows_every_error_at_once(
    client, in_db, thai, password, password_message, variables
):
    """A short (or missing) password and no consent: both are said on the first try."""
    response = client.post(
        "/register", data={**GOOD, "password": password, "consent": "", "display_name": ""}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert thai(password_message, **variables) in page
    assert thai("Please read and accept the privacy notice to create an account.") in page
    assert thai("Please enter the name others will see.") in page
    assert _count_users(in_db) == 0
