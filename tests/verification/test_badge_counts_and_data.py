"""What verification shows: a badge on the resident's profile (their community only if they
choose), counts per community on the transparency page; and PDPA: in the data download, gone
with the account."""

import io
import json
import zipfile

from participation.verification.models import Verification


def test_the_profile_shows_a_badge_and_the_community_only_when_the_resident_chooses(
    client, auth, resident, make_codes, thai
):
    batch = make_codes()
    auth.login(resident)
    before = client.get("/profile").get_data(as_text=True)
    client.post("/verification/code", data={"code": batch.codes[0]}, follow_redirects=True)

    badge_only = client.get("/profile").get_data(as_text=True)
    client.post("/verification/show-community", data={"show_community": "y"}, follow_redirects=True)
    with_community = client.get("/profile").get_data(as_text=True)

    assert "data-verified-badge" not in before
    assert thai("Verified resident") in badge_only
    assert "ชุมชนเหนือ" not in badge_only
    assert "ชุมชนเหนือ" in with_community


def test_the_transparency_page_counts_verified_residents_per_community(
    client, create_user, make_codes, municipality
):
    north, south = make_codes(count=3), make_codes(count=1, area=municipality[1])
    people = [create_user() for _ in range(3)]
    for person, code in zip(people, [north.codes[0], north.codes[1], south.codes[0]], strict=True):
        client.post("/login", data={"email": person.email, "password": person.password})
        client.post("/verification/code", data={"code": code})
        client.post("/logout")

    page = client.get("/transparency").get_data(as_text=True)

    counts = page.split("data-verified-counts", 1)[1].split("</table>", 1)[0]
    assert "ชุมชนเหนือ</td><td>2" in counts.replace("\u2060", "")
    assert "ชุมชนใต้</td><td>1" in counts.replace("\u2060", "")
    for person in people:
        assert person.name not in page


def test_the_data_download_holds_the_verification_and_deleting_the_account_removes_it(
    client, auth, resident, make_codes, count_rows
):
    batch = make_codes()
    auth.login(resident)
    client.post("/verification/code", data={"code": batch.codes[0]})

    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data.zip").data))
    data = json.loads(archive.read("ruamkid-my-data.json"))
    client.post("/account/delete", data={"keep": "keep", "password": resident.password})

    rows = data["tables"]["verifications"]["user_id"]
    assert [(row["method"], row["revoked_dt"]) for row in rows] == [("letter", None)]
    assert count_rows(Verification) == 0
    assert batch.codes[0].replace("-", "") not in json.dumps(data)
