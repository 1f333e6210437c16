"""The action log and the transparency page say what happened to what, in words."""

import ast
import pathlib
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from participation.audit.models import ActionLog
from participation.audit.registry import ACTION_KINDS, describe
from participation.comments.models import Comment
from tests.conftest import Auth

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "participation"


def _written_kinds():
    """Every (action kind, public) the code can write, read from its record_action calls."""
    found, unreadable = set(), []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "record_action":
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            action = keywords.get("action", node.args[1] if len(node.args) > 1 else None)
            public = keywords.get("public")
            is_public = isinstance(public, ast.Constant) and public.value is True
            options = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    found.add((option.value, is_public))
                else:
                    unreadable.append(f"{path.name}:{node.lineno}")
    return found, unreadable


def test_every_kind_of_action_the_code_writes_has_a_sentence_in_thai_and_english(app):
    written, unreadable = _written_kinds()

    assert not unreadable, f"write the action kind as a literal: {unreadable}"
    assert len(written) >= 30  # the scan really found the calls
    for action, is_public in sorted(written):
        kind = ACTION_KINDS.get(action)
        assert kind is not None, f"{action} has no sentence (register_action)"
        assert is_public <= (kind.public is not None), f"{action} is public but has no public words"
        for message in (kind.label, kind.staff, kind.public):
            if message is not None:
                with app.test_request_context():
                    with force_locale("th"):
                        in_thai = str(message)
                    with force_locale("en"):
                        in_english = str(message)
                assert in_thai != in_english, in_english  # translated, not left in English


def test_every_registered_sentence_renders_even_with_its_details_missing(app):
    with app.test_request_context():
        entries = [ActionLog(action=name, details={}, reason="") for name in ACTION_KINDS]
        for public in (False, True):
            for described in describe(entries, public=public):
                assert "%(" not in described.text, described.entry.action
                assert described.text.strip()


def _hide_comment(app, process, facilitator, comment_id, reason):
    client = app.test_client()
    Auth(client).login(facilitator)
    response = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": reason})
    assert response.status_code == 302


@pytest.fixture
def logged(app, create_user, create_process, create_contribution, in_db, admin):
    """A proposal with a comment hidden by its facilitator, a hidden proposal, a role given,
    and a suspension: the log of a small municipality's week."""
    process = create_process("reimagine", facilitator=create_user(
        roles=["facilitator"], name="กมลพร ใจกว้าง"))  # fmt: skip
    author = create_user(name="สมชาย ชาวบ้าน")
    item_id = create_contribution(process, author, title="ติดตั้งไฟส่องสว่างในซอยวัดเจดีย์")
    secret_id = create_contribution(process, author, title="ประกาศขายที่ดินราคาถูกติดต่อ 081")
    writer = app.test_client()
    Auth(writer).login(author)
    writer.post(f"/contributions/{item_id}/comments", data={"body": "ไปตายซะ"})
    with in_db() as session:
        comment_id = session.scalar(sa.select(Comment.id))
    _hide_comment(app, process, process.facilitator, comment_id, "ใช้ถ้อยคำรุนแรง")
    staff = app.test_client()
    Auth(staff).login(process.facilitator)
    staff.post(f"/moderation/contribution/{secret_id}/hide", data={"reason": "โฆษณา"})
    staff = app.test_client()
    Auth(staff).login(admin)
    staff.post(f"/admin/users/{author.id}/roles", data={"role": "facilitator", "action": "grant"})
    staff.post(f"/admin/users/{author.id}/roles", data={"role": "facilitator", "action": "revoke"})
    staff.post(f"/moderation/users/{author.id}/suspend", data={"days": "0", "reason": "ข่มขู่"})
    return {"process": process, "author": author, "item_id": item_id, "secret_id": secret_id,
            "comment_id": comment_id, "facilitator": process.facilitator}  # fmt: skip


def test_staff_read_who_did_what_to_which_item_with_its_title_a_link_and_the_reason(
    app, client, auth, admin, logged, thai
):
    auth.login(admin)
    page = client.get("/admin/log").get_data(as_text=True)

    process = logged["process"]
    link = f"/processes/{process.slug}/proposals/{logged['item_id']}#comment-{logged['comment_id']}"
    hid = thai("%(actor)s hid %(target)s", actor="กมลพร ใจกว้าง",
               target=f'<a href="{link}">' + thai(
                   "a comment on the proposal %(title)s", title="“ติดตั้งไฟส่องสว่างในซอยวัดเจดีย์”"
               ) + "</a>")  # fmt: skip
    assert hid in page
    assert thai("Reason: %(reason)s", reason="ใช้ถ้อยคำรุนแรง") in page
    role = thai("Facilitator")
    exported = client.get("/admin/log.csv").get_data(as_text=True)
    assert exported.splitlines()[0].endswith(",public,description")
    assert re.sub(r"<[^>]+>", "", hid) in exported  # the same sentence, as plain text
    shown = re.sub(r"<[^>]+>", "", page)  # the text, without links and the filter's values
    assert thai("%(actor)s gave %(target)s the role %(role)s", actor=admin.name,
                target="สมชาย ชาวบ้าน", role=role) in shown  # fmt: skip
    for code in ("role.grant", "moderation.hide", "{&#34;role", '{"role', "users #"):
        assert code not in shown


def test_the_transparency_page_says_what_happened_to_what_and_names_nobody(app, logged, thai):
    page = app.test_client().get("/transparency").get_data(as_text=True)

    process = logged["process"]
    proposal = f"/processes/{process.slug}/proposals/{logged['item_id']}"
    assert thai("A moderator hid %(target)s", target=f'<a href="{proposal}">' + thai(
        "a comment on the proposal %(title)s", title="“ติดตั้งไฟส่องสว่างในซอยวัดเจดีย์”")
        + "</a>") in page  # fmt: skip
    assert thai("Reason: %(reason)s", reason="ใช้ถ้อยคำรุนแรง") in page
    # The hidden proposal's title is not republished; where it was is said instead.
    assert "ประกาศขายที่ดิน" not in page
    assert thai("a proposal in the process %(title)s", title="“กระบวนการ 1”") in page
    assert thai("A participant was suspended %(until)s",
                until=thai("until the suspension is lifted")) in page  # fmt: skip
    for name in ("กมลพร", "สมชาย"):
        assert name not in page
    assert "role.grant" not in page  # private actions stay in the staff log


def test_both_logs_filter_by_kinds_of_action_named_in_words(
    app, client, auth, admin, logged, thai, in_db
):
    public = app.test_client()
    everything = public.get("/transparency").get_data(as_text=True)
    suspensions = public.get("/transparency?action=user.suspend").get_data(as_text=True)
    auth.login(admin)
    roles = client.get("/admin/log?action=role.grant").get_data(as_text=True)

    label = thai("Participants suspended")
    assert f'<option value="user.suspend">{label}</option>' in everything
    assert f'<option value="user.suspend" selected>{label}</option>' in suspensions
    assert everything.count('class="log-entry"') == 3  # two hidden, one suspended
    assert suspensions.count('class="log-entry"') == 1
    assert 'value="role.grant"' not in everything  # private kinds are not offered publicly
    assert thai("Roles given") in roles
    with in_db() as session:
        grants = session.scalar(sa.select(sa.func.count()).where(ActionLog.action == "role.grant"))
        assert session.scalar(sa.select(sa.func.count()).where(ActionLog.action == "role.revoke"))
    assert roles.count('class="log-entry"') == grants


def test_a_page_of_the_log_costs_one_query_per_kind_of_target_not_one_per_row(app, logged, in_db):
    from participation.extensions import db

    def queries_for(count):
        with app.test_request_context():
            entries = db.session.scalars(sa.select(ActionLog).order_by(ActionLog.id)).all()
            entries = (entries * count)[: len(entries) * count]
            statements = []
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            sa.event.listen(db.engine, "before_cursor_execute", listener)
            try:
                describe(entries)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listener)
            return len(statements)

    assert queries_for(1) == queries_for(20)
    assert queries_for(20) <= 5  # comments, contributions, users, and the actors' names


def test_the_api_adds_the_public_sentence_to_each_entry(app, logged, thai):
    response = app.test_client().get("/api/v1/action-log", headers={"Accept-Language": "th"})
    items = response.get_json()["items"]

    suspended = next(item for item in items if item["action"] == "user.suspend")
    assert suspended["sentence"] == thai(
        "A participant was suspended %(until)s", until=thai("until the suspension is lifted")
    )
    assert suspended["target_id"] is None
    assert all(item["sentence"] for item in items)
