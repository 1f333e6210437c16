"""`flask verification codes`: letter codes for a community, as the same A4 PDF of slips."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from participation.accounts.operations import find_user_by_email
from participation.core.rules import RuleError
from participation.extensions import db
from participation.municipality.models import Area


@click.group("verification")
def verification_cli():
    """Resident verification."""


@verification_cli.command("codes")
@click.option("--community", required=True, help="The community's short name (slug).")
@click.option("--count", type=int, default=50, show_default=True, help="How many codes.")
@click.option("--days", type=int, default=90, show_default=True, help="Days they stay valid.")
@click.option("--admin", "admin_email", required=True, help="The administrator making them.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Where to write the PDF (the only copy of the codes).",
)
@with_appcontext
def codes(community, count, days, admin_email, output):
    """Make letter codes for a community and write them as a PDF of cut-out slips."""
    from participation.verification import operations
    from participation.verification.letters import letters_pdf

    area = db.session.scalar(sa.select(Area).where(Area.slug == community))
    if area is None:
        raise click.ClickException(f"No community is called {community!r}.")
    admin = find_user_by_email(admin_email)
    if admin is None:
        raise click.ClickException(f"No account uses {admin_email}.")
    from flask import current_app

    from participation.core.forms import public_base_url

    try:
        batch, plain = operations.create_letter_batch(area.id, count, days, admin)
        # The slips' QR codes link to the site's public address (PUBLIC_URL).
        with current_app.test_request_context("/", base_url=public_base_url()):
            pdf = letters_pdf(batch, plain)
    except RuleError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    Path(output).write_bytes(pdf)
    db.session.commit()
    click.echo(f"Wrote {count} codes for {area.slug} to {output} (valid {days} days).")
