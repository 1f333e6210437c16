"""The action log's words for town halls, their questions and messages (see audit.registry)."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, quoted, register_action, register_target
from participation.core.i18n import localized
from participation.extensions import db
from participation.townhall.models import Message, Question, TownHall


def _title(row):
    return localized({"title_th": row.title_th, "title_en": row.title_en}, "title")


def _townhalls(ids):
    rows = db.session.execute(
        sa.select(TownHall.id, TownHall.slug, TownHall.title_th, TownHall.title_en,
                  TownHall.is_published).where(TownHall.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        text = _("the town hall %(title)s", title=quoted(_title(row)))
        url = url_for("townhall.show", slug=row.slug)
        public = (text, url) if row.is_published else (_("a town hall not yet announced"), None)
        found[row.id] = Target(text, url, *public)
    return found


def _items(model, words, unseen):
    def load(ids):
        rows = db.session.execute(
            sa.select(model.id, TownHall.slug, TownHall.title_th, TownHall.title_en,
                      TownHall.is_published)
            .join(TownHall, TownHall.id == model.townhall_id)
            .where(model.id.in_(ids))
        )  # fmt: skip
        found = {}
        for row in rows:
            text = words(quoted(_title(row)))
            url = url_for("townhall.show", slug=row.slug)
            public = (text, url) if row.is_published else (str(unseen), None)
            found[row.id] = Target(text, url, *public)
        return found

    return load


def _settings_params(entry, _people):
    details = entry.details or {}
    words = [_("discussion closed") if details.get("discussion_locked") else _("discussion open")]
    seconds = details.get("slow_mode_seconds") or 0
    words.append(
        _("one message per %(seconds)s seconds per person", seconds=seconds)
        if seconds
        else _("no slow mode")
    )
    return {"settings": ", ".join(words)}


def _person_params(entry, people):
    user_id = (entry.details or {}).get("user_id")
    return {"person": people.get(user_id) or _("An account deleted since")}


register_target("townhalls", _townhalls)
register_target(
    "townhall_questions",
    _items(Question, lambda title: _("a question in the town hall %(title)s", title=title),
           _l("a question in a town hall")),
)  # fmt: skip
register_target(
    "townhall_messages",
    _items(Message, lambda title: _("a message in the town hall %(title)s", title=title),
           _l("a message in a town hall")),
)  # fmt: skip
register_action("townhall.create", _l("Town halls created"), _l("%(actor)s created %(target)s"))
register_action("townhall.edit", _l("Town halls edited"), _l("%(actor)s edited %(target)s"))
register_action(
    "townhall.open", _l("Town halls opened"), _l("%(actor)s opened %(target)s"),
    _l("%(target)s began"),
)  # fmt: skip
register_action(
    "townhall.end", _l("Town halls ended"), _l("%(actor)s ended %(target)s"),
    _l("%(target)s ended"),
)  # fmt: skip
register_action(
    "townhall.hide_question", _l("Town-hall questions hidden"), _l("%(actor)s hid %(target)s"),
    _l("A facilitator hid %(target)s"),
)  # fmt: skip
register_action(
    "townhall.hide_message", _l("Town-hall messages hidden"), _l("%(actor)s hid %(target)s"),
    _l("A facilitator hid %(target)s"),
)  # fmt: skip
register_action(
    "townhall.settings", _l("Town-hall settings changed"),
    _l("%(actor)s changed the settings of %(target)s: %(settings)s"), params=_settings_params,
)  # fmt: skip
register_action(
    "townhall.mute", _l("People muted in a town hall"),
    _l("%(actor)s muted %(person)s in %(target)s"), params=_person_params,
)  # fmt: skip
register_action(
    "townhall.unmute", _l("People allowed to write again in a town hall"),
    _l("%(actor)s let %(person)s write again in %(target)s"), params=_person_params,
)  # fmt: skip
