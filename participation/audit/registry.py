"""What each kind of action means, in words: the sentences of the action log and transparency page.

The features that write the log **register** what they write (the audit feature imports none of
them):

- ``register_action(name, label, staff, public=None, params=None)``: a kind of action, with its
  name in the filters (``label``), the staff log's sentence (``staff``, may name the actor), and,
  for actions shown on the public transparency page, a sentence that names nobody (``public``).
  Sentences are lazy strings with the placeholders ``%(actor)s`` and ``%(target)s`` and any that
  ``params(entry, people)`` returns from the entry's details.
- ``register_target(table, loader)``: how to describe the things actions are done to.
  ``loader(ids)`` answers ``{id: Target}`` for a whole page of ids in one query, so a page of the
  log costs one query per kind of target, never one per row.

:func:`describe` turns a page of entries into sentences. A test reads every ``record_action`` call
in the code and fails for an action kind without its sentences.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape

from participation.extensions import db

TITLE_CHARS = 60  # titles are cut to this length in a sentence


@dataclass(frozen=True)
class ActionKind:
    name: str
    label: object
    staff: object
    public: object = None
    params: object = None  # (entry, people) -> dict of extra placeholders


@dataclass(frozen=True)
class Target:
    """One thing an action was done to, in the reader's language.

    ``public_text`` / ``public_url`` are what the transparency page may say: no person's name,
    nothing hidden by a moderator, nothing in a draft."""

    text: str
    url: str | None = None
    public_text: str | None = None
    public_url: str | None = None


ACTION_KINDS: dict[str, ActionKind] = {}
TARGET_KINDS: dict[str, object] = {}


def register_action(name, label, staff, public=None, params=None):
    ACTION_KINDS[name] = ActionKind(name, label, staff, public, params)


def register_target(table, loader):
    TARGET_KINDS[table] = loader


def public_kinds():
    return [kind for kind in ACTION_KINDS.values() if kind.public is not None]


def kind_choices(public=False):
    """(name, label) of the kinds of action, sorted by their label in the reader's language."""
    kinds = public_kinds() if public else ACTION_KINDS.values()
    return sorted(((kind.name, str(kind.label)) for kind in kinds), key=lambda pair: pair[1])


def quoted(title):
    """A title as a sentence quotes it: cut to :data:`TITLE_CHARS` characters."""
    title = " ".join((title or "").split())
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return f"“{title}”"


def user_names(ids):
    """{id: display name} of people, in one query."""
    from participation.accounts.models import User

    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return dict(rows.all())


@dataclass
class Described:
    entry: object
    sentence: Markup  # HTML, with a link to the target where there is one
    text: str  # the same sentence as plain text (CSV, API)
    reason: str = ""
    extra: dict = field(default_factory=dict)


def _targets(entries):
    wanted = {}
    for entry in entries:
        if entry.target_type and entry.target_id is not None:
            wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    found = {}
    for table, ids in wanted.items():
        loader = TARGET_KINDS.get(table)
        if loader is not None:
            for target_id, target in loader(sorted(ids)).items():
                found[(table, target_id)] = target
    return found


def _people(entries):
    ids = set()
    for entry in entries:
        ids.add(entry.actor_id)
        details = entry.details or {}
        ids.add(details.get("user_id"))
    return user_names(ids)


def _target_parts(entry, target, public):
    if entry.target_type is None:
        return None, None
    if target is None:
        return _("something that was since deleted"), None
    if public:
        return target.public_text or target.text, target.public_url
    return target.text, target.url


def describe(entries, public=False):
    """Sentences for a page of log entries: one query per kind of target, one for names."""
    entries = list(entries)
    targets = _targets(entries)
    people = {} if public else _people(entries)
    described = []
    for entry in entries:
        kind = ACTION_KINDS.get(entry.action)
        text, url = _target_parts(entry, targets.get((entry.target_type, entry.target_id)), public)
        values = {"target": text or "", "action": entry.action}
        if public:  # nobody is named; only a kind without public words would use this
            values["actor"] = _("Municipal staff")
        else:  # Ruamkid itself (or an account deleted since: that leaves actor_id empty too)
            values["actor"] = people.get(entry.actor_id) or _("The system")
        extra = dict(kind.params(entry, people) if kind and kind.params else {})
        reason = str(extra.pop("reason", entry.reason or ""))
        values.update(extra)
        if kind is None:
            template = _("%(action)s on %(target)s") if text else "%(action)s"
        else:
            template = str(kind.public if public and kind.public is not None else kind.staff)
        link = Markup('<a href="%s">%s</a>') % (url, text) if url else escape(values["target"])
        sentence = escape(template) % {**values, "target": link}
        described.append(Described(entry, sentence, template % values, reason, extra))
    return described
