"""Matching the municipality's own resident list: only keyed hashes are uploaded and stored;
a resident's typed ID number and birth date are compared and forgotten; each entry verifies one
account, for ever (issue 20)."""

import io
import logging
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.verification.models import ResidentListEntry, Verification
from participation.verification.operations import entry_hash

SECRET = "a-municipal-key-that-is-long-enough-0123456789"
NATIONAL_ID = "1101700203450"  # a made-up number with a right check digit
BIRTH = date(1987, 5, 17)


@pytest.fixture
def config(config):
    config.VERIFICATION_LIST_MATCH = True
    config.VERIFICATION_LIST_SECRET = SECRET
    return config


@pytest.fixture
def uploaded(client, auth, admin, municipality):
    rows = [
        "hash,community",
        f"{entry_hash(NATIONAL_ID, BIRTH, SECRET)},north",
        f"{entry_hash('3100600123450', date(1950, 1, 2), SECRET)},south",
    ]
    auth.login(admin)
    response = client.post(
        "/verification/list/upload",
        data={"file": (io.BytesIO("\n".join(rows).encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()


def match(client, national_id=NATIONAL_ID, birth="17/05/2530"):
    return client.post("/verification/list", data={"national_id": national_id, "birth_date": birth})


def test_the_canonical_input_is_documented_and_fixed():
    from participation.verification.operations import canonical_entry

    assert canonical_entry(NATIONAL_ID, BIRTH) == "1101700203450|1987-05-17"
    doc = (Path(__file__).parents[2] / "docs" / "verification.md").read_text(encoding="utf-8")
    assert "1101700203450|1987-05-17" in doc


def test_a_resident_on_the_list_is_verified_with_id_number_and_birth_date(
    client, auth, resident, uploaded, verification_of
):
    auth.login(resident)

    response = match(client, "1-1017-00203-45-0", "17/05/2530")

    assert response.status_code == 302
    assert verification_of(resident) == ("north", "list")


def test_the_typed_values_are_never_written_to_the_database_or_the_logs(
    app, client, auth, resident, create_user, uploaded, caplog, database_url, in_db
):
    caplog.set_level(logging.DEBUG)
    auth.login(resident)
    match(client, NATIONAL_ID, "1987-05-17")
    match(client, "3100600123450", "02/01/2493")  # a wrong birth date for that number
    other = app.test_client()
    person = create_user()
    other.post("/login", data={"email": person.email, "password": person.password})
    match(other, NATIONAL_ID, "17/05/2530")  # refused: already used
    typed = [NATIONAL_ID, "1987-05-17", "17/05/2530", "3100600123450", "02/01/2493"]

    with in_db() as session:  # every row of every table, on either database
        rows = " ".join(
            str(row)
            for table in app.extensions["sqlalchemy"].metadata.sorted_tables
            for row in session.execute(sa.select(table))
        )
    for value in typed:
        assert value not in rows, value
    if database_url.startswith("sqlite"):  # and the file itself, with its write-ahead log
        path = Path(database_url.split("sqlite:///", 1)[1])
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for value in typed:
            assert value.encode() not in stored, value
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for value in typed:
        assert value not in logged, value


def test_each_entry_verifies_one_account_even_after_that_account_is_deleted(
    app, client, auth, resident, create_user, uploaded, verification_of, in_db, thai
):
    auth.login(resident)
    match(client)
    client.post("/account/delete", data={"keep": "keep", "password": resident.password})
    second = create_user()
    auth.login(second)

    refused = match(client)

    assert refused.status_code == 422
    assert thai(
        "These details have already verified another account. Each resident verifies "
        "one account only; please ask at the municipal office."
    ) in refused.get_data(as_text=True)
    assert verification_of(second) is None
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Verification)) == 0
        assert (
            session.scalar(
                sa.select(ResidentListEntry.used_dt)
                .where(ResidentListEntry.area_id.is_not(None))
                .order_by(ResidentListEntry.id)
            )
            is not None
        )


def test_details_not_on_the_list_are_refused_and_the_form_is_empty_again(
    client, auth, resident, uploaded, verification_of, thai
):
    auth.login(resident)

    response = match(client, NATIONAL_ID, "18/05/2530")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert (
        thai(
            "These details are not in the municipality's resident list. Please check them, "
            "or verify at the municipal office."
        )
        in page
    )
    assert NATIONAL_ID not in page
    assert verification_of(resident) is None


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            "hash,community\nabc,north\n",
            2,
            "Line %(line)s: the hash must be 64 hexadecimal characters (HMAC-SHA256).",
        ),
        (
            f"hash,community\n{'a' * 64},north\n{'b' * 64},nowhere\n",
            3,
            "Line %(line)s: there is no community “%(name)s”.",
        ),
        (
            f"{'a' * 64},north,extra\n",
            1,
            "Line %(line)s: expected two columns, the hash and the community.",
        ),
    ],
)
def test_a_malformed_upload_is_refused_with_the_failing_line_and_adds_nothing(
    client, auth, admin, municipality, count_rows, thai, content, line, message
):
    auth.login(admin)

    response = client.post(
        "/verification/list/upload",
        data={"file": (io.BytesIO(content.encode()), "list.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert thai(message, line=line, name="nowhere") in response.get_data(as_text=True)
    assert count_rows(ResidentListEntry) == 0


def test_the_list_is_off_unless_a_setting_turns_it_on(app, config, make_app, admin, resident):
    config.VERIFICATION_LIST_MATCH = False
    plain = make_app(config)
    client = plain.test_client()
    client.post("/login", data={"email": resident.email, "password": resident.password})

    assert match(client).status_code == 404


def test_a_large_list_is_added_whole_and_uploading_it_again_adds_nothing(
    client, auth, admin, municipality, count_rows, thai
):
    import hashlib

    lines = ["hash,community"] + [
        f"{hashlib.sha256(str(n).encode()).hexdigest()},{'north' if n % 2 else 'south'}"
        for n in range(1200)
    ]
    body = "\n".join(lines).encode()
    auth.login(admin)

    def upload():
        return client.post(
            "/verification/list/upload",
            data={"file": (io.BytesIO(body), "list.csv")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )

    first = upload()
    again = upload()

    assert count_rows(ResidentListEntry) == 1200
    text = "%(added)s entries added; %(present)s were already in the list."
    assert thai(text, added=1200, present=0) in first.get_data(as_text=True)
    assert thai(text, added=0, present=1200) in again.get_data(as_text=True)
