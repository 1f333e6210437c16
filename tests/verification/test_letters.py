"""Letters with codes: made per community as an A4 PDF of slips (page and CLI), redeemed once
by a signed-in resident; wrong, used, expired and withdrawn codes refused; guessing locks out."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.models import utcnow
from participation.verification.models import LetterBatch, LetterCode, Verification
from tests.summaries.test_exports import pdf_text, same_text


def redeem(client, code, address="192.0.2.10"):
    return client.post(
        "/verification/code", data={"code": code}, environ_base={"REMOTE_ADDR": address}
    )


def test_an_administrator_prints_codes_as_slips_with_the_municipality_qr_and_code(
    client, auth, admin, municipality, count_rows, tmp_path, in_db
):
    auth.login(admin)

    response = client.post(
        "/verification/letters", data={"area_id": municipality[0].id, "count": 4, "days": 60}
    )

    assert response.mimetype == "application/pdf"
    text = same_text(pdf_text(response.data, tmp_path))
    assert same_text("เทศบาลทดสอบ") in text
    assert same_text("ชุมชนเหนือ") in text
    assert count_rows(LetterCode) == 4
    with in_db() as session:
        hashes = session.scalars(sa.select(LetterCode.token_hash)).all()
    assert all(len(h) == 64 for h in hashes)  # only hashes are kept
    codes = [word for word in pdf_text(response.data, tmp_path).split() if word.count("-") == 2]
    assert len(codes) == 4
    assert all(len(code) == 14 for code in codes)


def test_codes_are_long_single_use_and_never_use_look_alike_characters(app, make_codes):
    batch = make_codes(count=200)
    plain = [code.replace("-", "") for code in batch.codes]

    assert len(set(plain)) == 200
    assert all(len(code) == 12 for code in plain)
    assert not set("".join(plain)) & set("01IOLSZ2B85GUVDQ")


def test_a_resident_enters_a_code_and_is_verified_for_its_community(
    client, auth, resident, make_codes, verification_of, in_db
):
    batch = make_codes()
    auth.login(resident)

    prefilled = client.get("/verification/code", query_string={"code": batch.codes[0]})
    response = redeem(client, batch.codes[0].lower().replace("-", " "))

    assert batch.codes[0] in prefilled.get_data(as_text=True)
    assert response.status_code == 302
    assert verification_of(resident) == ("north", "letter")
    with in_db() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).where(LetterCode.used_dt.is_not(None))) == 1
        )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong", "This code is not right. Please check it against your letter."),
        ("used", "This code was already used. Each code verifies one account."),
        ("expired", "This code has expired. Please verify at the municipal office."),
        ("withdrawn", "This code was withdrawn by the municipality. Please verify at the office."),
    ],
)
def test_a_code_that_cannot_verify_is_refused_with_why_and_changes_nothing(
    app,
    client,
    auth,
    create_user,
    resident,
    admin,
    make_codes,
    verification_of,
    in_db,
    thai,
    case,
    message,
):
    batch = make_codes()
    code = batch.codes[0]
    if case == "wrong":
        code = "ACEF-HJKM-NPRT"
    elif case == "used":
        first = app.test_client()
        first.post("/login", data={"email": admin.email, "password": admin.password})
        assert redeem(first, code).status_code == 302
    else:
        with in_db() as session:
            row = session.get(LetterBatch, batch.id)
            if case == "expired":
                row.expires_dt = utcnow() - timedelta(minutes=1)
            else:
                row.withdrawn_dt = utcnow()
            session.commit()
    auth.login(resident)

    response = redeem(client, code)

    assert response.status_code == 422
    assert thai(message) in response.get_data(as_text=True)
    assert verification_of(resident) is None


def test_withdrawing_a_batch_stops_all_its_unused_codes(
    client, auth, admin, resident, make_codes, verification_of, in_db
):
    batch = make_codes(count=5)
    auth.login(admin)
    client.post(f"/verification/letters/{batch.id}/withdraw")
    auth.logout()
    auth.login(resident)

    refused = [redeem(client, code).status_code for code in batch.codes]

    assert refused == [422] * 5
    assert verification_of(resident) is None


def test_guessing_codes_locks_the_person_out_even_for_a_right_code(
    app, config, make_app, resident, make_codes, verification_of, thai
):
    config.VERIFICATION_ATTEMPTS = 3
    guarded = make_app(config)
    batch = make_codes()
    client = guarded.test_client()
    client.post("/login", data={"email": resident.email, "password": resident.password})

    guesses = [
        redeem(client, f"ACEF-HJKM-NPR{c}", address=f"198.51.100.{n}").status_code
        for n, c in enumerate("TWX")
    ]
    locked = redeem(client, batch.codes[0], address="203.0.113.5")

    assert guesses == [422, 422, 429]
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert (
        thai.plural(
            "Too many codes that did not work. For safety, please wait %(num)s minute and try "
            "again, or verify at the municipal office.",
            "Too many codes that did not work. For safety, please wait %(num)s minutes and try "
            "again, or verify at the municipal office.",
            60,
        )
        in page
    )
    assert verification_of(resident) is None


def test_guessing_from_one_address_locks_that_address_for_every_account(
    app, config, make_app, create_user, make_codes, verification_of
):
    config.VERIFICATION_ATTEMPTS = 10
    config.VERIFICATION_ADDRESS_ATTEMPTS = 2
    guarded = make_app(config)
    batch = make_codes()
    people = [create_user() for _ in range(3)]
    codes = []
    for person, guess in zip(
        people, ("ACEF-HJKM-NPRT", "ACEF-HJKM-NPRW", batch.codes[0]), strict=True
    ):
        client = guarded.test_client()
        client.post("/login", data={"email": person.email, "password": person.password})
        codes.append(redeem(client, guess, address="192.0.2.99").status_code)
    elsewhere = guarded.test_client()
    elsewhere.post("/login", data={"email": people[2].email, "password": people[2].password})

    assert codes == [422, 429, 429]
    assert redeem(elsewhere, batch.codes[0], address="192.0.2.100").status_code == 302
    assert verification_of(people[2]) == ("north", "letter")


def test_flask_verification_codes_writes_the_same_pdf(
    app, runner, admin, municipality, tmp_path, count_rows
):
    output = tmp_path / "codes.pdf"

    result = runner.invoke(
        args=[
            "verification",
            "codes",
            "--community",
            "south",
            "--count",
            "3",
            "--days",
            "30",
            "--admin",
            admin.email,
            "--output",
            str(output),
        ]
    )

    assert result.exit_code == 0, result.output
    assert same_text("ชุมชนใต้") in same_text(pdf_text(output.read_bytes(), tmp_path))
    assert count_rows(LetterCode) == 3
    assert count_rows(Verification) == 0


def test_only_administrators_make_codes(client, auth, registrar, municipality, count_rows):
    auth.login(registrar)

    response = client.post(
        "/verification/letters", data={"area_id": municipality[0].id, "count": 4, "days": 60}
    )

    assert response.status_code == 403
    assert count_rows(LetterCode) == 0
