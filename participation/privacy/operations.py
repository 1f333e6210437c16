"""A person's rights under Thailand's PDPA: their data, downloaded; their account, deleted.

The export is built from the schema itself: every table with a column that refers to a person
is searched for rows that refer to *this* person, so a table added later is included without
anyone remembering to. Secrets (password and token hashes) are left out.

Deleting an account (docs/privacy.md, "Retention"):
- supports and "affects me too" given where that phase is still open are withdrawn (the counts
  go down); in closed phases the counts stay as they were, as the published result;
- votes on comments are taken back (the comments' counts go down);
- what the person wrote is either kept as "former participant" (no name, no link to them) or
  erased: issues and proposals keep their place in the discussion but lose title, text and
  history; comments, town-hall questions and messages lose their text;
- then the account row goes, and with it (database cascades) sessions, tokens, roles, follows,
  notifications, supports, reports' link to the reporter, town-hall upvotes, poll answers and
  attendance.
"""

import io
import json
import zipfile

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.accounts.models import User
from participation.accounts.passwords import verify_password
from participation.audit.operations import record_action
from participation.comments import operations as comments
from participation.core.models import utcnow
from participation.core.rules import RuleError
from participation.extensions import db
from participation.opinions import operations as opinions
from participation.opinions.models import Statement
from participation.privacy import action_log  # noqa: F401  (registers the action log's words)
from participation.privacy.registry import data_of, erase_all_of, files_of
from participation.proposals.models import Contribution, ContributionVersion, Status
from participation.townhall.models import Message, Question
from participation.votes import operations as votes

SECRET_COLUMNS = ("password_hash", "token_hash")
ERASED_TITLE = "—"


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(table, row):
    return {
        column.name: _plain(row._mapping[column])
        for column in table.columns
        if not column.name.endswith(SECRET_COLUMNS)
    }


def personal_data(user):
    """Everything the platform holds about ``user``, as plain JSON-ready data."""
    users = db.metadata.tables["users"]
    account = db.session.execute(sa.select(users).where(users.c.id == user.id)).one()
    data = {"exported": utcnow().isoformat(), "account": _row(users, account), "tables": {}}
    for table in db.metadata.sorted_tables:
        columns = [
            column
            for column in table.columns
            if any(fk.column.table.name == "users" for fk in column.foreign_keys)
        ]
        for column in columns:
            rows = db.session.execute(
                sa.select(table).where(column == user.id).order_by(*table.primary_key.columns)
            ).all()
            if rows:
                data["tables"].setdefault(table.name, {})[column.name] = [
                    _row(table, row) for row in rows
                ]
    features = data_of(user)
    if features:
        data["features"] = features
    return data


def data_archive(user):
    """The export as a zip file (bytes) holding ``ruamkid-my-data.json`` and a short readme."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "ruamkid-my-data.json",
            json.dumps(personal_data(user), ensure_ascii=False, indent=1, sort_keys=True),
        )
        archive.writestr(
            "README.txt",
            _(
                "Everything Ruamkid holds about you, as JSON: your account, then for each "
                "table the rows that refer to you, grouped by the column that does. Passwords "
                "and tokens are stored only as hashes and are not included."
            )
            + "\n",
        )
        files = files_of(user)
        if files:
            archive.writestr("photos/README.txt", _("The photos you added, as stored.") + "\n")
        for name, path in files:
            try:
                archive.write(path, name)
            except FileNotFoundError:
                continue  # a file lost from storage; its row is still in the JSON
    return buffer.getvalue()


def delete_account(user, password, keep_contributions):
    """Erase ``user`` now. ``keep_contributions``: keep what they wrote as "former
    participant", else erase its text. Raises RuleError on a wrong password."""
    if not verify_password(user.password_hash, password or ""):
        raise RuleError(_l("The password is not right."), "password")
    votes.withdraw_all_of(user)
    opinions.withdraw_votes_of(user)
    comments.take_back_votes_of(user)
    erase_all_of(user)  # files (photos) go whatever is kept of the writing
    if not keep_contributions:
        _erase_writing(user)
    record_action(None, "user.delete", None,
                  details={"kept_contributions": bool(keep_contributions)})  # fmt: skip
    db.session.delete(user)
    db.session.flush()


def _erase_writing(user):
    now = utcnow()
    for item in db.session.scalars(
        sa.select(Contribution).where(Contribution.author_id == user.id)
    ):
        item.title = ERASED_TITLE
        item.body = item.body_html = item.search_text = item.theme_tokens = ""
        if item.status == Status.OPEN:
            item.status = Status.WITHDRAWN
            item.withdrawn_dt = now
            if item.kind == "proposal":
                votes.refund_supports(item)  # as when an author withdraws
    db.session.execute(
        sa.delete(ContributionVersion).where(
            ContributionVersion.contribution_id.in_(
                sa.select(Contribution.id).where(Contribution.author_id == user.id)
            )
        )
    )
    comments.erase_comments_of(user)
    # A statement is hidden (it leaves the map; its votes stay stored) with its text replaced.
    db.session.execute(
        sa.update(Statement).where(Statement.author_id == user.id).values(
            body=ERASED_TITLE, is_hidden=True, hidden_reason="", hidden_dt=now
        )
    )  # fmt: skip
    for conversation_id in db.session.scalars(
        sa.select(Statement.conversation_id).where(Statement.author_id == user.id).distinct()
    ):
        opinions.mark_changed(conversation_id)
    for model in (Question, Message):
        db.session.execute(
            sa.update(model).where(model.author_id == user.id).values(
                body="", is_hidden=True, hidden_reason="", hidden_dt=now
            )
        )  # fmt: skip


def accept_notice(user, version):
    """Record consent to the current privacy notice."""
    user.privacy_consent_version = version
    user.privacy_consent_dt = utcnow()


def needs_consent(user, version):
    return isinstance(user, User) and user.privacy_consent_version < version
