"""Process pages: the list, one process with its stepper, and the facilitators' tools."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from participation.budgets.operations import budget_of
from participation.core.permissions import Permission, can, permission_required
from participation.core.rules import RuleError
from participation.extensions import db
from participation.municipality.models import Area
from participation.notifications.operations import (
    follow,
    is_following,
    mark_target_read,
    unfollow,
)
from participation.opinions.operations import conversations_of
from participation.processes import images, operations
from participation.processes.forms import ProcessForm
from participation.processes.models import ACTION_DESCRIPTIONS, PHASES, Action, Process
from participation.proposals.models import RESPONSE_STATUSES, Contribution, Proposal, Status
from participation.share.cards import register_card
from participation.surveys.operations import can_manage as can_manage_surveys
from participation.surveys.operations import surveys_of
from participation.townhall.views import upcoming_townhalls

bp = Blueprint("processes", __name__, url_prefix="/processes")


def load_process(slug):
    """Return the process for ``slug`` (404 if unknown or not visible to this reader)."""
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug)) or abort(404)
    if not operations.process_is_visible(process, current_user):
        abort(404)
    operations.advance_by_date(process)
    return process


def require_manager(process):
    if not current_user.is_authenticated:
        abort(401)
    if not can(current_user, Permission.MANAGE_PROCESSES, process):
        abort(403)


def visible_processes():
    """Published processes, plus the drafts this reader manages."""
    processes = db.session.scalars(sa.select(Process).order_by(Process.created_dt.desc())).all()
    return [p for p in processes if operations.process_is_visible(p, current_user)]


def contribution_counts(process):
    """How many issues and proposals a process has, not counting withdrawn ones, by kind."""
    return dict(
        db.session.execute(
            sa.select(Contribution.kind, sa.func.count())
            .where(Contribution.process_id == process.id, Contribution.status != Status.WITHDRAWN)
            .group_by(Contribution.kind)
        ).all()
    )


@bp.route("/")
def index():
    return render_template("processes/index.html", processes=visible_processes())


@bp.route("/<slug>")
def show(slug):
    process = load_process(slug)
    if mark_target_read(current_user, process_id=process.id, contribution_id=None, summary_id=None):
        db.session.commit()  # phase news and town-hall reminders of this process are seen
    top_proposals = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.process_id == process.id, Proposal.status != Status.WITHDRAWN)
        .order_by(Proposal.support_count.desc(), Proposal.id.desc())
        .limit(10)
    ).all()
    decided = db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.process_id == process.id, Proposal.status.in_(RESPONSE_STATUSES))
        .options(sa.orm.selectinload(Proposal.updates))
        .order_by(Proposal.support_count.desc(), Proposal.id.desc())
    ).all()
    conversations = conversations_of(process)
    opinion_map_open = any(conversation.is_open for conversation in conversations)
    return render_template(
        "processes/show.html",
        process=process,
        phases=PHASES,
        actions=[ACTION_DESCRIPTIONS[a] for a in process.resident_actions(opinion_map_open)],
        council_answers_now=process.allows_action(Action.RESPOND),
        counts=contribution_counts(process),
        top_proposals=top_proposals,
        decided=decided,
        following=is_following(current_user, process=process),
        townhalls=upcoming_townhalls(process.id),
        conversations=conversations,
        budget=budget_of(process),
        surveys=surveys_of(process, current_user),
        can_add_survey=can_manage_surveys(current_user, process),
    )


def _form_data(form):
    data = {
        name: getattr(form, name).data
        for name in (
            "slug", "title_th", "title_en", "summary_th", "summary_en", "description_th",
            "description_en", "reframe_start", "reframe_end", "reimagine_start", "reimagine_end",
            "remake_start", "remake_end", "max_supports", "support_threshold",
            "edit_window_minutes",
        )
    }  # fmt: skip
    for name in ("description_th", "description_en"):
        data[name] = (data[name] or "").strip()
    data["areas"] = db.session.scalars(sa.select(Area).where(Area.id.in_(form.areas.data or [])))
    return data


def _categories_from(text):
    pairs = []
    for line in (text or "").splitlines():
        if line.strip():
            name_th, _sep, name_en = line.partition("|")
            if len(name_th.strip()) > 120 or len(name_en.strip()) > 120:
                raise RuleError(_("Use at most 120 characters for a category."), "categories_th")
            pairs.append((name_th.strip() or name_en.strip(), name_en.strip()))
    return pairs


def _edit(process, form):
    form.areas.choices = [
        SelectChoice(a.id, a.name_th)
        for a in db.session.scalars(sa.select(Area).order_by(Area.position))
    ]
    if request.method == "GET" and process.id:
        form.areas.data = [area.id for area in process.areas]
        form.categories_th.data = "\n".join(
            f"{c.name_th} | {c.name_en}" for c in process.categories
        )
    if form.validate_on_submit():
        previous, stored = process.cover_image, None
        try:
            if form.cover.data:
                images.store_cover(process, form.cover.data)
                stored = process.cover_image
            operations.save_process(process, _form_data(form), current_user)
            operations.set_categories(process, _categories_from(form.categories_th.data))
        except RuleError as error:
            db.session.rollback()
            if stored:
                images.remove_cover_file(stored)
            form.add_rule_error(error)
        else:
            db.session.commit()
            if stored and previous:
                images.remove_cover_file(previous)
            flash(_("The process is saved."), "success")
            return redirect(url_for("processes.show", slug=process.slug))
    return render_template("processes/form.html", form=form, process=process), (
        422 if form.errors else 200
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_PROCESSES)
def create():
    return _edit(Process(), ProcessForm())


@bp.route("/<slug>/cover")
def cover(slug):
    process = load_process(slug)
    if not process.cover_image:
        abort(404)
    response = send_from_directory(images.covers_dir(), process.cover_image, max_age=86400)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    process = load_process(slug)
    require_manager(process)
    return _edit(process, ProcessForm(obj=process))


@bp.route("/<slug>/advance", methods=["POST"])
@login_required
def advance(slug):
    process = load_process(slug)
    require_manager(process)
    try:
        phase = operations.advance_phase(process, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The process is now in %(phase)s.", phase=phase.title), "success")
    return redirect(url_for("processes.show", slug=process.slug))


@bp.route("/<slug>/publish", methods=["POST"])
@login_required
def publish(slug):
    process = load_process(slug)
    require_manager(process)
    operations.publish_process(process, current_user)
    db.session.commit()
    flash(_("The process is published."), "success")
    return redirect(url_for("processes.show", slug=process.slug))


@bp.route("/<slug>/follow", methods=["POST"])
@login_required
def toggle_follow(slug):
    process = load_process(slug)
    if request.form.get("follow") == "0":
        unfollow(current_user, process=process)
        flash(_("You no longer follow this process."), "info")
    else:
        follow(current_user, process=process)
        flash(_("You follow this process: we will tell you when its phase changes."), "success")
    db.session.commit()
    return redirect(url_for("processes.show", slug=process.slug))


def _share_card(slug):
    """The process as anyone may share it: only once published."""
    from flask_babel import gettext as _g
    from flask_login import AnonymousUserMixin

    from participation.core.i18n import localized
    from participation.processes.operations import process_is_visible
    from participation.share.cards import Card

    process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
    if process is None or not process_is_visible(process, AnonymousUserMixin()):
        return None
    return Card(title=localized(process, "title"), kind=_g("Process"),
                status=str(process.current_phase.title),
                description=localized(process, "summary"))  # fmt: skip


register_card("processes.show", _share_card)
