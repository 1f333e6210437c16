"""Who may do what: every route and every socket event, as every kind of person.

People: A anonymous visitor, R the resident who wrote the content, O another resident,
X a facilitator of *another* process and town hall, C a council member, V a registrar
(เจ้าหน้าที่ทะเบียน: verifies residents, nothing more), M an administrator,
F the facilitator of this process and town hall, and G a guest of this town hall (a name only,
its signed cookie; participation/townhall/guests.py): G is a visitor everywhere but in that
town hall's live events, so G's column is A's unless a row says otherwise. Outcomes: "ok" (a
page, or done and sent on), "login" (sent to sign in), or the status code. A route missing from
the table fails the test, so new routes must say who may use them.
"""

import uuid
from types import SimpleNamespace

import pytest

from tests.conftest import Auth

PEOPLE = ("A", "R", "O", "V", "X", "C", "M", "F")
# Order of requests: people who may change the scene go last, so refusals see it unchanged.
ORDER = ("A", "G", "O", "V", "X", "C", "R", "F", "M")


def everyone(outcome="ok"):
    return dict.fromkeys(PEOPLE, outcome)


def signed_in(outcome="ok"):
    return {**everyone(outcome), "A": "login"}


def only(*people, denied=403):
    return {**everyone(denied), "A": "login", **dict.fromkeys(people, "ok")}


# (method, path, expected, data). Paths use the scene's fields: {s.process} etc.
TABLE = [
    ("GET", "/", everyone(), None),
    ("GET", "/healthz", everyone(), None),
    ("GET", "/favicon.ico", everyone(), None),
    ("GET", "/privacy", everyone(), None),
    ("GET", "/transparency", everyone(), None),
    ("GET", "/login", everyone(), None),
    (
        "POST",
        "/login",
        {**everyone(), "A": 422},  # the signed-in are sent on
        {"email": "x@example.org", "password": "wrong-password"},
    ),
    ("GET", "/register", everyone(), None),
    ("POST", "/logout", everyone(), {}),
    ("POST", "/language", everyone(), {"language": "en", "next": "/"}),
    ("GET", "/password/forgot", everyone(), None),
    ("POST", "/password/forgot", everyone("login"), {"email": "nobody@example.org"}),
    ("GET", "/password/reset/not-a-token", everyone(410), None),
    ("GET", "/password", signed_in(), None),
    ("GET", "/profile", signed_in(), None),
    ("GET", "/account/privacy", signed_in(), None),
    ("GET", "/account/consent", signed_in(), None),
    ("GET", "/account/data.zip", signed_in(), None),
    ("GET", "/account/delete", signed_in(), None),
    ("GET", "/notifications/", signed_in(), None),
    ("POST", "/notifications/read", signed_in(), {}),
    ("GET", "/notifications/999999", signed_in(404), None),  # only one's own: none here
    ("GET", "/account/notifications", signed_in(), None),
    ("POST", "/account/notifications", signed_in(), {"reply-email": "weekly"}),
    ("GET", "/admin/jobs", only("M"), None),
    ("GET", "/admin/users", only("M"), None),
    ("GET", "/admin/log", only("M"), None),
    ("GET", "/admin/log.csv", only("M"), None),
    ("POST", "/admin/users/{s.other_id}/roles", only("M"), {"role": "council", "action": "grant"}),
    ("GET", "/moderation", only("X", "M", "F"), None),
    ("POST", "/moderation/contribution/{s.proposal}/hide", only("M", "F"), {"reason": "ทดสอบสิทธิ์"}),
    ("POST", "/moderation/contribution/{s.hidden}/restore", only("M", "F"), {}),
    (
        "POST",
        "/moderation/comment/{s.comment}/dismiss",
        only("M", "F"),
        {},
    ),
    ("GET", "/moderation/users/{s.resident_id}/suspend", only("M", "F"), None),
    # F moderates where O wrote; X does not.
    ("POST", "/moderation/users/{s.other_id}/unsuspend", only("M", "F"), {}),
    ("GET", "/report/contribution/{s.proposal}", signed_in(), None),
    (
        "POST",
        "/report/contribution/{s.proposal}",
        {**signed_in(), "R": 422},
        {"reason": "spam"},
    ),  # nobody reports what they wrote
    ("GET", "/processes/", everyone(), None),
    ("GET", "/processes/{s.slug}", everyone(), None),
    ("GET", "/processes/{s.draft}", {**everyone(404), "M": "ok", "F": "ok"}, None),
    ("GET", "/processes/{s.slug}/cover", everyone(404), None),  # no cover image
    ("GET", "/processes/new", only("X", "M", "F"), None),
    ("GET", "/processes/{s.slug}/edit", only("M", "F"), None),
    (
        "POST",
        "/processes/{s.draft}/publish",
        {**only("M", "F"), "A": "login", "R": 404, "O": 404, "V": 404, "C": 404, "X": 404},
        {},
    ),
    ("POST", "/processes/{s.slug}/advance", only("M", "F"), {"reason": ""}),
    ("POST", "/processes/{s.slug}/follow", signed_in(), {"follow": "1"}),
    ("GET", "/processes/{s.slug}/proposals", everyone(), None),
    ("GET", "/processes/{s.slug}/issues", everyone(), None),
    ("GET", "/processes/{s.slug}/proposals/{s.proposal}", everyone(), None),
    ("GET", "/processes/{s.slug}/proposals/{s.proposal}/history", everyone(), None),
    ("GET", "/processes/{s.slug}/proposals/new", signed_in(), None),
    (
        "POST",
        "/processes/{s.slug}/proposals/new",
        signed_in(),
        {"title": "ข้อเสนอใหม่", "body": "รายละเอียด"},
    ),
    ("GET", "/processes/{s.slug}/proposals/{s.proposal}/edit", {**only("R")}, None),
    ("POST", "/processes/{s.slug}/proposals/{s.proposal}/follow", signed_in(), {"follow": "1"}),
    ("POST", "/processes/{s.slug}/proposals/{s.proposal}/withdraw", only("R"), {}),
    ("POST", "/processes/{s.slug}/proposals/{s.proposal}/support", {**signed_in(), "R": "ok"}, {}),
    ("POST", "/processes/{s.slug}/issues/{s.issue}/affected", signed_in(), {"affected": "1"}),
    (
        "POST",
        "/processes/{s.remake}/proposals/{s.decided}/response",
        only("C", "M"),
        {"status": "accepted", "body": "รับไว้"},
    ),
    (
        "POST",
        "/processes/{s.remake}/proposals/{s.decided}/updates",
        only("C", "M"),
        {"update_date": "2026-11-01", "progress": 10, "body": "คืบหน้า"},
    ),
    # Only the council member who wrote a progress update corrects or deletes it.
    ("GET", "/processes/{s.remake}/proposals/{s.decided}/updates/{s.update}/edit", only("C"), None),
    (
        "POST",
        "/processes/{s.remake}/proposals/{s.decided}/updates/{s.update}/edit",
        only("C"),
        {"update_date": "2026-11-02", "progress": 20, "body": "แก้ไขแล้ว"},
    ),
    # Once C has deleted it, those asking later find nothing (C's turn comes before theirs).
    (
        "POST",
        "/processes/{s.remake}/proposals/{s.decided}/updates/{s.update}/delete",
        {**only("C"), "R": 404, "F": 404, "M": 404},
        {},
    ),
    (
        "GET",
        "/processes/{s.remake}/proposals/{s.decided}/updates/{s.update}/history",
        everyone(),
        None,
    ),
    ("POST", "/contributions/{s.proposal}/comments", signed_in(), {"body": "ความเห็น"}),
    ("GET", "/comments/{s.comment}/edit", only("R"), None),
    ("GET", "/comments/{s.comment}/reply", signed_in(), None),
    ("POST", "/comments/{s.comment}/vote", signed_in(), {"value": "1"}),
    ("POST", "/comments/{s.comment}/delete", only("R"), {}),
    ("GET", "/townhalls/", everyone(), None),
    ("GET", "/townhalls/{s.townhall}", everyone(), None),
    ("GET", "/townhalls/{s.townhall}/calendar.ics", everyone(), None),
    ("GET", "/townhalls/{s.townhall}/projector", everyone(), None),
    ("GET", "/townhalls/{s.townhall}/record.csv", everyone(), None),  # a public meeting's record
    ("GET", "/townhalls/{s.townhall}/qr.svg", everyone(), None),
    ("GET", "/townhalls/{s.townhall}/qr.png", everyone(), None),
    ("GET", "/townhalls/{s.townhall}/poster", everyone(), None),
    # Anyone may become a guest where guests are allowed; the signed-in and guests are sent on.
    ("POST", "/townhalls/{s.townhall}/guest", everyone(), {"name": "แขกในฉาก"}),
    ("GET", "/j", everyone(), None),
    ("GET", "/j/{s.code}", everyone(), None),
    ("GET", "/j/AAAAAA", everyone(404), None),
    # Share images and QR codes of pages (tests/share): the site's card without a page.
    ("GET", "/share/card.png", everyone(), None),
    ("GET", "/share/qr.svg", everyone(404), None),  # no page named
    ("GET", "/share/qr.png", everyone(404), None),
    ("GET", "/townhalls/new", only("X", "M", "F"), None),
    ("GET", "/townhalls/{s.townhall}/edit", only("M", "F"), None),
    ("POST", "/townhalls/{s.townhall}/end", only("M", "F"), {}),
    ("POST", "/account/consent", signed_in(), {"consent": "y"}),
    ("POST", "/profile", signed_in(), {"display_name": "ชื่อใหม่", "preferred_language": "th"}),
    ("POST", "/profile/tokens", signed_in(), {"name": "สคริปต์ของฉัน"}),
    ("POST", "/profile/tokens/{s.token}/revoke", {**only("R", denied=404)}, {}),
    ("POST", "/password", signed_in(422), {"current_password": "wrong", "new_password": "x"}),
    ("POST", "/account/delete", signed_in(422), {"keep": "keep", "password": "wrong"}),
    ("POST", "/register", {**everyone(), "A": 422}, {}),
    ("POST", "/password/reset/not-a-token", everyone(410), {"password": "ยาวพอสำหรับรหัส-2569"}),
    (
        "POST",
        "/moderation/users/{s.resident_id}/suspend",
        only("M", "F"),
        {"days": "1", "reason": "ทดสอบสิทธิ์"},
    ),
    ("POST", "/report/user/{s.resident_id}", {**signed_in(), "R": 422}, {"reason": "spam"}),
    ("GET", "/static/css/main.css", everyone(), None),
    (
        "POST",
        "/processes/new",
        only("X", "M", "F", denied=403),
        {"slug": "x", "title_th": "", "title_en": ""},
    ),
    ("POST", "/processes/{s.slug}/edit", only("M", "F"), {"slug": "bad slug"}),
    ("POST", "/processes/{s.slug}/proposals/{s.proposal}/edit", only("R"), {"title": ""}),
    ("POST", "/comments/{s.comment}/edit", only("R"), {"body": ""}),
    ("POST", "/townhalls/new", only("X", "M", "F"), {"slug": "bad slug"}),
    ("POST", "/townhalls/{s.townhall}/edit", only("M", "F"), {"slug": "bad slug"}),
    ("POST", "/townhalls/{s.townhall}/open", only("M", "F"), {}),
]
# Summaries: the draft is for the council, administrators and the subject's facilitators.
PREPARERS = {**everyone(404), "C": "ok", "M": "ok", "F": "ok"}
COUNCIL_WRITES = {**everyone(404), "A": "login", "C": "ok", "M": "ok", "F": 403}
TABLE += [
    ("GET", "/summaries/", everyone(), None),
    ("GET", "/summaries/processes/{s.remake}", PREPARERS, None),
    ("GET", "/summaries/processes/{s.remake}.pdf", PREPARERS, None),
    ("GET", "/summaries/processes/{s.remake}.json", PREPARERS, None),
    ("GET", "/summaries/processes/{s.remake}.csv", PREPARERS, None),
    ("GET", "/summaries/processes/{s.remake}/data/comments.csv", PREPARERS, None),
    ("GET", "/summaries/townhalls/{s.townhall}", PREPARERS, None),
    ("POST", "/summaries/processes/{s.remake}/statement", COUNCIL_WRITES, {"statement_th": "ก"}),
    # Not published, so it is refused with a message once the permission check passed.
    ("POST", "/summaries/townhalls/{s.townhall}/unpublish", COUNCIL_WRITES, {}),
]
# Opinion maps: a conversation in the process (its statement by R) and one in the draft.
TABLE += [
    ("GET", "/opinions/{s.conversation}", everyone(), None),
    ("GET", "/opinions/{s.conversation}/map", everyone(), None),
    ("GET", "/opinions/{s.conversation}/map.json", everyone(), None),
    ("GET", "/opinions/{s.draft_conversation}", {**everyone(404), "M": "ok", "F": "ok"}, None),
    ("POST", "/opinions/{s.conversation}/vote", signed_in(), {"choice": "agree"}),
    ("POST", "/opinions/{s.conversation}/statements", signed_in(), {"body": ""}),
    ("GET", "/opinions/new/processes/{s.slug}", only("M", "F"), None),
    ("POST", "/opinions/new/processes/{s.slug}", only("M", "F"), {"question": ""}),
    ("GET", "/opinions/new/townhalls/{s.townhall}", only("M", "F"), None),
    ("GET", "/opinions/{s.conversation}/statements", only("M", "F"), None),
    ("POST", "/opinions/{s.conversation}/close", only("M", "F"), {}),
    ("POST", "/opinions/{s.conversation}/reopen", only("M", "F"), {}),
    ("GET", "/report/statement/{s.statement}", signed_in(), None),
    ("POST", "/report/statement/{s.statement}", {**signed_in(), "R": 422}, {"reason": "spam"}),
    ("POST", "/moderation/statement/{s.statement}/hide", only("M", "F"), {"reason": "ทดสอบ"}),
]
# LINE (set up for this module, below): linking and signing in leave for LINE; LINE's answer
# without an attempt of one's own is refused; the webhook refuses anything LINE did not sign.
TABLE += [
    ("POST", "/line/link", signed_in(), {}),
    ("POST", "/line/login", everyone(), {}),
    ("GET", "/line/callback?code=c&state=s", everyone(400), None),
    ("POST", "/line/unlink", signed_in(), {}),
    ("POST", "/line/webhook", everyone(400), {"events": "[]"}),
]
# An e-mail's unsubscribe link needs no sign-in; its signature is the permission, so a link
# nobody signed is refused to everyone.
TABLE += [
    ("GET", "/notifications/unsubscribe/not-signed", everyone(400), None),
    ("POST", "/notifications/unsubscribe/not-signed", everyone(400), {}),
]
# Photos and places: a photo that does not exist is 404 for all; the map is public; merging
# (here into a proposal, which is refused after the permission check) is for facilitators.
TABLE += [
    ("GET", "/photos/" + "0" * 32 + "/thumb.jpg", everyone(404), None),
    ("GET", "/processes/{s.slug}/map", everyone(), None),
    ("GET", "/processes/{s.draft}/map", {**everyone(404), "M": "ok", "F": "ok"}, None),
    ("GET", "/processes/{s.slug}/issues/similar", everyone(), None),
    ("POST", "/processes/{s.slug}/issues/{s.issue}/merge", only("M", "F"),
     {"kept_id": "999999"}),
    ("GET", "/admin/boundaries", only("M"), None),
    ("POST", "/admin/boundaries", only("M"), {}),
    ("GET", "/admin/map-settings", only("M"), None),
    ("POST", "/admin/map-settings", only("M"), {"map_zoom": "99"}),
    ("GET", "/report/photo/999999", signed_in(404), None),
    ("POST", "/moderation/photo/999999/hide", {**only(), "X": 404, "M": 404, "F": 404},
     {"reason": "x"}),
    # Deleting one photo: its author or a moderator (tests/photos); a photo that does not
    # exist is 404 for everyone signed in.
    ("POST", "/photos/999999/delete", signed_in(404), {}),
    ("GET", "/photos/" + "0" * 32 + "/medium.jpg", everyone(404), None),
    # Which community holds a pin: public, like the map. Using a photo's location as the pin:
    # its author only (with nothing on offer, they are sent back to the issue).
    ("GET", "/processes/{s.slug}/places/community?latitude=18.78&longitude=98.92", everyone(),
     None),
    ("GET", "/processes/{s.draft}/places/community", {**everyone(404), "M": "ok", "F": "ok"},
     None),
    ("GET", "/processes/{s.slug}/issues/{s.issue}/photo-place", only("R"), None),
    ("POST", "/processes/{s.slug}/issues/{s.issue}/photo-place", only("R"), {"use": "1"}),
]  # fmt: skip
# Participatory budgets: the budget and receipts are public; a ballot needs an account (and,
# once the process asks for it, verification); results and ballots show once published.
TABLE += [
    ("GET", "/processes/{s.slug}/budget", everyone(), None),
    ("GET", "/processes/{s.draft}/budget", everyone(404), None),
    ("GET", "/processes/{s.slug}/budget/headings/{s.heading}/ballot", signed_in(), None),
    ("POST", "/processes/{s.slug}/budget/headings/{s.heading}/ballot", signed_in(),
     {"projects": "{s.project}"}),
    ("GET", "/processes/{s.slug}/budget/receipt?code=ABCDEFGHJK", everyone(), None),
    ("GET", "/processes/{s.slug}/budget/results", everyone(404), None),
    ("GET", "/processes/{s.slug}/budget/ballots.csv", everyone(404), None),
    ("GET", "/processes/{s.slug}/budget/headings/{s.heading}/ballots.pb", everyone(404), None),
    # Preparing it: the process's facilitators and administrators (refused input after the
    # check, so the scene's open ballot stays as it is); changing a result: administrators.
    ("GET", "/processes/{s.slug}/budget/manage", only("M", "F"), None),
    ("POST", "/processes/{s.slug}/budget/manage/settings", only("M", "F"), {}),
    ("POST", "/processes/{s.slug}/budget/manage/headings", only("M", "F"), {}),
    ("POST", "/processes/{s.slug}/budget/manage/projects", only("M", "F"), {}),
    ("POST", "/processes/{s.slug}/budget/manage/projects/{s.project}/review", only("M", "F"),
     {"feasible": "1", "cost": "1"}),
    ("POST", "/processes/{s.slug}/budget/manage/stage", only("M", "F"), {"action": "none"}),
    ("POST", "/processes/{s.slug}/budget/manage/headings/{s.heading}/override", only("M"),
     {"action": "add", "reason": "x", "project_id": "{s.project}"}),
    # Paper ballots: registrars and administrators (nothing ticked: refused after the check).
    ("GET", "/processes/{s.slug}/budget/paper?q=x", only("V", "M"), None),
    ("POST", "/processes/{s.slug}/budget/paper/{s.heading}/{s.resident_id}", only("V", "M"), {}),
]  # fmt: skip
# Resident verification (tests/verification): one's own page and code for everyone signed in
# (a made-up code is refused after the check); the desk and revoking for registrars and
# administrators; letters and the resident list (off unless a setting turns it on) for
# administrators; a process's rules for those who manage it.
VERIFIERS = only("V", "M")
TABLE += [
    ("GET", "/verification/", signed_in(), None),
    ("GET", "/verification/code", signed_in(), None),
    ("POST", "/verification/code", signed_in(), {"code": "ACEF-HJKM-NPRT"}),
    ("POST", "/verification/list", {**everyone(404), "A": "login"},
     {"national_id": "1101700203450", "birth_date": "17/05/2530"}),
    ("POST", "/verification/show-community", signed_in(), {"show_community": "y"}),
    ("GET", "/verification/my-code.svg", signed_in(), None),
    ("GET", "/verification/desk?q=x", VERIFIERS, None),
    ("POST", "/verification/desk/{s.resident_id}/verify", VERIFIERS, {"area_id": "0"}),
    ("POST", "/verification/999999/revoke", {**VERIFIERS, "V": 404, "M": 404}, {"reason": "x"}),
    ("GET", "/verification/letters", only("M"), None),
    ("POST", "/verification/letters", only("M"), {"area_id": "0", "count": "1", "days": "1"}),
    ("POST", "/verification/letters/999999/withdraw", {**only("M"), "M": 404}, {}),
    ("GET", "/verification/list/upload", {**only("M"), "M": 404}, None),
    ("POST", "/verification/list/upload", {**only("M"), "M": 404}, {}),
    ("GET", "/verification/processes/{s.slug}", only("M", "F"), None),
    ("POST", "/verification/processes/{s.slug}", only("M", "F"), {"actions": "support"}),
]  # fmt: skip
# Delivery (participation/delivery): the execution board and documents are public; milestones,
# budget lines, closing and bulk updates are for those who report progress (council, admins);
# "was it really fixed?" waits until an item is marked done (here it is not: 403 for all).
TABLE += [
    ("GET", "/delivery", everyone(), None),
    ("GET", "/delivery?status=done&timing=late&year=2569", everyone(), None),
    ("GET", "/delivery/items/{s.decided}", only("C", "M"), None),
    ("POST", "/delivery/items/{s.decided}/budget", only("C", "M"), {"fiscal_year": "2569"}),
    ("POST", "/delivery/items/{s.decided}/milestones", only("C", "M"), {"name": "ตรวจรับงาน"}),
    ("POST", "/delivery/items/{s.decided}/milestones/{s.milestone}", only("C", "M"),
     {"progress": "10"}),
    ("POST", "/delivery/items/{s.decided}/milestones/{s.milestone}/photos", only("C", "M"), {}),
    ("POST", "/delivery/items/{s.decided}/milestones/{s.milestone}/documents", only("C", "M"),
     {}),
    ("POST", "/delivery/items/{s.decided}/done", only("C", "M"), {}),
    ("GET", "/delivery/documents/" + "0" * 32 + ".pdf", everyone(404), None),
    ("GET", "/delivery/items/{s.decided}/answer", signed_in(403), None),
    ("POST", "/delivery/items/{s.decided}/answer", signed_in(403), {"answer": "not_yet"}),
    ("GET", "/delivery/bulk", only("C", "M"), None),
    ("POST", "/delivery/bulk", only("C", "M"), {}),
    ("POST", "/delivery/bulk/apply", only("C", "M"), {"rows": "[]"}),
]  # fmt: skip
# Surveys: one open in the process (R answered it; its results not published yet) and one in
# preparation. Building, paper forms, previews and unpublished results are for facilitators.
SURVEY_STAFF = {**everyone(404), "M": "ok", "F": "ok"}
TABLE += [
    ("GET", "/surveys/{s.survey}", everyone(), None),
    ("POST", "/surveys/{s.survey}", everyone(), {}),
    ("GET", "/surveys/{s.draft_survey}", SURVEY_STAFF, None),
    ("GET", "/surveys/new/processes/{s.slug}", only("M", "F"), None),
    ("POST", "/surveys/new/processes/{s.slug}", only("M", "F"), {"title_th": ""}),
    ("GET", "/surveys/new/townhalls/{s.townhall}", only("M", "F"), None),
    ("GET", "/surveys/{s.survey}/settings", only("M", "F"), None),
    ("POST", "/surveys/{s.survey}/settings", only("M", "F"), {"title_th": ""}),
    ("GET", "/surveys/{s.survey}/build", only("M", "F"), None),
    ("POST", "/surveys/{s.survey}/build", only("M", "F"), {"kind": ""}),
    ("GET", "/surveys/{s.survey}/questions/{s.survey_question}", only("M", "F"), None),
    ("POST", "/surveys/{s.survey}/questions/{s.survey_question}", only("M", "F"),
     {"explanation_th": "คำอธิบาย"}),
    ("POST", "/surveys/{s.survey}/questions/{s.survey_question}/down", only("M", "F"), {}),
    ("GET", "/surveys/{s.survey}/preview", only("M", "F"), None),
    ("GET", "/surveys/{s.survey}/paper", only("M", "F"), None),
    ("POST", "/surveys/{s.survey}/paper", only("M", "F"), {}),
    ("GET", "/surveys/{s.survey}/results", SURVEY_STAFF, None),
    ("GET", "/surveys/{s.survey}/results.csv", SURVEY_STAFF, None),
    ("GET", "/surveys/{s.survey}/results.xlsx", SURVEY_STAFF, None),
    ("POST", "/surveys/{s.survey}/results/publish", only("M", "F"), {"published": "0"}),
    ("POST", "/moderation/survey_answer/{s.survey_answer}/hide", only("M", "F"),
     {"reason": "ทดสอบ"}),
]  # fmt: skip
# The guest column: a visitor's outcome unless the row says otherwise.
TABLE = [(method, path, {"G": expected["A"], **expected}, data)
         for method, path, expected, data in TABLE]  # fmt: skip
# Refused input (400/409/422) after the permission check still counts as allowed.
ALLOWED = {"ok", 400, 409, 422}


@pytest.fixture
def config(config):
    """LINE set up, so that its pages exist (its servers are never reached here)."""
    config.LINE_LOGIN_CHANNEL_ID = "1650000001"
    config.LINE_LOGIN_CHANNEL_SECRET = "line-login-secret"
    config.LINE_CHANNEL_SECRET = "line-channel-secret"
    config.LINE_CHANNEL_ACCESS_TOKEN = "line-access-token"
    config.LINE_API_URL = config.LINE_ACCESS_URL = "http://127.0.0.1:9"
    return config


@pytest.fixture
def scene(app, create_user, create_process, create_contribution, create_townhall, move_to):
    people = {
        "R": create_user(name="ผู้เขียนในฉาก"), "O": create_user(name="เพื่อนบ้านในฉาก"),
        "X": create_user(roles=["facilitator"]), "C": create_user(roles=["council"]),
        "V": create_user(roles=["registrar"]),
        "M": create_user(roles=["admin"]), "F": create_user(roles=["facilitator"]),
    }  # fmt: skip
    process = create_process("reimagine", facilitator=people["F"])
    draft = create_process("reframe", facilitator=people["F"], published=False)
    remake = create_process("reimagine", facilitator=people["F"])
    create_process("reimagine", facilitator=people["X"])  # X facilitates something else
    create_townhall(facilitator=people["X"])
    proposal = create_contribution(process, people["R"], title="ข้อเสนอในฉาก")
    hidden = create_contribution(process, people["R"], title="ข้อเสนอที่ถูกซ่อนในฉาก")
    decided = create_contribution(remake, people["R"])
    move_to(remake, "remake")
    townhall = create_townhall(facilitator=people["F"], allow_guests=True)
    from participation.accounts.models import User
    from participation.comments.operations import add_comment
    from participation.extensions import db
    from participation.moderation.operations import hide
    from participation.processes.models import Process
    from participation.proposals.models import Contribution, Issue
    from participation.townhall import operations as live
    from participation.townhall.models import TownHall

    with app.app_context():
        contribution = db.session.get(Contribution, proposal)
        comment = add_comment(contribution, db.session.get(User, people["R"].id), "ความเห็นในฉาก")
        add_comment(
            contribution, db.session.get(User, people["O"].id), "ตอบกลับจากเพื่อนบ้าน", parent=comment
        )  # R is notified of the reply
        hide(db.session.get(User, people["F"].id), db.session.get(Contribution, hidden), "ทดสอบ")
        issue_row = Issue(process_id=process.id, author_id=people["R"].id, title="ประเด็นในฉาก")
        db.session.add(issue_row)
        db.session.commit()
        hall = db.session.get(TownHall, townhall.id)
        author = db.session.get(User, people["R"].id)
        question, _event = live.ask_question(hall, author, "คำถามในฉาก", "scene-q")
        message, _event = live.post_message(hall, author, "ข้อความในฉาก", "scene-m")
        poll, _event = live.open_poll(hall, db.session.get(User, people["F"].id), "โพลในฉาก",
                                      ["ก", "ข"])  # fmt: skip
        db.session.commit()
        live_ids = {"question": question.id, "message": message.id, "poll": poll.id,
                    "option": poll.options[0].id}  # fmt: skip
        from participation.townhall import guests

        guest = guests.join_as_guest(hall, "แขกในฉาก <b>")
        db.session.commit()
        guest_cookie = (guests.cookie_name(hall), guests.cookie_value(guest))
        code = hall.join_code
        from participation.accounts.operations import create_access_token
        from participation.opinions import operations as opinions

        token_row, _value = create_access_token(author, "ฉาก")
        facilitator = db.session.get(User, people["F"].id)
        conversation = opinions.open_conversation(
            db.session.get(Process, process.id), facilitator, "คำถามในฉาก", ["ข้อความในฉาก"]
        )
        statement = opinions.add_statement(conversation, author, "ข้อความของผู้เขียนในฉาก")
        db.session.get(Process, draft.id).is_published = True  # opened while published
        draft_conversation = opinions.open_conversation(
            db.session.get(Process, draft.id), facilitator, "คำถามในร่าง", ["ข้อความในร่าง"]
        )
        db.session.get(Process, draft.id).is_published = False
        from datetime import date

        from participation.proposals.models import ImplementationUpdate

        update = ImplementationUpdate(
            proposal_id=decided, author_id=people["C"].id, update_date=date(2026, 11, 1),
            progress=10, body="คืบหน้าในฉาก", body_html="<p>คืบหน้าในฉาก</p>",
        )  # fmt: skip
        db.session.add(update)
        from participation.budgets import operations as budgets

        budget = budgets.create_budget(db.session.get(Process, process.id), "งบในฉาก")
        heading = budgets.add_heading(budget, "วงเงินในฉาก", 100_000)
        project = budgets.add_project(heading, "โครงการในฉาก")
        budgets.review_project(project, feasible=True, cost=50_000)
        budgets.open_ballot(budget)
        from participation.delivery.operations import delivery_of

        accepted = db.session.get(Contribution, decided)
        accepted.status = "accepted"  # as the council's answer would leave it
        milestone = delivery_of(accepted).milestones[0]
        db.session.commit()
        survey_ids = _survey_scene(db.session.get(Process, process.id), facilitator, author)
        ids = SimpleNamespace(
            comment=comment.id, issue=issue_row.id, draft=db.session.get(Process, draft.id).slug,
            token=token_row.id, conversation=conversation.id,
            draft_conversation=draft_conversation.id, statement=statement.id, update=update.id,
            heading=heading.id, project=project.id, budget=budget.id,
            milestone=milestone.id,
        )  # fmt: skip
    return SimpleNamespace(
        people=people, slug=process.slug, draft=ids.draft, remake=remake.slug, proposal=proposal,
        hidden=hidden, decided=decided, comment=ids.comment, issue=ids.issue,
        townhall=townhall.slug, resident_id=people["R"].id, other_id=people["O"].id,
        live=live_ids, token=ids.token, conversation=ids.conversation,
        draft_conversation=ids.draft_conversation, statement=ids.statement, update=ids.update,
        guest_cookie=guest_cookie, code=code, heading=ids.heading, project=ids.project,
        budget=ids.budget, milestone=ids.milestone, **survey_ids,
    )  # fmt: skip


def _survey_scene(process, facilitator, author):
    """An open survey in the process answered by R (in writing), and one in preparation."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.surveys import operations as surveys

    now = utcnow()
    survey = surveys.create_survey(process, facilitator, {
        "title_th": "แบบสำรวจในฉาก", "audience": "anyone", "opens_dt": now - timedelta(days=1),
        "closes_dt": now + timedelta(days=7),
    })  # fmt: skip
    question = surveys.add_question(survey, facilitator, {"kind": "long_text",
                                                          "text_th": "เล่าให้ฟัง",
                                                          "is_required": "y"})  # fmt: skip
    surveys.add_question(survey, facilitator, {"kind": "short_text", "text_th": "ชื่อซอย"})
    response = surveys.submit_response(survey, author, {f"q{question.id}": "คำตอบในฉาก"})
    draft = surveys.create_survey(process, facilitator, {"title_th": "แบบสำรวจในร่าง"})
    db.session.commit()
    return {"survey": survey.id, "draft_survey": draft.id, "survey_question": question.id,
            "survey_answer": response.answers[0].id}  # fmt: skip


def _outcome(response):
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location:
        return "login"
    if response.status_code < 400:
        return "ok"
    return response.status_code


def _client_for(app, scene, who):
    client = app.test_client()
    if who == "G":
        client.set_cookie(*scene.guest_cookie)
    elif who != "A":
        Auth(client).login(scene.people[who])
    return client


def test_every_route_is_in_the_table(app):
    """Pages here; the API's operations in tests/api/test_authorization.py."""
    rules = {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, path, _expected, _data in TABLE:
        adapter = app.url_map.bind("localhost")
        sample = path.replace("{s.slug}", "p").replace("{s.draft}", "d").replace(
            "{s.remake}", "r").replace("{s.townhall}", "t")  # fmt: skip
        sample = sample.replace("{s.code}", "ABC123")
        for name in ("proposal", "hidden", "decided", "comment", "issue", "resident_id",
                     "other_id", "token", "conversation", "draft_conversation",
                     "statement", "update", "heading", "project", "milestone", "survey",
                     "draft_survey", "survey_question", "survey_answer"):  # fmt: skip
            sample = sample.replace(f"{{s.{name}}}", "1")
        endpoint, _args = adapter.match(sample.split("?")[0], method=method)
        covered.add((method, endpoint))
    assert rules - covered == set()


@pytest.mark.parametrize(("method", "path", "expected", "data"), TABLE,
                         ids=[f"{m} {p}" for m, p, _e, _d in TABLE])  # fmt: skip
def test_who_may_use_each_route(app, scene, method, path, expected, data):
    url = path.format(s=scene)
    if data:  # a value naming a field of the scene, such as "{s.project}"
        data = {key: value.format(s=scene) if str(value).startswith("{s.") else value
                for key, value in data.items()}  # fmt: skip
    outcomes = {}
    for who in ORDER:
        client = _client_for(app, scene, who)
        response = client.open(url, method=method, data=data)
        outcomes[who] = _outcome(response)
        response.close()
    mismatches = {
        who: (outcomes[who], expected[who])
        for who in ORDER
        if outcomes[who] != expected[who]
        and not (expected[who] == "ok" and outcomes[who] in ALLOWED)
    }
    assert mismatches == {}, mismatches


def test_hidden_content_drafts_notifications_and_exports_stay_with_their_people(app, scene):
    hidden_page = f"/processes/{scene.slug}/proposals/{scene.hidden}"
    for who in PEOPLE:
        client = _client_for(app, scene, who)
        sees_hidden = "ข้อเสนอที่ถูกซ่อนในฉาก" in client.get(hidden_page).get_data(as_text=True)
        assert sees_hidden == (who in ("R", "M", "F")), who
        if who == "A":
            continue
        notifications = client.get("/notifications/").get_data(as_text=True)
        assert ("เพื่อนบ้านในฉาก" in notifications) == (who == "R"), who
        exported = client.get("/account/data.zip").data
        import io
        import zipfile

        text = zipfile.ZipFile(io.BytesIO(exported)).read("ruamkid-my-data.json").decode()
        assert ("ความเห็นในฉาก" in text) == (who == "R"), who


def _facilitators(ok=True, others="forbidden"):
    return {**dict.fromkeys(ORDER, others), "A": "sign_in", "G": "forbidden", "M": ok, "F": ok}


def _residents(ok=True):
    """Residents, and the town hall's guest in it (under the same rules)."""
    return {**dict.fromkeys(ORDER, ok), "A": "sign_in"}


# (event, payload from the scene's live ids, expected answer per person: True or the error code)
SOCKET_TABLE = [
    ("join", lambda ids: {}, dict.fromkeys(ORDER, True)),
    ("leave", lambda ids: {}, dict.fromkeys(ORDER, True)),
    ("ask", lambda ids: {"body": "คำถามทดสอบสิทธิ์"}, _residents()),
    ("post", lambda ids: {"body": "ข้อความทดสอบสิทธิ์"}, _residents()),
    # Allowed, then refused by a rule: one's own question; what F already did before M.
    ("upvote", lambda ids: {"question_id": ids["question"]}, {**_residents(), "R": "invalid"}),
    (
        "answer_poll",
        lambda ids: {"poll_id": ids["poll"], "option_ids": [ids["option"]]},
        _residents(),
    ),
    (
        "question_state",
        lambda ids: {"question_id": ids["question"], "state": "answering"},
        _facilitators(),
    ),
    ("pin", lambda ids: {"message_id": ids["message"]}, _facilitators()),
    (
        "hide",
        lambda ids: {"kind": "message", "id": ids["message"], "reason": "ทดสอบ"},
        {**_facilitators(), "M": "hidden"},
    ),
    # Nothing is hidden in the scene: the facilitators pass the permission check, then the rule.
    (
        "restore",
        lambda ids: {"kind": "message", "id": ids["message"]},
        _facilitators("not_hidden"),
    ),  # fmt: skip
    ("settings", lambda ids: {"slow_mode_seconds": 0}, _facilitators()),
    ("mute", lambda ids: {"user_id": None}, _facilitators("not_found")),
    ("open_poll", lambda ids: {"question": "โพล", "options": ["ก", "ข"]}, _facilitators()),
    ("close_poll", lambda ids: {"poll_id": ids["poll"]}, {**_facilitators(), "M": "closed"}),
    ("open", lambda ids: {}, _facilitators("invalid")),  # it is live already
    ("end", lambda ids: {}, {**_facilitators(), "M": "not_live"}),
]


@pytest.mark.parametrize(("event", "payload", "expected"), SOCKET_TABLE,
                         ids=[row[0] for row in SOCKET_TABLE])  # fmt: skip
def test_who_may_send_each_socket_event(socket_for, scene, event, payload, expected):
    from tests.townhall.test_live import call

    answers = {}
    for who in ORDER:
        if who == "G":
            sio = socket_for(None, cookies=[scene.guest_cookie])
        else:
            sio = socket_for(None if who == "A" else scene.people[who])
        assert call(sio, "join", townhall=scene.townhall)["ok"]
        extra = {"client_id": str(uuid.uuid4())} if event in ("ask", "post") else {}
        answer = call(sio, event, townhall=scene.townhall, **payload(scene.live), **extra)
        answers[who] = True if answer.get("ok") else answer.get("error")
    assert answers == expected, str(answers)


def test_every_socket_event_is_in_the_table():
    from participation.extensions import socketio

    handlers = set(socketio.server.handlers.get("/townhall", {})) - {"connect", "disconnect"}
    assert handlers - {row[0] for row in SOCKET_TABLE} == set()


@pytest.fixture
def csrf_app(config, make_app):
    config.WTF_CSRF_ENABLED = True
    return make_app(config)


@pytest.mark.parametrize(
    ("path", "data"),
    [(path, data) for method, path, _expected, data in TABLE if method == "POST"],
    ids=[path for method, path, _e, _d in TABLE if method == "POST"],
)
def test_every_state_changing_request_needs_its_csrf_token(csrf_app, scene, path, data):
    """Signed in as the administrator (who may do nearly everything), without the token:
    refused before anything happens."""
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    admin = scene.people["M"]
    signed_in = client.post("/login", data={"email": admin.email, "password": admin.password,
                                            "csrf_token": token})  # fmt: skip
    assert signed_in.status_code == 302

    response = client.post(path.format(s=scene), data=data)

    assert response.status_code == 400


@pytest.mark.parametrize(("event", "payload", "expected"), SOCKET_TABLE,
                         ids=[row[0] for row in SOCKET_TABLE])  # fmt: skip
def test_a_guest_is_a_visitor_in_every_other_town_hall(socket_for, scene, create_townhall,
                                                       event, payload, expected):  # fmt: skip
    """The guest's cookie, even renamed to the other town hall's cookie, does nothing there."""
    from tests.townhall.test_live import call

    other = create_townhall(allow_guests=True)
    name, value = scene.guest_cookie
    renamed = (name.rsplit("_", 1)[0] + f"_{other.id}", value)
    for cookies in ([scene.guest_cookie], [renamed]):
        sio = socket_for(None, cookies=cookies)
        assert call(sio, "join", townhall=other.slug)["ok"]
        extra = {"client_id": str(uuid.uuid4())} if event in ("ask", "post") else {}
        answer = call(sio, event, townhall=other.slug, **extra)
        assert (True if answer.get("ok") else answer.get("error")) == (
            True if event in ("join", "leave") else "sign_in"
        ), (cookies, answer)
