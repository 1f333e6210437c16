"""Roles: administrators grant and remove them; nobody else can."""

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.audit.models import ActionLog
from participation.core.permissions import GRANTABLE_ROLES, Permission, Role, can


def _roles_of(in_db, person):
    with in_db() as session:
        return session.get(User, person.id).roles


def test_admin_grants_and_removes_a_role(client, auth, admin, resident, in_db):
    auth.login(admin)

    client.post(
        f"/admin/users/{resident.id}/roles", data={"role": "facilitator", "action": "grant"}
    )
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.FACILITATOR}

    client.post(
        f"/admin/users/{resident.id}/roles", data={"role": "facilitator", "action": "revoke"}
    )
    assert _roles_of(in_db, resident) == {Role.RESIDENT}

    with in_db() as session:
        log = session.scalars(
            sa.select(ActionLog).where(ActionLog.actor_id == admin.id).order_by(ActionLog.id)
        ).all()
        assert [(entry.action, entry.actor_id, entry.target_id) for entry in log] == [
            ("role.grant", admin.id, resident.id),
            ("role.revoke", admin.id, resident.id),
        ]


def test_admin_page_lists_users_with_their_roles(client, auth, admin, facilitator):
    auth.login(admin)

    page = client.get("/admin/users").get_data(as_text=True)

    assert facilitator.email in page
    assert admin.email in page


def test_admin_searches_users(client, auth, admin, create_user):
    create_user(email="wanted@example.org", name="คนที่ตามหา")
    create_user(email="other@example.org", name="คนอื่น")
    auth.login(admin)

    page = client.get("/admin/users?q=ตามหา").get_data(as_text=True)

    assert "wanted@example.org" in page
    assert "other@example.org" not in page


@pytest.mark.parametrize("who", ["resident", "facilitator", "council"])
def test_only_administrators_reach_the_user_admin(client, auth, request, who, resident):
    auth.login(request.getfixturevalue(who))

    assert client.get("/admin/users").status_code == 403
    response = client.post(
        f"/admin/users/{resident.id}/roles", data={"role": "admin", "action": "grant"}
    )
    assert response.status_code == 403


def test_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_role_is_refused_and_nothing_changes(client, auth, admin, resident, in_db):
    auth.login(admin)

    response = client.post(
        f"/admin/users/{resident.id}/roles",
        data={"role": "emperor", "action": "grant"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert _roles_of(in_db, resident) == {Role.RESIDENT}


def test_last_administrator_keeps_the_role(client, auth, admin, in_db, thai):
    auth.login(admin)

    response = client.post(
        f"/admin/users/{admin.id}/roles",
        data={"role": "admin", "action": "revoke"},
        follow_redirects=True,
    )

    assert thai("Ruamkid needs at least one administrator.") in response.get_data(as_text=True)
    assert Role.ADMIN in _roles_of(in_db, admin)


def test_unknown_user_is_404(client, auth, admin):
    auth.login(admin)
    response = client.post("/admin/users/99999/roles", data={"role": "admin", "action": "grant"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("roles", "permission", "allowed"),
    [
        ((), Permission.PARTICIPATE, True),
        ((), Permission.MANAGE_PROCESSES, False),
        ((), Permission.RESPOND_AS_COUNCIL, False),
        (("facilitator",), Permission.MANAGE_PROCESSES, True),
        (("facilitator",), Permission.RESPOND_AS_COUNCIL, False),
        (("facilitator",), Permission.MANAGE_USERS, False),
        (("council",), Permission.RESPOND_AS_COUNCIL, True),
        (("council",), Permission.MODERATE, False),
        (("admin",), Permission.MANAGE_USERS, True),
        (("admin",), Permission.RESPOND_AS_COUNCIL, True),
        (("facilitator", "council"), Permission.RESPOND_AS_COUNCIL, True),
    ],
)
def test_permission_helper_follows_roles(app, in_db, create_user, roles, permission, allowed):
    person = create_user(roles=roles)
    with in_db() as session:
        assert can(session.get(User, person.id), permission) is allowed


def test_anonymous_visitor_has_no_permission(app):
    from flask_login import AnonymousUserMixin

    assert not can(AnonymousUserMixin(), Permission.PARTICIPATE)
    assert not can(None, Permission.PARTICIPATE)


def test_cli_creates_the_first_administrator(runner, in_db):
    result = runner.invoke(
        args=["users", "create", "--email", "Chief@Example.org", "--role", "admin",
              "--password", "หัวหน้าใหญ่แห่งแม่เหียะ"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    with in_db() as session:
        user = session.scalar(sa.select(User))
        assert user.email == "chief@example.org"
        assert user.roles == {Role.RESIDENT, Role.ADMIN}


def test_cli_refuses_a_weak_password_clearly(runner, in_db):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--password", "short"]
    )

    assert result.exit_code != 0
    assert "10" in result.output
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_admin_sets_every_role_of_a_user_with_one_control(client, auth, admin, resident, in_db):
    auth.login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    # One form per user (not one per role), with a box for each role.
    assert page.count(f'action="/admin/users/{resident.id}/roles"') == 1
    assert page.count('name="roles"') == len(GRANTABLE_ROLES) * page.count(
        'name="action" value="set"'
    )

    client.post(f"/admin/users/{resident.id}/roles",
                data={"action": "set", "roles": ["facilitator", "council"]})  # fmt: skip
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.FACILITATOR, Role.COUNCIL}

    client.post(f"/admin/users/{resident.id}/roles", data={"action": "set", "roles": ["council"]})
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.COUNCIL}

    refused = client.post(f"/admin/users/{resident.id}/roles",
                          data={"action": "set", "roles": ["council", "mayor"]})  # fmt: skip
    assert refused.status_code == 302
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.COUNCIL}


def test_the_last_administrator_cannot_untick_their_own_role(client, auth, admin, in_db):
    auth.login(admin)

    client.post(f"/admin/users/{admin.id}/roles", data={"action": "set", "roles": []})

    assert Role.ADMIN in _roles_of(in_db, admin)
