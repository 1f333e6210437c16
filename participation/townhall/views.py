"""Town hall pages: the list, the live page, the projector view, calendar and CSV record."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from participation.accounts.models import User, UserRole
from participation.core.exports import csv_response
from participation.core.forms import public_url_for
from participation.core.i18n import localized
from participation.core.models import utcnow
from participation.core.permissions import Permission, Role, can, permission_required
from participation.core.qr import qr_response
from participation.core.rules import Checks, RuleError
from participation.extensions import db
from participation.processes.models import Process
from participation.share.cards import Card, register_card
from participation.townhall import guests
from participation.townhall import operations as ops
from participation.townhall.events import broadcast
from participation.townhall.forms import GuestForm, TownHallForm
from participation.townhall.limits import live_limits
from participation.townhall.models import Message, Poll, Question, State, TownHall

bp = Blueprint("townhall", __name__, url_prefix="/townhalls")
# The short addresses people type or scan in the hall: /j and /j/<code>.
join_bp = Blueprint("join", __name__)


def load_townhall(slug, members_only_page=False):
    """Return the town hall for ``slug``; a members-only one is 403 for visitors.

    ``members_only_page``: the caller answers visitors itself (the live page asks them to sign in).
    """
    townhall = db.session.scalar(sa.select(TownHall).where(TownHall.slug == slug)) or abort(404)
    if not townhall.is_published and not townhall.is_facilitator(current_user):
        abort(404)
    if not members_only_page and not townhall.allow_visitors and not current_user.is_authenticated:
        abort(403)
    return townhall


def upcoming_townhalls(process_id=None, limit=10):
    query = (
        sa.select(TownHall)
        .where(TownHall.is_published.is_(True), TownHall.state != State.ENDED)
        .order_by(TownHall.starts_dt)
        .limit(limit)
    )
    if process_id is not None:
        query = query.where(TownHall.process_id == process_id)
    return db.session.scalars(query).all()


@bp.route("/")
def index():
    townhalls = db.session.scalars(
        sa.select(TownHall).where(TownHall.is_published.is_(True))
        .order_by(TownHall.starts_dt.desc()).limit(100)
    ).all()  # fmt: skip
    return render_template("townhall/index.html", townhalls=townhalls)


@bp.route("/<slug>")
def show(slug):
    """The live page: rendered with the current state, kept live by JavaScript."""
    townhall = load_townhall(slug, members_only_page=True)
    if not current_user.is_authenticated and not townhall.allow_visitors:
        flash(_("Please sign in to follow this town hall."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    guest = None if current_user.is_authenticated else guests.guest_in(townhall)
    state = ops.snapshot(townhall, guest.user if guest else current_user)
    from participation.opinions.operations import conversations_of
    from participation.surveys import operations as surveys

    return render_template("townhall/live.html", townhall=townhall, state=state, guest=guest,
                           questions=_questions_by_state(state["questions"]),
                           join_url=_join_url(townhall),
                           conversations=conversations_of(townhall),
                           surveys=surveys.surveys_of(townhall, current_user),
                           can_add_survey=surveys.can_manage(current_user, townhall))  # fmt: skip


def _join_url(townhall):
    """The address the QR code and the poster give: /j/<code> while the town hall has a code."""
    if townhall.join_code:
        return public_url_for("join.code", code=townhall.join_code)
    return public_url_for("townhall.show", slug=townhall.slug)


@bp.route("/<slug>/qr.<any(svg, png):kind>")
def qr(slug, kind):
    """The QR code of the town hall's join address (drawn here, never by a web service)."""
    townhall = load_townhall(slug)
    return qr_response(_join_url(townhall), kind, title=localized(townhall, "title"))


@bp.route("/<slug>/poster")
def poster(slug):
    """An A4 poster for the notice board: title, date and place, QR code and join code."""
    townhall = load_townhall(slug)
    from participation.municipality.models import current_municipality

    return render_template("townhall/poster.html", townhall=townhall,
                           municipality=current_municipality(), join_url=_join_url(townhall),
                           code=guests.pretty_code(townhall.join_code))  # fmt: skip


@bp.route("/<slug>/guest", methods=["POST"])
def join_as_guest(slug):
    """Take part with a name only, when the town hall allows guests (a cookie for this town hall
    only). A person already signed in, or already a guest here, just goes to the live page."""
    townhall = load_townhall(slug, members_only_page=True)
    back = redirect(url_for("townhall.show", slug=townhall.slug))
    if current_user.is_authenticated or guests.guest_in(townhall) is not None:
        return back
    form = GuestForm()
    if not form.validate_on_submit():
        flash(_("Please give a name to show with your questions."), "error")
        return back
    if current_app.config["RATELIMIT_ENABLED"]:
        rule = current_app.config["TOWNHALL_GUEST_JOIN_LIMIT"]
        allowed, wait = live_limits.hit(rule, "townhall", "guest-join", str(request.remote_addr))
        if not allowed:
            message = _("Too many people joined from this network just now. Please try again "
                        "in a few minutes, or sign in.")  # fmt: skip
            page = render_template("townhall/join.html", code="", wrong=False, message=message)
            return page, 429, {"Retry-After": str(wait)}
    try:
        guest = guests.join_as_guest(townhall, form.name.data)
    except guests.GuestError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return back
    db.session.commit()
    flash(_("Welcome, %(name)s! You can ask, vote and chat in this town hall.",
            name=guest.display_name), "success")  # fmt: skip
    back.set_cookie(
        guests.cookie_name(townhall), guests.cookie_value(guest),
        max_age=60 * 60 * 24 * 30, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )  # fmt: skip
    return back


@join_bp.route("/j", methods=["GET"])
def enter():
    """A box to type the join code; a wrong code is said plainly."""
    code = request.args.get("code")
    if code is not None:
        townhall = guests.townhall_for_code(code)
        if townhall is not None:
            return redirect(url_for("townhall.show", slug=townhall.slug))
        return render_template("townhall/join.html", code=code[:20], wrong=True), 404
    return render_template("townhall/join.html", code="", wrong=False)


@join_bp.route("/j/<code>")
def code(code):
    townhall = guests.townhall_for_code(code)
    if townhall is None:
        return render_template("townhall/join.html", code=code[:20], wrong=True), 404
    return redirect(url_for("townhall.show", slug=townhall.slug))


def _questions_by_state(questions):
    answered = [q for q in questions if q["state"] == "answered"]
    waiting = sorted((q for q in questions if q["state"] != "answered"),
                     key=lambda q: (-q["upvotes"], q["seq"]))  # fmt: skip
    return {"waiting": waiting, "answered": answered}


@bp.route("/<slug>/projector")
def projector(slug):
    townhall = load_townhall(slug)
    state = ops.snapshot(townhall, current_user)
    current = next((q for q in state["questions"]
                    if q["id"] == townhall.current_question_id), None)  # fmt: skip
    return render_template("townhall/projector.html", townhall=townhall, state=state,
                           current=current, join_url=_join_url(townhall),
                           code=guests.pretty_code(townhall.join_code))  # fmt: skip


def _ics_text(value):
    """Escape a TEXT value (RFC 5545 3.3.11); line breaks of any kind become \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line):
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    pieces, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            pieces.append(current)
            current = " " + char
        else:
            current += char
    pieces.append(current)
    return "\r\n".join(pieces)


@bp.route("/<slug>/calendar.ics")
def calendar(slug):
    townhall = load_townhall(slug)
    stamp = "%Y%m%dT%H%M%SZ"
    url = public_url_for("townhall.show", slug=townhall.slug)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ruamkid//Town halls//TH", "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:townhall-{townhall.id}@{request.host}",
        f"DTSTAMP:{utcnow().strftime(stamp)}",
        f"DTSTART:{townhall.starts_dt.strftime(stamp)}",
        f"DTEND:{townhall.ends_dt.strftime(stamp)}",
        f"SUMMARY:{_ics_text(localized(townhall, 'title'))}",
        f"LOCATION:{_ics_text(localized(townhall, 'venue'))}",
        f"DESCRIPTION:{_ics_text(localized(townhall, 'description') + chr(10) + url)}",
        f"URL:{url}",
        "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    response = Response("\r\n".join(_ics_fold(line) for line in lines) + "\r\n",
                        mimetype="text/calendar")  # fmt: skip
    response.headers["Content-Disposition"] = f'attachment; filename="{townhall.slug}.ics"'
    return response


@bp.route("/<slug>/record.csv")
def export_csv(slug):
    """Every question (votes, answered or not), poll results and the discussion, as CSV."""
    townhall = load_townhall(slug)
    header = ["type", "id", "time_utc", "author", "text", "upvotes", "status", "parent_id"]
    return csv_response(f"{townhall.slug}.csv", header, _record_rows(townhall))


def _record_rows(townhall):
    questions = db.session.scalars(
        sa.select(Question).where(Question.townhall_id == townhall.id)
        .options(sa.orm.joinedload(Question.author)).order_by(Question.seq)
    )  # fmt: skip
    for q in questions:
        yield ["question", q.id, q.created_dt.isoformat(),
               "" if q.is_hidden else _name(q.author),
               "" if q.is_hidden else q.body, q.upvote_count,
               "hidden" if q.is_hidden else q.state, ""]  # fmt: skip
    for poll in db.session.scalars(
        sa.select(Poll).where(Poll.townhall_id == townhall.id).order_by(Poll.seq)
        .options(sa.orm.selectinload(Poll.options))
    ):  # fmt: skip
        for option in poll.options:
            shown = ops.results_visible(poll)
            yield ["poll_option", option.id, poll.created_dt.isoformat(), "",
                   f"{poll.question} — {option.label}",
                   option.vote_count if shown else "", poll.state, poll.id]  # fmt: skip
    messages = db.session.scalars(
        sa.select(Message).where(Message.townhall_id == townhall.id)
        .options(sa.orm.joinedload(Message.author)).order_by(Message.seq)
    )  # fmt: skip
    for m in messages:
        yield ["message", m.id, m.created_dt.isoformat(),
               "" if m.is_hidden else _name(m.author),
               "" if m.is_hidden else m.body, "", "hidden" if m.is_hidden else "",
               m.parent_id or ""]  # fmt: skip


def _name(user):
    return user.display_name if user else ""


def _edit(townhall, form):
    processes = [
        p for p in db.session.scalars(sa.select(Process).order_by(Process.created_dt.desc()))
        if p.is_published or can(current_user, Permission.MANAGE_PROCESSES, p)
    ]  # fmt: skip
    form.process_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(p.id), localized(p, "title")) for p in processes
    ]
    candidates = db.session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([Role.FACILITATOR, Role.ADMIN]))
        .order_by(User.display_name)
        .distinct()
    ).all()
    by_id = {str(u.id): u for u in candidates}
    form.facilitators.choices = [SelectChoice(key, u.display_name) for key, u in by_id.items()]
    if request.method == "GET" and townhall.id:
        form.facilitators.data = [str(f.id) for f in townhall.facilitators]
        form.process_id.data = str(townhall.process_id or "")
    if form.validate_on_submit():
        starts, ends = form.starts.data, form.ends.data
        process_ids = {str(p.id): p.id for p in processes}
        checks = Checks()  # every problem is shown at once
        try:
            if form.process_id.data and form.process_id.data not in process_ids:
                checks.add(_("Please choose one of the listed processes."), "process_id")
            chosen = form.facilitators.data or []
            if any(key not in by_id for key in chosen):
                checks.add(_("Please choose facilitators from the list."), "facilitators")
            data = {
                name: getattr(form, name).data
                for name in (
                    "slug",
                    "title_th",
                    "title_en",
                    "venue_th",
                    "venue_en",
                    "allow_visitors",
                    "allow_guests",
                )
            }
            data.update(
                description_th=(form.description_th.data or "").strip(),
                description_en=(form.description_en.data or "").strip(),
                starts_dt=starts, ends_dt=ends,
                process_id=process_ids.get(form.process_id.data),
            )  # fmt: skip
            checks.run(ops.save_townhall, townhall, data, current_user)
            checks.done()
            if chosen:
                # The chosen facilitators, and whoever saves the form (never locked out).
                editor = current_user._get_current_object()
                people = [editor, *(by_id[key] for key in chosen)]
                townhall.facilitators = list({person.id: person for person in people}.values())
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("The town hall is saved."), "success")
            return redirect(url_for("townhall.show", slug=townhall.slug))
    return render_template("townhall/form.html", form=form, townhall=townhall), (
        422 if form.errors else 200
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.FACILITATE)
def create():
    return _edit(TownHall(), TownHallForm())


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    townhall = load_townhall(slug)
    if not can(current_user, Permission.FACILITATE, townhall):
        abort(403)
    return _edit(
        townhall, TownHallForm(obj=townhall, starts=townhall.starts_dt, ends=townhall.ends_dt)
    )


@bp.route("/<slug>/<any(open, end):action>", methods=["POST"])
@login_required
def change_state(slug, action):
    """Open or end the session from a plain form (the live page does it over the socket)."""
    townhall = load_townhall(slug)
    if not can(current_user, Permission.FACILITATE, townhall):
        abort(403)
    operation = ops.open_townhall if action == "open" else ops.end_townhall
    try:
        event = operation(townhall, current_user)
    except ops.TownHallError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        broadcast(townhall.id, event)
    return redirect(url_for("townhall.show", slug=townhall.slug))


def _share_card(slug):
    """A published town hall: its title, when and where, and whether it is live."""
    from participation.core.i18n import format_datetime

    townhall = db.session.scalar(sa.select(TownHall).where(TownHall.slug == slug))
    if townhall is None or not townhall.is_published:
        return None
    venue = localized(townhall, "venue")
    when = format_datetime(townhall.starts_dt)
    return Card(title=localized(townhall, "title"), kind=_("Town hall"),
                status=f"{townhall.current_state.title} · {when}",
                count=venue, description=localized(townhall, "description"))  # fmt: skip


register_card("townhall.show", _share_card)
