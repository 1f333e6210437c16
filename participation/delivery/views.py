"""Delivery pages: the execution board, a council member's delivery page of one item, residents'
"was it really fixed?" answers, milestone documents and bulk updates."""

import json
import logging

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from participation.core.dates import DateInputError, parse_text
from participation.core.i18n import BUDDHIST_ERA_OFFSET, current_language
from participation.core.paging import requested_page
from participation.core.rules import RuleError
from participation.delivery import bulk, operations
from participation.delivery.models import (
    Answer,
    DeliveryRecord,
    DeliveryStatus,
    Milestone,
    MilestoneDocument,
    Stage,
)
from participation.extensions import db, write_limit
from participation.moderation.operations import can_see_hidden
from participation.municipality.models import Area
from participation.photos.operations import uploads_from
from participation.photos.views import allow_photo_uploads
from participation.privacy.registry import register
from participation.processes.models import Process
from participation.processes.operations import process_is_visible
from participation.proposals.models import Proposal, Status
from participation.summaries.exports import register_dataset

log = logging.getLogger(__name__)
bp = Blueprint("delivery", __name__, url_prefix="/delivery")
PER_PAGE = 30

register("delivery_answers", erase=operations.erase_answers_of)
register_dataset("process", "delivery", _l("Delivery: milestones and budget lines"),
                 operations.delivery_rows)  # fmt: skip


@bp.app_template_filter("typed_date")
def typed_date(value):
    """A date as a clerk types it in the reader's era (5/12/2569 in Thai, 5/12/2026 in
    English): what the milestone form shows and reads back the same."""
    if value is None:
        return ""
    year = value.year + BUDDHIST_ERA_OFFSET if current_language() == "th" else value.year
    return f"{value.day}/{value.month}/{year}"


def _visible_proposal(proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not process_is_visible(proposal.process, current_user):
        abort(404)
    if proposal.is_hidden and not can_see_hidden(current_user, proposal):
        abort(404)
    return proposal


def _managed_proposal(proposal_id):
    proposal = _visible_proposal(proposal_id)
    if not operations.can_manage(current_user):
        abort(403)
    if not operations.in_delivery(proposal):
        abort(404)
    return proposal


def item_url(proposal):
    return url_for("proposals.show", slug=proposal.process.slug, kind_path="proposals",
                   item_id=proposal.id)  # fmt: skip


# --- The execution board --------------------------------------------------------------------


def board_query(args):
    """Accepted proposals of visible processes, filtered as the board's form asks."""
    query = (
        sa.select(Proposal, DeliveryRecord)
        .join(Process, Process.id == Proposal.process_id)
        .outerjoin(DeliveryRecord, DeliveryRecord.proposal_id == Proposal.id)
        .where(Proposal.status == Status.ACCEPTED, Proposal.is_hidden.is_(False),
               Process.is_published.is_(True))
    )  # fmt: skip
    year = args.get("year", "").strip()
    if year.isdigit():
        number = int(year)
        query = query.where(
            DeliveryRecord.fiscal_year == (number + 543 if number < 2400 else number)
        )
    area = args.get("area", "").strip()
    if area.isdigit():
        query = query.where(Proposal.area_id == int(area))
    unit = args.get("unit", "").strip()
    if unit:
        query = query.where(DeliveryRecord.unit == unit)
    status = args.get("status", "").strip()
    if status == DeliveryStatus.IN_PROGRESS:
        query = query.where(
            sa.or_(DeliveryRecord.id.is_(None), DeliveryRecord.status == DeliveryStatus.IN_PROGRESS)
        )
    elif status in (DeliveryStatus.DONE, DeliveryStatus.REOPENED):
        query = query.where(DeliveryRecord.status == status)
    timing = args.get("timing", "").strip()
    if timing in ("late", "on_time"):
        today = operations.today()
        late = sa.exists().where(
            Milestone.delivery_id == DeliveryRecord.id,
            Milestone.planned_date.is_not(None),
            sa.or_(
                sa.and_(Milestone.actual_date.is_(None), Milestone.planned_date < today),
                Milestone.actual_date > Milestone.planned_date,
            ),
        )
        query = query.where(late if timing == "late" else ~late)
    return query.order_by(Proposal.id.desc())


@bp.route("")
def board():
    """Every item in delivery, across processes, with filters (public)."""
    query = board_query(request.args)
    page = requested_page()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    record_ids = [record.id for _proposal, record in rows if record is not None]
    milestones = {}
    if record_ids:  # one query for every row's milestones (no query per row)
        for milestone in db.session.scalars(
            sa.select(Milestone).where(Milestone.delivery_id.in_(record_ids))
            .order_by(Milestone.delivery_id, Milestone.position)
        ):  # fmt: skip
            milestones.setdefault(milestone.delivery_id, []).append(milestone)
    processes = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Process).where(Process.id.in_({proposal.process_id for proposal, _r in rows}))
        )
    }
    areas = db.session.scalars(sa.select(Area).order_by(Area.id)).all()
    units = db.session.scalars(
        sa.select(DeliveryRecord.unit).where(DeliveryRecord.unit != "").distinct()
        .order_by(DeliveryRecord.unit)
    ).all()  # fmt: skip
    years = db.session.scalars(
        sa.select(DeliveryRecord.fiscal_year).where(DeliveryRecord.fiscal_year.is_not(None))
        .distinct().order_by(DeliveryRecord.fiscal_year.desc())
    ).all()  # fmt: skip
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template(
        "delivery/board.html", rows=rows, milestones=milestones, processes=processes,
        areas=areas, units=units, years=years, page=page, pages=pages, total=total,
        args=request.args, statuses=list(DeliveryStatus),
        query_args={k: v for k, v in request.args.items() if k != "page"},
        can_manage_delivery=operations.can_manage(current_user),
    )  # fmt: skip


# --- A council member's delivery page of one item -----------------------------------------


@bp.route("/items/<int:proposal_id>")
@login_required
def manage(proposal_id):
    proposal = _managed_proposal(proposal_id)
    record = operations.delivery_of(proposal)
    db.session.commit()
    return render_template("delivery/manage.html", proposal=proposal, record=record,
                           stages=list(Stage), item_url=item_url(proposal),
                           answers=operations.answers_with_photos(record))  # fmt: skip


def _back(proposal):
    return redirect(url_for("delivery.manage", proposal_id=proposal.id))


def _fail(error):
    db.session.rollback()
    flash(str(error.message), "error")


def _save(proposal, change, message):
    """Run ``change()``; commit and say ``message``, or roll back and say why it was refused.
    Either way, back to the item's delivery page."""
    try:
        change()
    except RuleError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(message, "success")
    return _back(proposal)


@bp.route("/items/<int:proposal_id>/budget", methods=["POST"])
@login_required
@write_limit("edit")
def budget(proposal_id):
    proposal = _managed_proposal(proposal_id)
    return _save(proposal, lambda: operations.set_budget_line(proposal, current_user, request.form),
                 _("The budget line is saved."))  # fmt: skip


def _form_date(name):
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_text(text)[0]
    except DateInputError as error:
        raise RuleError(error.message, name) from None


def _milestone(proposal, milestone_id):
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.delivery.proposal_id != proposal.id:
        abort(404)
    return milestone


@bp.route("/items/<int:proposal_id>/milestones", methods=["POST"])
@login_required
@write_limit("edit")
def new_milestone(proposal_id):
    proposal = _managed_proposal(proposal_id)
    return _save(proposal, lambda: operations.add_milestone(
        proposal, current_user, request.form.get("name"), _form_date("planned_date")),
        _("The milestone is saved."))  # fmt: skip


@bp.route("/items/<int:proposal_id>/milestones/<int:milestone_id>", methods=["POST"])
@login_required
@write_limit("edit")
def milestone(proposal_id, milestone_id):
    proposal = _managed_proposal(proposal_id)
    item = _milestone(proposal, milestone_id)
    progress = request.form.get("progress", "").strip()
    return _save(proposal, lambda: operations.change_milestone(
        item, current_user, name=request.form.get("name"),
        planned_date=_form_date("planned_date"), actual_date=_form_date("actual_date"),
        progress=int(progress) if progress.isdigit() else (None if not progress else -1),
        note=request.form.get("note"),
    ), _("The milestone is saved."))  # fmt: skip


@bp.route("/items/<int:proposal_id>/milestones/<int:milestone_id>/photos", methods=["POST"])
@login_required
@write_limit("edit")
def milestone_photos(proposal_id, milestone_id):
    allow_photo_uploads()
    proposal = _managed_proposal(proposal_id)
    item = _milestone(proposal, milestone_id)
    uploads = uploads_from(request.files.getlist("photos"), request.form.getlist("photo_alt"))
    if not uploads:
        flash(_("Please choose a photo."), "error")
        return _back(proposal)
    return _save(proposal, lambda: operations.add_milestone_photos(
        item, current_user, uploads, request.form.get("stage")),
        _("The photos are added."))  # fmt: skip


@bp.route("/items/<int:proposal_id>/milestones/<int:milestone_id>/documents", methods=["POST"])
@login_required
@write_limit("edit")
def milestone_document(proposal_id, milestone_id):
    request.max_content_length = current_app.config["DELIVERY_DOCUMENT_MAX_BYTES"] + 1024 * 1024
    proposal = _managed_proposal(proposal_id)
    item = _milestone(proposal, milestone_id)
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        flash(_("Please choose a PDF document."), "error")
        return _back(proposal)
    data = upload.stream.read(current_app.config["DELIVERY_DOCUMENT_MAX_BYTES"] + 1)
    return _save(proposal, lambda: operations.add_document(
        item, current_user, upload.filename, data), _("The document is attached."))  # fmt: skip


@bp.route("/items/<int:proposal_id>/done", methods=["POST"])
@login_required
@write_limit("edit")
def done(proposal_id):
    proposal = _managed_proposal(proposal_id)
    return _save(proposal, lambda: operations.mark_done(proposal, current_user),
                 _("Marked done. Residents are asked whether it was really fixed."))  # fmt: skip


@bp.route("/documents/<token>.pdf")
def document(token):
    """A milestone's PDF, to those who may see its item; always a download, never rendered."""
    if len(token) != 32:
        abort(404)
    row = db.session.scalar(sa.select(MilestoneDocument).where(MilestoneDocument.token == token))
    if row is None:
        abort(404)
    _visible_proposal(row.milestone.delivery.proposal_id)
    response = current_app.response_class(row.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="document-{row.id}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    return response


# --- Residents: "was it really fixed?" ------------------------------------------------------


@bp.route("/items/<int:proposal_id>/answer", methods=["GET", "POST"])
@login_required
@write_limit("support", methods=["POST"])
def answer(proposal_id):
    proposal = _visible_proposal(proposal_id)
    record = proposal.delivery
    if record is None or not operations.can_answer(proposal, current_user):
        abort(403)
    if request.method == "POST":
        allow_photo_uploads(1)
        uploads = uploads_from(request.files.getlist("photos"), request.form.getlist("photo_alt"))
        try:
            operations.answer_fixed(proposal, current_user, request.form.get("answer"), uploads)
        except RuleError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("Thank you: your answer is counted."), "success")
            return redirect(item_url(proposal) + "#delivery")
    return render_template("delivery/answer.html", proposal=proposal, record=record,
                           answers=list(Answer), mine=operations.answer_of(record, current_user),
                           item_url=item_url(proposal))  # fmt: skip


# --- Bulk updates ---------------------------------------------------------------------------


def _results_view(results, rows, applied=False):
    return render_template("delivery/bulk.html", results=results,
                           rows_json=json.dumps(rows, default=str, ensure_ascii=False),
                           has_errors=any(not r.ok for r in results), applied=applied)  # fmt: skip


@bp.route("/bulk", methods=["GET", "POST"])
@login_required
@write_limit("edit", methods=["POST"])
def bulk_upload():
    """Upload a CSV or XLSX file and see every row's changes and errors (nothing is saved)."""
    if not operations.can_manage(current_user):
        abort(403)
    if request.method == "GET":
        return render_template("delivery/bulk.html", results=None)
    request.max_content_length = 5 * 1024 * 1024
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Please choose a CSV or XLSX file."), "error")
        return redirect(url_for("delivery.bulk_upload"))
    try:
        rows = bulk.read_rows(upload.filename, upload.stream.read())
        results = bulk.plan(rows)
    except RuleError as error:
        _fail(error)
        return redirect(url_for("delivery.bulk_upload"))
    page = _results_view(results, rows)
    db.session.rollback()  # a preview saves nothing
    return page


@bp.route("/bulk/apply", methods=["POST"])
@login_required
@write_limit("edit")
def bulk_apply():
    """Apply the previewed rows in one transaction: all or nothing."""
    if not operations.can_manage(current_user):
        abort(403)
    try:
        rows = json.loads(request.form.get("rows") or "[]")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValueError
    except ValueError:
        abort(400)
    try:
        results = bulk.plan(rows)
        changed = bulk.apply(results, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        results = bulk.plan(rows)
        page = _results_view(results, rows)
        db.session.rollback()
        return page, 422
    db.session.commit()
    flash(_("The updates are applied to %(count)s items.", count=len(changed)), "success")
    return redirect(url_for("delivery.board"))
