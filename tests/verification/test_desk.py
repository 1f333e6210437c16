"""At the municipal office: a registrar finds the resident, sees their ID card, verifies them;
nothing from the card is typed or stored; refusals change nothing (issue 20)."""

from datetime import UTC, datetime

import sqlalchemy as sa

from participation.audit.models import ActionLog
from participation.verification.models import Verification


def test_a_registrar_finds_a_resident_by_name_email_or_their_code_and_verifies_them(
    app, client, auth, registrar, resident, municipality, verification_of, in_db
):
    from participation.accounts.models import User
    from participation.verification.operations import desk_code

    with app.test_request_context(), in_db() as session:
        code = desk_code(session.get(User, resident.id))
    auth.login(registrar)

    by_name = client.get("/verification/desk", query_string={"q": "สมชาย"}).get_data(as_text=True)
    by_email = client.get("/verification/desk", query_string={"q": resident.email})
    by_code = client.get("/verification/desk", query_string={"q": code.lower()})
    typo = client.get("/verification/desk", query_string={"q": code[:-1] + "X"})
    response = client.post(
        f"/verification/desk/{resident.id}/verify", data={"area_id": municipality[1].id}
    )

    assert resident.email in by_name
    assert resident.email in by_email.get_data(as_text=True)
    assert resident.email in by_code.get_data(as_text=True)
    assert resident.email not in typo.get_data(as_text=True)  # a typo finds nobody
    assert response.status_code == 302
    assert verification_of(resident) == ("south", "desk")
    with in_db() as session:
        row = session.scalar(sa.select(Verification))
        assert row.verified_by_id == registrar.id
        entry = session.scalar(sa.select(ActionLog).where(ActionLog.action == "verification.grant"))
        assert (entry.actor_id, entry.target_id, entry.is_public) == (
            registrar.id,
            resident.id,
            False,
        )


def test_the_resident_sees_their_code_as_text_and_qr(client, auth, resident, app, in_db):
    from participation.accounts.models import User
    from participation.verification.operations import desk_code

    with app.test_request_context(), in_db() as session:
        code = desk_code(session.get(User, resident.id))
    auth.login(resident)

    page = client.get("/verification/").get_data(as_text=True)
    qr = client.get("/verification/my-code.svg")

    assert code in page
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data


def test_someone_who_is_not_a_registrar_cannot_verify_anyone(
    app, client, auth, create_user, resident, municipality, count_rows, thai, in_db
):
    from participation.accounts.models import User
    from participation.core.rules import RuleError
    from participation.verification import operations

    other = create_user()
    auth.login(other)

    response = client.post(
        f"/verification/desk/{resident.id}/verify", data={"area_id": municipality[0].id}
    )
    with app.test_request_context(), in_db() as session:
        try:
            operations.verify_at_desk(
                session.get(User, resident.id), municipality[0].id, session.get(User, other.id)
            )
        except RuleError as error:
            message = str(error.message)
        session.rollback()

    assert response.status_code == 403
    assert count_rows(Verification) == 0
    assert message == thai("Only a registrar can verify residents.")


def test_a_registrar_cannot_verify_themselves(
    client, auth, registrar, municipality, count_rows, thai
):
    auth.login(registrar)

    response = client.post(
        f"/verification/desk/{registrar.id}/verify",
        data={"area_id": municipality[0].id},
        follow_redirects=True,
    )

    assert count_rows(Verification) == 0
    assert thai("Registrars cannot verify themselves: please ask another registrar.") in (
        response.get_data(as_text=True)
    )


def test_a_registrar_must_choose_a_community(client, auth, registrar, resident, count_rows, thai):
    auth.login(registrar)

    response = client.post(
        f"/verification/desk/{resident.id}/verify", data={"area_id": "0"}, follow_redirects=True
    )

    assert count_rows(Verification) == 0
    assert thai("Please choose the community.") in response.get_data(as_text=True)


def test_revocation_needs_a_reason_and_is_logged_for_administrators_only(
    client, auth, registrar, admin, resident, municipality, verification_of, in_db, thai
):
    auth.login(registrar)
    client.post(f"/verification/desk/{resident.id}/verify", data={"area_id": municipality[0].id})
    with in_db() as session:
        row_id = session.scalar(sa.select(Verification.id))
    auth.logout()
    auth.login(admin)

    no_reason = client.post(
        f"/verification/{row_id}/revoke", data={"reason": " "}, follow_redirects=True
    )
    still = verification_of(resident)
    client.post(f"/verification/{row_id}/revoke", data={"reason": "ย้ายออกนอกเขตเทศบาลแล้ว"})

    assert thai("Please say why the verification is revoked.") in no_reason.get_data(as_text=True)
    assert still == ("north", "desk")
    assert verification_of(resident) is None
    with in_db() as session:
        entry = session.scalar(
            sa.select(ActionLog).where(ActionLog.action == "verification.revoke")
        )
        assert (entry.actor_id, entry.private_reason, entry.is_public) == (
            admin.id,
            "ย้ายออกนอกเขตเทศบาลแล้ว",
            False,
        )
    staff_log = client.get("/admin/log").get_data(as_text=True)
    assert resident.name in staff_log
    assert resident.name not in client.get("/transparency").get_data(as_text=True)


def test_a_resident_cannot_revoke(
    client, auth, create_user, registrar, resident, municipality, verification_of
):
    auth.login(registrar)
    client.post(f"/verification/desk/{resident.id}/verify", data={"area_id": municipality[0].id})
    auth.logout()
    auth.login(create_user())

    assert client.post("/verification/1/revoke", data={"reason": "x"}).status_code == 403
    assert verification_of(resident) == ("north", "desk")


def test_a_verification_ends_with_the_fiscal_year_and_the_end_is_a_setting(app):
    from participation.verification.operations import default_expiry

    with app.app_context():
        in_august = default_expiry(datetime(2026, 8, 1, 5, tzinfo=UTC))
        in_october = default_expiry(datetime(2026, 10, 2, 5, tzinfo=UTC))
        app.config["VERIFICATION_YEAR_END"] = "12-31"
        calendar = default_expiry(datetime(2026, 8, 1, 5, tzinfo=UTC))

    # Midnight after 30 September, Bangkok time (17:00 UTC the day before).
    assert in_august == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert in_october == datetime(2027, 9, 30, 17, tzinfo=UTC)
    assert calendar == datetime(2026, 12, 31, 17, tzinfo=UTC)


def test_the_registrar_role_is_granted_like_the_others(client, auth, runner, admin, resident, thai):
    result = runner.invoke(
        args=["users", "grant", "--email", resident.email, "--role", "registrar"]
    )
    auth.login(resident)

    assert result.exit_code == 0, result.output
    assert "registrar" in result.output
    assert client.get("/verification/desk").status_code == 200
    assert thai("Registrar desk") in client.get("/").get_data(as_text=True)  # in the menu
    assert client.get("/verification/letters").status_code == 403  # administrators' work
