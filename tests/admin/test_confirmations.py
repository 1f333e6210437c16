"""Granting the administrator role asks once more; other roles change at once."""

from participation.accounts.models import User
from participation.core.permissions import Role


def _roles_of(in_db, person):
    with in_db() as session:
        return session.get(User, person.id).roles


def test_granting_the_administrator_role_asks_first_and_cancel_changes_nothing(
    client, auth, admin, resident, in_db, thai
):
    auth.login(admin)
    url = f"/admin/users/{resident.id}/roles"
    back = "/admin/users?q=person"

    asked = client.post(url, data={"role": "admin", "action": "grant", "return_to": back})

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert thai("Make %(name)s an administrator?", name=resident.name) in page
    assert 'name="confirm" value="yes"' in page
    assert 'name="csrf_token"' in page
    assert f'href="{back}"' in page  # cancel goes back to where the administrator was
    assert _roles_of(in_db, resident) == {Role.RESIDENT}

    done = client.post(url, data={"role": "admin", "action": "grant", "confirm": "yes",
                                  "return_to": back})  # fmt: skip

    assert done.status_code == 302
    assert done.headers["Location"] == back
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.ADMIN}


def test_other_roles_are_granted_without_a_question(client, auth, admin, resident, in_db):
    auth.login(admin)

    response = client.post(
        f"/admin/users/{resident.id}/roles", data={"role": "council", "action": "grant"}
    )

    assert response.status_code == 302
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.COUNCIL}


def test_ticking_the_administrator_role_in_the_users_page_asks_first(
    client, auth, admin, resident, in_db, thai
):
    auth.login(admin)
    url = f"/admin/users/{resident.id}/roles"
    chosen = {"action": "set", "roles": ["council", "admin"], "return_to": "/admin/users"}

    asked = client.post(url, data=chosen)

    page = asked.get_data(as_text=True)
    assert thai("Make %(name)s an administrator?", name=resident.name) in page
    assert 'name="roles" value="council"' in page
    assert _roles_of(in_db, resident) == {Role.RESIDENT}

    done = client.post(url, data={**chosen, "confirm": "yes"})

    assert done.status_code == 302
    assert _roles_of(in_db, resident) == {Role.RESIDENT, Role.COUNCIL, Role.ADMIN}
