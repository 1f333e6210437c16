"""A process chooses which actions need verified residents (and whether only its communities'
residents); supporting asks, explains before the resident tries, and refuses with the way out."""

import pytest
import sqlalchemy as sa

from participation.votes.models import Support

HOW = "Verify your right at the municipal office, or enter the code from your letter."


@pytest.fixture
def verified_only(app, client, auth, create_process, create_contribution, create_user):
    """A process in Reimagine whose supports need verified residents, and a proposal in it."""
    process = create_process("reimagine")
    proposal = create_contribution(process, create_user())
    auth.login(process.facilitator)
    response = client.post(f"/verification/processes/{process.slug}", data={"actions": ["support"]})
    assert response.status_code == 302
    auth.logout()
    process.proposal = proposal
    return process


def support(client, process):
    return client.post(
        f"/processes/{process.slug}/proposals/{process.proposal}/support",
        headers={"Accept": "application/json"},
    )


def test_the_proposal_page_says_what_is_needed_before_the_resident_tries(
    client, auth, resident, verified_only, thai
):
    auth.login(resident)

    page = client.get(f"/processes/{verified_only.slug}/proposals/{verified_only.proposal}")

    assert "ยืนยันสิทธิ์ที่สำนักงานเทศบาล หรือกรอกรหัสจากจดหมาย" in page.get_data(as_text=True)
    assert thai(HOW) == "ยืนยันสิทธิ์ที่สำนักงานเทศบาล หรือกรอกรหัสจากจดหมาย"


def test_an_unverified_support_is_refused_with_the_way_to_verify_then_accepted_after(
    client, auth, resident, verified_only, make_codes, in_db
):
    batch = make_codes()
    auth.login(resident)

    refused = support(client, verified_only)
    client.post("/verification/code", data={"code": batch.codes[0]})
    accepted = support(client, verified_only)

    assert refused.status_code == 409
    assert "ยืนยันสิทธิ์ที่สำนักงานเทศบาล หรือกรอกรหัสจากจดหมาย" in refused.get_json()["message"]
    assert accepted.status_code == 200
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Support)) == 1


def test_residents_only_refuses_residents_verified_for_another_community(
    app,
    client,
    auth,
    resident,
    create_process,
    create_contribution,
    create_user,
    make_codes,
    municipality,
    thai,
):
    from participation.extensions import db
    from participation.processes.models import Process

    process = create_process("reimagine")
    proposal = create_contribution(process, create_user())
    with app.app_context():  # the process belongs to the north community only
        row = db.session.get(Process, process.id)
        row.areas = [area for area in row.areas if area.slug == "north"]
        db.session.commit()
        db.session.remove()
    auth.login(process.facilitator)
    client.post(
        f"/verification/processes/{process.slug}",
        data={"actions": ["support"], "residents_only": "y"},
    )
    auth.logout()
    south = make_codes(area=municipality[1])
    north = make_codes(area=municipality[0])
    auth.login(resident)
    process.proposal = proposal

    client.post("/verification/code", data={"code": south.codes[0]})
    refused = support(client, process)
    client.post("/verification/code", data={"code": north.codes[0]})
    accepted = support(client, process)

    assert refused.status_code == 409
    assert refused.get_json()["message"] == thai(
        "Only verified residents of this process's communities can do this here."
    )
    assert accepted.status_code == 200


def test_other_features_ask_the_same_question(app, resident, create_process, in_db):
    from participation.accounts.models import User
    from participation.processes.models import Process
    from participation.verification import operations

    process = create_process("reimagine")
    with app.test_request_context(), in_db() as session:
        row, user = session.get(Process, process.id), session.get(User, resident.id)
        operations.set_requirements(row, ["ballot"], False, None)
        answers = (
            operations.required(row, "support"),
            operations.can_act(user, row, "support"),
            operations.can_act(user, row, "ballot")[0],
        )

    assert answers == (None, (True, None), False)


def test_only_the_process_managers_choose(client, auth, resident, create_process):
    process = create_process("reimagine")
    auth.login(resident)

    response = client.post(f"/verification/processes/{process.slug}", data={"actions": ["support"]})

    assert response.status_code == 403
