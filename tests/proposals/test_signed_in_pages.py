"""Signed-in residents share pages too: the list and a proposal page are rendered once per
change of their data, and each resident's own bits (supported, comment votes, follow, unread
count, own content) are filled in per reader with a constant number of queries and no write."""

import re

import pytest
import sqlalchemy as sa

from participation.core.cache import fragments
from participation.extensions import db
from tests.conftest import Auth


@pytest.fixture
def readers(app, create_user):
    """Two residents, each with a browser of their own, signed in."""
    people = []
    for name in ("สมหญิง", "ประยุทธ"):
        people.append(_signed_in(app, create_user(name=name)))
    return people


def _signed_in(app, person):
    person.client = app.test_client()
    Auth(person.client).login(person)
    person.client.get("/")  # reads the welcome message: pages are shared from now on
    return person


def _writes(seen):
    return [
        s for s in seen if s.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def _support_button(page, item_id):
    form = page.split(f"/proposals/{item_id}/support", 1)[1].split("</form>", 1)[0]
    return re.search(r'aria-pressed="(\w+)"', form).group(1)


def test_each_resident_sees_their_own_supports_on_the_shared_list(
    app, readers, resident, create_process, create_contribution
):
    process = create_process("reimagine")
    first = create_contribution(process, resident, title="ไฟส่องสว่างซอย 5")
    second = create_contribution(process, resident, title="ถังขยะหน้าตลาด")
    somying, prayut = readers
    url = f"/processes/{process.slug}/proposals"
    supporting = somying.client.post(f"/processes/{process.slug}/proposals/{first}/support")
    assert supporting.status_code == 302
    somying.client.get(url)  # reads "thank you", rendered for her alone

    theirs = prayut.client.get(url).get_data(as_text=True)
    hits = fragments.hits
    mine = somying.client.get(url).get_data(as_text=True)

    assert fragments.hits > hits  # the second resident was served the shared page
    assert _support_button(mine, first) == "true"
    assert _support_button(mine, second) == "false"
    assert _support_button(theirs, first) == "false"
    assert "\x00" not in mine + theirs  # every hole is filled
    assert "ไฟส่องสว่างซอย 5" in theirs
    # Withdrawing changes the data: the page is rendered again with the new count and state.
    somying.client.post(
        f"/processes/{process.slug}/proposals/{first}/support", data={"support": "0"}
    )
    somying.client.get(url)  # reads the message
    assert _support_button(somying.client.get(url).get_data(as_text=True), first) == "false"


def test_a_signed_in_reading_of_the_list_writes_nothing_and_its_queries_do_not_grow(
    app, readers, resident, create_process, create_contribution, statements
):
    process = create_process("reimagine")
    url = f"/processes/{process.slug}/proposals?per_page=50"
    somying, prayut = readers
    counts = []
    for total in (2, 12):
        while _count(app, process) < total:
            create_contribution(process, resident, title=f"ข้อเสนอ {_count(app, process)}")
        somying.client.get(url)  # renders the shared page
        statements.clear()
        page = prayut.client.get(url)  # served from it, filled in for this reader
        assert page.status_code == 200
        assert f"ข้อเสนอ {total - 1}" in page.get_data(as_text=True)
        assert _writes(statements) == []
        counts.append(len(statements))
        statements.clear()
        fragments.clear()
        prayut.client.get(url)  # rendered afresh for this reader
        assert _writes(statements) == []
        counts.append(len(statements))
    assert counts[0] == counts[2]  # shared page: the same queries for 2 and 12 proposals
    assert counts[1] == counts[3]  # rendered afresh: no query per proposal either


def _count(app, process):
    from participation.proposals.models import Contribution

    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).where(Contribution.process_id == process.id)
        )


def test_the_unread_count_and_own_comment_votes_are_each_readers_own(
    app, readers, resident, create_process, create_contribution, create_user
):
    process = create_process("reimagine")
    author = _signed_in(app, create_user(name="เจ้าของข้อเสนอ"))
    item = create_contribution(process, author, title="สวนสาธารณะสำหรับเด็กเล็ก")
    somying, prayut = readers
    # Somying comments on the author's proposal: the author is told, Somying is not.
    somying.client.post(f"/contributions/{item}/comments", data={"body": "เห็นด้วยค่ะ"})
    prayut.client.post(f"/contributions/{item}/comments", data={"body": "ควรมีที่นั่งด้วย"})
    from participation.comments.models import Comment

    with app.app_context():
        comment = db.session.scalar(sa.select(Comment.id).where(Comment.author_id == prayut.id))
    somying.client.post(f"/comments/{comment}/vote", data={"value": "1"})
    url = f"/processes/{process.slug}/proposals/{item}"
    reader, other = (_signed_in(app, create_user(name=n)) for n in ("ผู้อ่าน", "ผู้อ่านอีกคน"))
    other.client.post(f"/comments/{comment}/vote", data={"value": "-1"})
    somying.client.get(url)  # reads "thank you" for her comment and vote (her own page)
    other.client.get(url)  # reads "thank you"

    first = reader.client.get(url).get_data(as_text=True)
    hits = fragments.hits
    theirs = other.client.get(url).get_data(as_text=True)
    assert fragments.hits > hits  # the shared page, filled in for this reader
    somyings = somying.client.get(url).get_data(as_text=True)
    list_page = author.client.get(f"/processes/{process.slug}/proposals").get_data(as_text=True)

    def pressed(page):
        block = page.split(f'id="comment-{comment}"', 1)[1].split("</li>", 1)[0]
        return re.findall(r'aria-pressed="(\w+)"', block)

    assert pressed(somyings) == ["true", "false"]
    assert pressed(theirs) == ["false", "true"]
    assert pressed(first) == ["false", "false"]
    assert re.search(r"data-bell-number>(\d+)<", list_page).group(1) == "2"
    bell = re.search(r"data-bell-count( hidden)?>", theirs)
    assert bell.group(1) == " hidden"
    # Own content: Somying's comment shows her its edit link, nobody else.
    assert f"/comments/{_own(app, somying)}/edit" in somyings
    assert f"/comments/{_own(app, somying)}/edit" not in theirs
    assert "\x00" not in theirs + somyings + list_page


def _own(app, person):
    from participation.comments.models import Comment

    with app.app_context():
        return db.session.scalar(sa.select(Comment.id).where(Comment.author_id == person.id))


def test_the_author_gets_their_own_edit_button_and_staff_their_own_menu(
    app, readers, create_process, create_contribution, council
):
    process = create_process("reimagine")
    somying, prayut = readers
    item = create_contribution(process, somying, title="ทางเท้าริมคลอง")
    url = f"/processes/{process.slug}/proposals/{item}"
    edit = f"/processes/{process.slug}/proposals/{item}/edit"

    assert edit not in prayut.client.get(url).get_data(as_text=True)  # shared page cached
    assert edit in somying.client.get(url).get_data(as_text=True)
    staff = app.test_client()
    Auth(staff).login(council)
    assert "/summaries" in staff.get(url).get_data(as_text=True)
    assert "/summaries" not in prayut.client.get(url).get_data(as_text=True)


def test_the_shared_page_is_in_each_residents_language(
    app, create_user, create_process, create_contribution
):
    process = create_process("reimagine")
    author = create_user()
    item = create_contribution(process, author)
    people = [create_user(language="th"), create_user(language="en")]
    url = f"/processes/{process.slug}/proposals/{item}"
    pages = []
    for person in people:
        pages.append(_signed_in(app, person).client.get(url).get_data(as_text=True))
    thai, english = pages
    assert "สนับสนุน" in thai
    assert "Support" in english
    assert "สนับสนุน" not in english
