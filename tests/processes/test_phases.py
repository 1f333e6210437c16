"""The phase decides what residents can do, in the page and in the operation itself."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from participation.audit.models import ActionLog
from participation.processes.models import Process
from participation.proposals.models import Contribution


def _url(process, *parts):
    return "/".join([f"/processes/{process.slug}", *[str(p) for p in parts]])


def _count(in_db, model=Contribution):
    with in_db() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_resident_raises_an_issue_in_reframe(client, auth, resident, create_process, in_db):
    process = create_process("reframe")
    auth.login(resident)

    response = client.post(
        _url(process, "issues", "new"),
        data={"title": "ไฟถนนดับ", "body": "ซอย 3 มืดมาก", "category_id": process.category_ids[1],
              "area_id": process.area_ids[0]},
    )  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        issue = session.scalar(sa.select(Contribution))
        assert (issue.kind, issue.title, issue.category_id) == (
            "issue",
            "ไฟถนนดับ",
            process.category_ids[1],
        )


@pytest.mark.parametrize(
    ("phase", "kind", "message"),
    [
        ("reimagine", "issues", "Issues can be raised only during Reframe."),
        ("remake", "issues", "Issues can be raised only during Reframe."),
        ("reframe", "proposals", "Proposals can be posted only during Reimagine."),
        ("remake", "proposals", "Proposals can be posted only during Reimagine."),
    ],
)
def test_posting_outside_its_phase_is_refused_with_a_clear_message(
    client, auth, resident, create_process, in_db, thai, phase, kind, message
):
    process = create_process(phase)
    auth.login(resident)

    page = client.get(_url(process, kind, "new")).get_data(as_text=True)
    response = client.post(_url(process, kind, "new"), data={"title": "ชื่อ", "body": "เนื้อหา"})

    assert thai(message) in page
    assert response.status_code == 422
    assert thai(message) in response.get_data(as_text=True)
    assert _count(in_db) == 0


@pytest.mark.parametrize("phase", ["reframe", "remake"])
def test_supporting_outside_reimagine_is_refused(
    client, auth, resident, create_process, create_contribution, move_to, in_db, thai, phase
):
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    move_to(process, phase)
    auth.login(resident)

    response = client.post(
        _url(process, "proposals", proposal_id, "support"), headers={"Accept": "application/json"}
    )

    assert response.status_code == 409
    assert response.json["message"] == thai("Supports are open only during Reimagine.")
    with in_db() as session:
        assert session.get(Contribution, proposal_id).support_count == 0


def test_operations_refuse_out_of_phase_writes_whatever_the_caller(app, create_process, resident):
    from participation.accounts.models import User
    from participation.core.rules import RuleError
    from participation.extensions import db
    from participation.proposals.operations import create_proposal

    process = create_process("reframe")
    with app.test_request_context(), pytest.raises(RuleError):
        create_proposal(db.session.get(Process, process.id), db.session.get(User, resident.id),
                        {"title": "x", "body": "y"})  # fmt: skip


def test_facilitator_advances_the_phase_and_it_is_logged(client, auth, create_process, in_db):
    process = create_process("reframe")
    auth.login(process.facilitator)

    client.post(_url(process, "advance"))
    client.post(_url(process, "advance"))
    response = client.post(_url(process, "advance"), follow_redirects=True)

    with in_db() as session:
        assert session.get(Process, process.id).phase == "remake"
        entries = session.scalars(
            sa.select(ActionLog).where(ActionLog.action == "process.phase")
        ).all()
        assert [(e.details["from"], e.details["to"], e.is_public) for e in entries] == [
            ("reframe", "reimagine", True),
            ("reimagine", "remake", True),
        ]
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["resident", "council", "other_facilitator"])
def test_only_the_processes_facilitators_and_admins_advance_it(
    client, auth, create_process, create_user, in_db, request, who
):
    process = create_process("reframe")
    person = (
        create_user(roles=["facilitator"]) if who == "other_facilitator"
        else request.getfixturevalue(who)
    )  # fmt: skip
    auth.login(person)

    assert client.post(_url(process, "advance")).status_code == 403
    assert client.get(_url(process, "edit")).status_code == 403
    with in_db() as session:
        assert session.get(Process, process.id).phase == "reframe"


def test_admin_advances_any_process(client, auth, admin, create_process, in_db):
    process = create_process("reimagine")
    auth.login(admin)
    client.post(_url(process, "advance"))
    with in_db() as session:
        assert session.get(Process, process.id).phase == "remake"


def test_phase_advances_by_date_when_the_process_is_shown(client, create_process, in_db):
    process = create_process("reframe")
    with in_db() as session:
        row = session.get(Process, process.id)
        row.reimagine_start = date.today() - timedelta(days=1)
        session.commit()

    page = client.get(_url(process)).get_data(as_text=True)

    with in_db() as session:
        assert session.get(Process, process.id).phase == "reimagine"
    assert 'aria-current="step"' in page


def test_stepper_shows_the_current_phase_and_what_residents_can_do(client, create_process, thai):
    process = create_process("reimagine")

    page = client.get(_url(process)).get_data(as_text=True)

    stepper = page.split('class="stepper"', 1)[1].split("</ol>", 1)[0]
    current = page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    # Each step leads with what residents do there, then the phase's name; the phases'
    # English names and their theory (การเสริมพลัง) belong elsewhere, not in every header.
    assert current.index(thai("Propose solutions")) < current.index(thai("Reimagine"))
    leads = [step.split('class="stepper__name">', 1)[1].split("</span>", 1)[0]
             for step in stepper.split("<li")[1:]]  # fmt: skip
    assert leads == [thai("Tell us the problems"), thai("Propose solutions"),
                     thai("Follow the results")]  # fmt: skip
    assert "Reimagine" not in stepper
    assert thai("empowerment") not in stepper
    assert thai("Support the proposals you believe in") in page
    assert thai("Raise an issue: a need or problem you see") not in page


def test_remake_page_leads_with_what_was_decided(
    client, create_process, create_contribution, resident, council, move_to, app, thai
):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.proposals.models import Proposal
    from participation.proposals.operations import respond

    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident, title="ทางม้าลายยกระดับ")
    move_to(process, "remake")
    with app.test_request_context():
        respond(db.session.get(Proposal, proposal_id), db.session.get(User, council.id),
                "accepted", "รับไว้ดำเนินการ")  # fmt: skip
        db.session.commit()

    page = client.get(_url(process)).get_data(as_text=True)

    decided = page.index(thai("What was decided"))
    assert decided < page.index(thai("About this challenge"))
    assert "ทางม้าลายยกระดับ" in page[decided:]


def test_support_rules_are_frozen_once_reimagine_opens(client, auth, create_process, in_db, thai):
    process = create_process("reimagine", max_supports=5)
    auth.login(process.facilitator)

    response = client.post(
        _url(process, "edit"),
        data={"slug": process.slug, "title_th": "ใหม่", "max_supports": 9,
              "support_threshold": 3, "edit_window_minutes": 60},
    )  # fmt: skip

    assert response.status_code == 422
    assert thai("Support rules are fixed once Reimagine has opened.") in response.get_data(
        as_text=True
    )
    with in_db() as session:
        assert session.get(Process, process.id).max_supports == 5


def test_facilitator_creates_a_draft_that_residents_cannot_see(
    client, auth, facilitator, resident, in_db, app
):
    auth.login(facilitator)
    response = client.post(
        "/processes/new",
        data={"slug": "clean-canals", "title_th": "คลองสะอาด", "title_en": "Clean canals",
              "support_threshold": 5, "edit_window_minutes": 60,
              "categories_th": "น้ำเสีย | Waste water\nขยะ | Litter"},
    )  # fmt: skip
    assert response.status_code == 302
    with in_db() as session:
        process = session.scalar(sa.select(Process))
        assert [c.name_en for c in process.categories] == ["Waste water", "Litter"]
        assert not process.is_published

    other = app.test_client()
    type(auth)(other).login(resident)
    assert other.get("/processes/clean-canals").status_code == 404
    assert client.get("/processes/clean-canals").status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Bad Slug!"},
         "Use 3 to 80 lower-case letters, digits and dashes for the web address."),
        ({"title_th": "", "title_en": ""}, "Give the process a title in Thai or English."),
        ({"reframe_start": "2026-12-10", "reframe_end": "2026-12-01"},
         "A phase cannot end before it starts."),
        ({"support_threshold": "many"}, "Please enter a whole number."),
        ({"reimagine_start": "31/31/2026"}, "Please enter a date as day, month and year."),
    ],
)  # fmt: skip
def test_bad_process_input_is_explained_and_nothing_is_saved(
    client, auth, facilitator, in_db, thai, change, message
):
    auth.login(facilitator)
    data = {"slug": "ok-slug", "title_th": "ชื่อ", "support_threshold": 5,
            "edit_window_minutes": 60, **change}  # fmt: skip

    response = client.post("/processes/new", data=data)

    assert response.status_code == 422
    assert thai(message) in response.get_data(as_text=True)
    assert _count(in_db, Process) == 0


def test_residents_cannot_open_processes(client, auth, resident):
    auth.login(resident)
    assert client.get("/processes/new").status_code == 403


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _edit_data(process, **extra):
    return {"slug": process.slug, "title_th": "ชื่อ", "support_threshold": 3,
            "edit_window_minutes": 60, **extra}  # fmt: skip


def test_facilitator_adds_a_cover_image_that_everyone_sees(client, auth, create_process, app):
    import io

    process = create_process("reframe")
    auth.login(process.facilitator)

    response = client.post(
        _url(process, "edit"),
        data=_edit_data(process, cover=(io.BytesIO(PNG), "cover.png")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    auth.logout()
    image = client.get(_url(process, "cover"))
    assert image.status_code == 200
    assert image.data == PNG
    assert image.mimetype == "image/png"
    image.close()
    assert _url(process, "cover") in client.get(_url(process)).get_data(as_text=True)


def test_a_file_that_is_not_an_image_is_refused(client, auth, create_process, in_db, thai):
    import io

    process = create_process("reframe")
    auth.login(process.facilitator)

    response = client.post(
        _url(process, "edit"),
        data=_edit_data(process, cover=(io.BytesIO(b"<svg onload=alert(1)>"), "cover.png")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    assert thai("Please upload a PNG, JPEG or WebP image.") in response.get_data(as_text=True)
    with in_db() as session:
        assert session.get(Process, process.id).cover_image is None
    assert client.get(_url(process, "cover")).status_code == 404


def test_daily_command_advances_processes_by_their_dates(runner, create_process, in_db):
    process = create_process("reimagine")
    waiting = create_process("reimagine")
    with in_db() as session:
        session.get(Process, process.id).remake_start = date(2026, 12, 1)
        session.get(Process, waiting.id).remake_start = date(2027, 1, 1)
        session.commit()

    result = runner.invoke(args=["processes", "advance", "--today", "2026-12-01"])

    assert result.exit_code == 0, result.output
    assert "1 process(es) advanced." in result.output
    with in_db() as session:
        assert session.get(Process, process.id).phase == "remake"
        assert session.get(Process, waiting.id).phase == "reimagine"
