"""Creating and running processes: editing, phase changes (by hand or by date), following."""

import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.rules import Checks, RuleError
from participation.core.sanitize import plain_text
from participation.core.slugs import make_slug
from participation.extensions import db
from participation.notifications.models import NotificationKind
from participation.notifications.operations import notify
from participation.processes import action_log  # noqa: F401  (registers the action log's words)
from participation.processes.models import PHASES, Category, Phase, Process

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,78}[a-z0-9]")


def process_is_visible(process, user):
    """Published processes are public; drafts only to those who manage them."""
    from participation.core.permissions import Permission, can

    return process.is_published or can(user, Permission.MANAGE_PROCESSES, process)


def _check_text(data, checks, process):
    for field in ("title_th", "title_en", "summary_th", "summary_en"):
        data[field] = plain_text(data.get(field))
    if not data["title_th"] and not data["title_en"]:
        checks.add(_l("Give the process a title in Thai or English."), "title_th")
    data["slug"] = (data.get("slug") or "").strip()
    if not data["slug"] and (data["title_th"] or data["title_en"]):
        # Staff need not invent a web address: one is made from the title.
        data["slug"] = make_slug(
            (data["title_en"], data["title_th"]), lambda slug: _slug_taken(slug, process),
            fallback="process",
        )  # fmt: skip
    if not SLUG.fullmatch(data.get("slug") or ""):
        checks.add(
            _l("Use 3 to 80 lower-case letters, digits and dashes for the web address."), "slug"
        )


def _check_dates(data, checks):
    previous_end = None
    for phase in PHASES:
        start, end = data.get(f"{phase}_start"), data.get(f"{phase}_end")
        if start and end and end < start:
            checks.add(_l("A phase cannot end before it starts."), f"{phase}_end")
        if previous_end and start and start < previous_end:
            checks.add(_l("Each phase must start after the one before it ends."), f"{phase}_start")
        previous_end = end or previous_end


def _slug_taken(slug, process):
    query = sa.select(Process.id).where(Process.slug == slug)
    if process.id:
        query = query.where(Process.id != process.id)
    return db.session.scalar(query) is not None


def save_process(process, data, actor):
    """Create or edit a process. Support rules cannot change once Reimagine has opened.

    Every problem is reported together (one RuleError carrying them all)."""
    checks = Checks()
    _check_text(data, checks, process)
    _check_dates(data, checks)
    if not checks.failed("slug") and _slug_taken(data["slug"], process):
        checks.add(_l("Another process already uses this web address."), "slug")
    checks.done()
    if process.id and process.rules_frozen:
        changed = [
            name
            for name in ("max_supports", "support_threshold")
            if data.get(name) != getattr(process, name)
        ]
        if changed:
            raise RuleError(_l("Support rules are fixed once Reimagine has opened."), changed[0])
    for name, value in data.items():
        if name not in ("areas", "categories", "facilitators"):
            setattr(process, name, value)
    if "areas" in data:
        process.areas = list(data["areas"])
    process.modified_dt = utcnow()  # moves even when only areas or categories changed
    is_new = process.id is None
    if is_new:
        process.created_by_id = actor.id
        process.phase = process.phase or Phase.REFRAME
        if actor not in process.facilitators:
            process.facilitators.append(actor)
        db.session.add(process)
    db.session.flush()
    record_action(actor, "process.create" if is_new else "process.edit", process)
    return process


def set_categories(process, names):
    """Set the categories from (name_th, name_en) pairs, line by line.

    The n-th line edits the n-th category in place (so fixing a spelling keeps every
    contribution in it); extra lines add categories, missing lines remove the last ones.
    """
    existing = sorted(process.categories, key=lambda category: category.position)
    kept = []
    for position, (name_th, name_en) in enumerate(names):
        if position < len(existing):
            category = existing[position]
        else:
            category = Category(slug=f"c-{secrets.token_hex(4)}")
        category.name_th = name_th
        category.name_en = name_en
        category.position = position
        kept.append(category)
    process.categories = kept
    process.modified_dt = utcnow()  # pages shared by anonymous readers show the new names


def advance_phase(process, actor, reason=""):
    """Move the process to its next phase; the last phase is final."""
    following = process.current_phase.next
    if following is None:
        raise RuleError(_l("Remake is the last phase; there is no phase after it."))
    previous = process.phase
    process.phase = following
    record_action(
        actor,
        "process.phase",
        process,
        reason=reason,
        details={"from": previous, "to": following},
        public=True,
    )
    notify(NotificationKind.PHASE, [("process_followers", process.id)], process, actor)
    db.session.flush()
    return following


def due_phase(process, today):
    """Return the phase a published process should be in by its dates (or its current one)."""
    phase = process.current_phase
    while process.is_published and phase.next is not None:
        start, _end = process.phase_dates(phase.next)
        if start is None or start > today:
            break
        phase = phase.next
    return phase


def advance_by_date(process, today=None):
    """Move a process whose next phase has started by its dates, exactly once.

    Runs in its own short write transaction with a conditional UPDATE (``WHERE phase = old``),
    so concurrent readers of the page cannot advance it twice. Returns True when this call
    changed the phase. Used when a process is shown and by ``flask processes advance``.
    """
    from participation.core.i18n import BANGKOK
    from participation.core.transactions import writing

    today = today or datetime.now(BANGKOK).date()
    target = due_phase(process, today)
    if target == process.current_phase:
        return False
    previous = process.phase
    db.session.rollback()
    try:
        with writing():
            moved = db.session.execute(
                sa.update(Process)
                .where(Process.id == process.id, Process.phase == previous)
                .values(phase=target)
            ).rowcount
            if moved:
                record_action(None, "process.phase", process, reason="date",
                              details={"from": previous, "to": target}, public=True)  # fmt: skip
                notify(NotificationKind.PHASE, [("process_followers", process.id)], process)
            db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        return False
    db.session.refresh(process)
    return bool(moved)


def publish_process(process, actor):
    process.is_published = True
    record_action(actor, "process.publish", process, public=True)
