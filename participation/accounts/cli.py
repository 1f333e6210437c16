"""`flask users`: manage accounts from the command line (e.g. the first administrator)."""

import click
from flask.cli import with_appcontext

from participation.accounts import operations
from participation.core.permissions import GRANTABLE_ROLES
from participation.core.rules import RuleError
from participation.extensions import db


@click.group("users")
def users_cli():
    """Manage user accounts."""


@users_cli.command("create")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--name", "display_name", default=None, help="Display name (default: from e-mail).")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([role.value for role in GRANTABLE_ROLES]),
    help="A role to grant; repeat for several.",
)
@click.option("--language", default="th", type=click.Choice(["th", "en"]))
@click.password_option(help="The password (asked for when not given).")
@with_appcontext
def create_user(email, display_name, roles, language, password):
    """Create an account, e.g. the first administrator: --email a@b.th --role admin."""
    try:
        user = operations.register_user(
            email=email,
            display_name=display_name or email.split("@", 1)[0],
            password=password,
            preferred_language=language,
            consent=True,
        )
        for role in roles:
            operations.grant_role(user, role)
    except RuleError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


@users_cli.command("grant")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in GRANTABLE_ROLES]))
@with_appcontext
def grant(email, role):
    """Grant a role to an existing account."""
    user = operations.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    operations.grant_role(user, role)
    db.session.commit()
    click.echo(f"{user.email} now has roles: {', '.join(sorted(user.roles))}")


@users_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", required=True, help="What the token is for.")
@click.option("--write", is_flag=True, help="Allow writing (default: read only).")
@with_appcontext
def token(email, name, write):
    """Create a personal access token and print it once."""
    user = operations.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    try:
        _row, value = operations.create_access_token(user, name, write=write)
    except RuleError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(value)
