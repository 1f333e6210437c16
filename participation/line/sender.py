"""The LINE channel: what a notification says in LINE, and sending it through the Messaging API.

Registered with the notifications feature as a :class:`~participation.notifications.channels.
Sender`. It reaches residents who linked LINE and follow the Official Account. ``send_now`` and
``send_digest`` write the text in each recipient's language, put together the people who get the
very same text, and ask for one ``line.send`` job per :data:`~participation.line.client.
MULTICAST_MAX` of them: one API call each (a push for one person, a multicast for more). A job
that LINE answers with 429 or a 5xx raises, so the job system tries it again later with the same
retry key; any other refusal marks the deliveries failed with LINE's answer.

Near the monthly quota (``LINE_MONTHLY_QUOTA``), deliveries due at once are moved to the daily
digest instead; when it is used up, nothing more is sent this month (the site keeps them all).
"""

import logging
import uuid
from collections import defaultdict
from contextlib import nullcontext
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from participation.accounts.models import User
from participation.core.forms import public_base_url
from participation.core.i18n import localized
from participation.core.models import utcnow
from participation.extensions import db
from participation.jobs import enqueue, job, periodic
from participation.line import client, operations
from participation.line.models import LineAccount
from participation.notifications.channels import Sender, register
from participation.notifications.digest import sentence, subject_title
from participation.notifications.models import Channel, Delivery, Frequency, Notification
from participation.notifications.settings import line_configured

logger = logging.getLogger(__name__)

#: Items listed in one digest message; the rest are counted, with a link to the bell's page.
DIGEST_ITEMS = 10
#: Hours after which an "at once" message that could not be sent is given up.
GIVE_UP_HOURS = 24


# --- What a message says ------------------------------------------------------------------------


def link_of(note):
    """The absolute address of what ``note`` is about (the same for everyone told)."""
    from participation.notifications.views import target_url

    return public_base_url() + target_url(note)


def now_text(note):
    """The message of one notification sent at once."""
    return f"{sentence(note)}\n{link_of(note)}"


def _count_phrase(kind, count):
    phrases = {
        "comment": ngettext("%(num)d new comment", "%(num)d new comments", count),
        "reply": ngettext("%(num)d reply to you", "%(num)d replies to you", count),
        "response": ngettext("%(num)d council answer", "%(num)d council answers", count),
        "status": ngettext("%(num)d status change", "%(num)d status changes", count),
        "update": ngettext("%(num)d progress update", "%(num)d progress updates", count),
        "correction": ngettext("%(num)d corrected progress update",
                               "%(num)d corrected progress updates", count),
        "phase": ngettext("%(num)d phase change", "%(num)d phase changes", count),
        "summary": ngettext("%(num)d published summary", "%(num)d published summaries", count),
        "townhall": ngettext("%(num)d town hall starting soon",
                             "%(num)d town halls starting soon", count),
        "moderation": ngettext("%(num)d moderation decision", "%(num)d moderation decisions",
                               count),
    }  # fmt: skip
    return phrases.get(kind) or ngettext("%(num)d notification", "%(num)d notifications", count)


def digest_text(notes, frequency):
    """A digest of ``notes`` (oldest first): grouped by process, then by item, with how many
    of each kind, e.g. "3 new comments", and a link to each item."""
    if Frequency(frequency) == Frequency.WEEKLY:
        lines = [_("Your weekly news from Ruamkid")]
    else:
        lines = [_("Your daily news from Ruamkid")]
    by_process = defaultdict(lambda: defaultdict(list))
    for note in notes:
        by_process[note.process_id][link_of(note)].append(note)
    shown = 0
    for items in by_process.values():
        first = next(iter(items.values()))[0]
        if shown >= DIGEST_ITEMS:
            break
        lines.append("")
        lines.append(f"【{localized(first.process, 'title')}】" if first.process else "")
        for link, item_notes in items.items():
            if shown >= DIGEST_ITEMS:
                break
            counts = defaultdict(int)
            for note in item_notes:
                counts[note.kind] += 1
            phrases = ", ".join(_count_phrase(kind, count) for kind, count in counts.items())
            lines.append(
                _("%(counts)s on “%(what)s”", counts=phrases, what=subject_title(item_notes[0]))
            )
            lines.append(link)
            shown += 1
    items_total = sum(len(items) for items in by_process.values())
    if items_total > shown:
        lines.append("")
        lines.append(ngettext("and %(num)d more item:", "and %(num)d more items:",
                              items_total - shown))  # fmt: skip
        lines.append(public_base_url() + url_for("notifications.index"))
    return "\n".join(line for line in lines if line is not None).strip()


def _links():
    """``url_for`` needs a request: a job has none, so it borrows one (links are made absolute
    with the site's public address all the same)."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context("/", base_url=public_base_url())


# --- Sending ------------------------------------------------------------------------------------


#: Ids per query (database parameter limits).
CHUNK = 5000

#: What makes two notifications read the same (for the same language).
EVENT_COLUMNS = ("kind", "actor_id", "detail", "process_id", "contribution_id", "comment_id",
                 "summary_id", "townhall_id")  # fmt: skip


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _pending(delivery_ids):
    """The pending LINE deliveries among ``delivery_ids``, oldest first, as rows of
    ``(id, user_id, notification_id, language, line_user_id, is_following)`` (the LINE
    columns None for someone no longer linked)."""
    rows = []
    for some in _chunks(delivery_ids):
        rows += db.session.execute(
            sa.select(
                Delivery.id, Delivery.user_id, Delivery.notification_id,
                User.preferred_language, LineAccount.line_user_id, LineAccount.is_following,
            )
            .join(User, User.id == Delivery.user_id)
            .outerjoin(LineAccount, LineAccount.user_id == Delivery.user_id)
            .where(Delivery.id.in_(some), Delivery.channel == Channel.LINE,
                   Delivery.state == "pending")
        ).all()  # fmt: skip
    return sorted(rows, key=lambda row: row.id)


def _mark(delivery_ids, state, result):
    for some in _chunks(delivery_ids):
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id.in_(some), Delivery.state == "pending")
            .values(state=state, result=result[:1000],
                    sent_dt=utcnow() if state == "sent" else None),
            execution_options={"synchronize_session": False},
        )  # fmt: skip


def _unreachable(rows):
    """Mark failed the deliveries of people no longer linked or following; return the rest."""
    lost = [row.id for row in rows if not row.is_following]
    _mark(lost, "failed", "not sent: LINE is no longer linked, or the Official Account is blocked")
    return [row for row in rows if row.is_following]


class _Events:
    """The notifications of many deliveries, one object per distinct event: 10,000 people told
    of one answer share one text, made once per language."""

    def __init__(self, notification_ids):
        self.key_of = {}
        for some in _chunks(set(notification_ids)):
            for row in db.session.execute(
                sa.select(Notification.id, *(getattr(Notification, c) for c in EVENT_COLUMNS))
                .where(Notification.id.in_(some))
            ):  # fmt: skip
                self.key_of[row[0]] = tuple(row[1:])
        self._example = {}
        for notification_id, key in self.key_of.items():
            self._example.setdefault(key, notification_id)
        self._loaded = {}

    def note(self, key):
        """One notification of event ``key`` (loaded once)."""
        if key not in self._loaded:
            self._loaded[key] = db.session.get(Notification, self._example[key])
        return self._loaded[key]


def _by_language(rows):
    languages = defaultdict(list)
    for row in rows:
        languages[row.preferred_language or "th"].append(row)
    return languages


def _send_groups(groups):
    """``{text: [(delivery_id, line_user_id), ...]}``: one ``line.send`` job per
    :data:`client.MULTICAST_MAX` people who get that text."""
    for text, pairs in groups.items():
        people = defaultdict(list)
        for delivery_id, line_user_id in pairs:
            people[line_user_id].append(delivery_id)
        recipients = list(people)
        for start in range(0, len(recipients), client.MULTICAST_MAX):
            batch = recipients[start : start + client.MULTICAST_MAX]
            enqueue(
                "line.send",
                text=text,
                delivery_ids=[i for person in batch for i in people[person]],
                retry_key=str(uuid.uuid4()),
            )


def send_now(delivery_ids):
    """Send the pending "at once" LINE deliveries among ``delivery_ids``."""
    rows = _unreachable(_pending(delivery_ids))
    if not rows:
        return
    people = {row.line_user_id for row in rows}
    if operations.near_quota(len(people)):
        # Near the month's quota: these wait for tomorrow's digest (one message for them all).
        for some in _chunks([row.id for row in rows]):
            db.session.execute(
                sa.update(Delivery)
                .where(Delivery.id.in_(some), Delivery.state == "pending")
                .values(frequency=Frequency.DAILY.value,
                        result="moved to the daily digest: the monthly LINE quota is near"),
                execution_options={"synchronize_session": False},
            )  # fmt: skip
        operations.warn_if_near(len(people))
        return
    events = _Events(row.notification_id for row in rows)
    groups = defaultdict(list)
    with _links():
        for language, some in _by_language(rows).items():
            texts = {}
            with force_locale(language):
                for row in some:
                    key = events.key_of[row.notification_id]
                    if key not in texts:
                        texts[key] = now_text(events.note(key))
                    groups[texts[key]].append((row.id, row.line_user_id))
    _send_groups(groups)


def send_digest(people, frequency):
    """Send each of ``people`` (``{user_id: [delivery_id, ...]}``) their digest; people whose
    digest reads the same are sent it together."""
    rows = _unreachable(_pending([i for ids in people.values() for i in ids]))
    events = _Events(row.notification_id for row in rows)
    groups = defaultdict(list)
    with _links():
        for language, some in _by_language(rows).items():
            by_person = defaultdict(list)
            for row in some:
                by_person[(row.user_id, row.line_user_id)].append(row)
            texts = {}
            with force_locale(language):
                for (_user_id, line_user_id), theirs in by_person.items():
                    keys = tuple(events.key_of[row.notification_id] for row in theirs)
                    if keys not in texts:
                        texts[keys] = digest_text([events.note(k) for k in keys], frequency)
                    groups[texts[keys]].extend((row.id, line_user_id) for row in theirs)
    _send_groups(groups)


@job("line.send")
def send_batch(text, delivery_ids, retry_key):
    """Send ``text`` to the people of ``delivery_ids`` still pending, in one API call."""
    rows = _unreachable(_pending(delivery_ids))
    if not rows:
        return
    recipients = list(dict.fromkeys(row.line_user_id for row in rows))
    ids = [row.id for row in rows]
    if operations.used_this_month() + len(recipients) > operations.quota():
        operations.warn_if_near(len(recipients))
        _mark(ids, "failed", "not sent: the monthly LINE quota is used up")
        return
    try:
        client.send_text(recipients, text, retry_key=retry_key)
    except client.SendError as error:
        if error.temporary and not current_app.config["JOBS_IMMEDIATE"]:
            logger.warning("LINE send %s will be tried again: %s", retry_key, error)
            raise  # the job system tries again later, with the same retry key
        logger.warning("LINE send %s failed: %s", retry_key, error)
        _mark(ids, "failed", str(error))
        return
    how = "push" if len(recipients) == 1 else f"multicast to {len(recipients)}"
    _mark(ids, "sent", f"LINE {how}")
    operations.record_sent(len(recipients))


@periodic("line.housekeeping")
def housekeeping():
    """Forget handled webhook events after a day; give up "at once" messages that could not be
    sent within :data:`GIVE_UP_HOURS` (their job failed for good)."""
    operations.forget_old_webhook_events()
    db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.channel == Channel.LINE,
            Delivery.state == "pending",
            Delivery.frequency == Frequency.NOW.value,
            Delivery.created_dt < utcnow() - timedelta(hours=GIVE_UP_HOURS),
        )
        .values(state="failed", result="not sent: LINE did not accept it within a day"),
        execution_options={"synchronize_session": False},
    )


def _reachable():
    return sa.select(LineAccount.user_id).where(LineAccount.is_following.is_(True))


SENDER = register(
    Sender(
        channel=Channel.LINE,
        reachable=_reachable,
        send_now=send_now,
        send_digest=send_digest,
        available=lambda: line_configured(),
        # Digests that read the same go out together, up to 500 people a call: the more people
        # grouped at once, the fewer calls (100,000 people with 100 different digests: 200).
        digest_batch=100_000,
    )
)
