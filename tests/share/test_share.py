"""Share tags, share images and share links on every page a resident would share; nothing of
hidden or unpublished content in any of them."""

import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

PUBLIC = "https://ruamkid.example.go.th"


@pytest.fixture
def config(config):
    config.PUBLIC_URL = PUBLIC
    return config


def tags(page):
    """The page's Open Graph and Twitter tags: {property: content}."""
    found = {}
    for name, content in re.findall(
        r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', page
    ):
        found[name] = unescape(content)
    return found


def image_of(client, found):
    """The share image the tags name, fetched from this site."""
    from PIL import Image

    parts = urlsplit(found["og:image"])
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    response = client.get(parts.path, query_string=parse_qs(parts.query))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (1200, 630)
    return response.data


def site_card(client):
    return client.get("/share/card.png").data


@pytest.fixture
def pages(app, create_process, create_contribution, create_townhall, resident):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.opinions import operations as opinions
    from participation.processes.models import Process
    from participation.proposals.models import Issue

    process = create_process("reimagine")
    proposal = create_contribution(process, resident, title="ซ่อมไฟถนนซอยวัดใหม่")
    townhall = create_townhall()
    with app.app_context():
        issue = Issue(process_id=process.id, author_id=resident.id, title="น้ำท่วมขังหน้าตลาด")
        db.session.add(issue)
        conversation = opinions.open_conversation(
            db.session.get(Process, process.id), db.session.get(User, process.facilitator.id),
            "ควรปิดถนนหน้าโรงเรียนช่วงเช้าไหม", ["ปิดเฉพาะวันธรรมดา"],
        )  # fmt: skip
        db.session.commit()
        ids = (issue.id, conversation.id)
    return {
        "process": (f"/processes/{process.slug}", "กระบวนการ"),
        "proposal": (f"/processes/{process.slug}/proposals/{proposal}", "ซ่อมไฟถนนซอยวัดใหม่"),
        "issue": (f"/processes/{process.slug}/issues/{ids[0]}", "น้ำท่วมขังหน้าตลาด"),
        "townhall": (f"/townhalls/{townhall.slug}", "เวทีประชาคม"),
        "opinion map": (f"/opinions/{ids[1]}", "ควรปิดถนนหน้าโรงเรียนช่วงเช้าไหม"),
    }


@pytest.mark.parametrize("kind", ["process", "proposal", "issue", "townhall", "opinion map"])
def test_each_shared_page_has_tags_an_image_and_share_links(client, pages, kind):
    path, title = pages[kind]
    page = client.get(path).get_data(as_text=True)
    found = tags(page)

    assert title in found["og:title"]
    assert found["og:url"] == PUBLIC + path
    assert found["og:description"]
    assert found["twitter:card"] == "summary_large_image"
    assert found["twitter:image"] == found["og:image"]
    assert image_of(client, found) != site_card(client)
    # Links only: LINE's and Facebook's own share pages, nothing of theirs loaded here.
    encoded = (PUBLIC + path).replace(":", "%3A").replace("/", "%2F")
    assert f"https://social-plugins.line.me/lineit/share?url={encoded}" in page
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in page
    assert re.search(r'<input[^>]+id="share-url"[^>]+value="' + re.escape(PUBLIC + path), page)
    assert "/share/qr.svg?page=" in page
    assert not re.search(r'<script[^>]+src="https?://', page)


def test_the_page_qr_code_leads_to_the_page(client, pages):
    import zxingcpp
    from PIL import Image

    path, _title = pages["proposal"]
    png = client.get("/share/qr.png", query_string={"page": path})
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))

    assert found.text == PUBLIC + path
    assert (
        client.get("/share/qr.svg", query_string={"page": "https://evil.example/"}).status_code
        == 404
    )
    assert client.get("/share/qr.svg", query_string={"page": "/admin/users"}).status_code == 404


def test_the_image_is_drawn_once_and_again_when_the_item_changes(app, client, pages, resident,
                                                                 create_user):  # fmt: skip
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.proposals.models import Proposal
    from participation.votes.operations import support_proposal

    path, _title = pages["proposal"]
    first = tags(client.get(path).get_data(as_text=True))["og:image"]
    drawn = image_of(client, {"og:image": first})
    cached = list((__import__("pathlib").Path(app.instance_path) / "share-cards").glob("*.png"))
    assert cached
    assert image_of(client, {"og:image": first}) == drawn

    supporter = create_user()
    with app.app_context():
        item = db.session.get(Proposal, int(path.rsplit("/", 1)[1]))
        support_proposal(item, db.session.get(User, supporter.id))
        db.session.commit()
    second = tags(client.get(path).get_data(as_text=True))["og:image"]

    assert second != first  # a new version: LINE and Facebook fetch the new picture
    assert image_of(client, {"og:image": second}) != drawn


def test_a_hidden_proposal_shares_nothing_of_itself(app, client, auth, pages, resident, admin):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.proposals.models import Contribution

    path, title = pages["proposal"]
    with app.app_context():
        item = db.session.get(Contribution, int(path.rsplit("/", 1)[1]))
        hide(db.session.get(User, admin.id), item, "ข้อมูลส่วนตัว")
        db.session.commit()
    auth.login(resident)  # its author still sees the page
    page = client.get(path).get_data(as_text=True)
    found = tags(page)

    assert title in page  # the page itself, for its author
    assert title not in " ".join(found.values())
    assert image_of(client, found) == site_card(client)
    assert client.get("/share/card.png", query_string={"page": path}).data == site_card(client)
    assert 'id="share-url"' not in page


def test_an_unpublished_process_shares_nothing(client, create_process):
    process = create_process("reframe", published=False)

    image = client.get("/share/card.png", query_string={"page": f"/processes/{process.slug}"})

    assert image.data == site_card(client)
