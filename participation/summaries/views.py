"""Summaries: the council's dashboard, the summary pages, their PDF/CSV/JSON and open data."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.errors import wants_json
from participation.core.exports import csv_response
from participation.core.i18n import current_language
from participation.core.paging import requested_page
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError
from participation.extensions import db, limiter
from participation.municipality.models import current_municipality
from participation.processes.models import Phase
from participation.processes.views import load_process
from participation.proposals.listing import Page
from participation.proposals.models import OfficialResponse, Status
from participation.share.cards import Card, register_card
from participation.summaries import compute, exports, operations
from participation.summaries.forms import StatementForm
from participation.summaries.models import KIND_PATHS
from participation.townhall.views import load_townhall

bp = Blueprint("summaries", __name__, url_prefix="/summaries")

WRITE_LIMIT = "30 per minute"
DECISIONS_PAGE = 50
SUBJECTS = "any(processes, townhalls)"
# The decisions chart: qualified proposals still open (waiting), then each kind of answer.
DECISION_STATUSES = (Status.OPEN, Status.EVALUATING, Status.ACCEPTED, Status.REJECTED)


def _subject(kind, slug):
    return load_process(slug) if kind == "processes" else load_townhall(slug)


def load_summary(kind, slug):
    """The summary of a process or town hall, 404 unless published or the reader prepares it."""
    subject = _subject(kind, slug)
    preparer = current_user.is_authenticated and operations.can_prepare(current_user, subject)
    summary = operations.summary_of(subject, create=preparer)
    if summary is None or not (summary.is_published or preparer):
        abort(404)
    return summary


def summary_figures(summary):
    """The figures, recomputed when the content changed; a new cache is saved at once."""
    data = operations.figures(summary)
    if summary in db.session.dirty:
        db.session.commit()
    return data


@bp.route("/")
def index():
    rows = (
        operations.to_review()
        if current_user.is_authenticated and can(current_user, Permission.RESPOND_AS_COUNCIL)
        else None
    )
    return render_template(
        "summaries/index.html", published=operations.published_summaries(), to_review=rows
    )


@bp.route(f"/<{SUBJECTS}:kind>/<slug>")
def show(kind, slug):
    summary = load_summary(kind, slug)
    context = _context(summary)
    if summary.kind == "process":
        context["decisions"] = _decisions_page(summary, requested_page())
    return render_template(f"summaries/{summary.kind}.html", **context)


def _decisions_page(summary, page):
    query = compute.decisions_query(summary.process)
    total = summary.data["decisions"]["total"]
    page = min(max(1, page), max(1, -(-total // DECISIONS_PAGE)))
    items = db.session.execute(query.limit(DECISIONS_PAGE).offset((page - 1) * DECISIONS_PAGE))
    return Page(items=items.all(), total=total, page=page, per_page=DECISIONS_PAGE, sort="")


def _context(summary):
    """What the page and the PDF of a summary show."""
    data = summary_figures(summary)
    council = current_user.is_authenticated and can(current_user, Permission.RESPOND_AS_COUNCIL)
    form = StatementForm(obj=summary) if council else None
    return {
        "summary": summary, "subject": summary.subject, "data": data, "council": council,
        "form": form, "kind_path": summary.kind_path, "decisions": None,
        "datasets": exports.dataset_titles(summary.kind),
        "phase_title": lambda phase: Phase(phase).title,
        "status_title": lambda status: Status(status).title,
        "decision_statuses": DECISION_STATUSES,
        "needs_map": _needs_map(data) if summary.kind == "process" else None,
    }  # fmt: skip


def _needs_map(data):
    """The map of needs per community (a server-drawn image and its figures)."""
    import sqlalchemy as sa

    from participation.municipality.models import Area
    from participation.places.needs_map import needs_map

    figures = data["participation"]["areas"]
    ids = [row["id"] for row in figures if row.get("id") is not None]
    areas = db.session.scalars(sa.select(Area).where(Area.id.in_(ids))).all() if ids else []
    return needs_map(areas, figures)


@bp.route(f"/<{SUBJECTS}:kind>/<slug>.pdf")
def pdf(kind, slug):
    summary = load_summary(kind, slug)
    context = _context(summary)
    if summary.kind == "process":  # on paper each decision comes with the council's reasons
        query = compute.decisions_query(summary.process)
        context["decisions"] = db.session.execute(
            query.add_columns(OfficialResponse.body.label("reasons"))
        ).all()
    html = render_template(f"summaries/pdf_{summary.kind}.html", for_pdf=True,
                           municipality=current_municipality(), **context)  # fmt: skip
    document = exports.pdf_bytes(html, current_app.static_folder)
    filename = f"{summary.subject.slug}-summary-{current_language()}.pdf"
    return Response(
        document, mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )  # fmt: skip


@bp.route(f"/<{SUBJECTS}:kind>/<slug>.json")
def as_json(kind, slug):
    summary = load_summary(kind, slug)
    return jsonify(exports.summary_document(summary, summary_figures(summary)))


@bp.route(f"/<{SUBJECTS}:kind>/<slug>.csv")
def as_csv(kind, slug):
    summary = load_summary(kind, slug)
    rows = exports.summary_rows(summary, summary_figures(summary))
    return csv_response(f"{summary.subject.slug}-summary.csv", exports.SUMMARY_COLUMNS, rows)


@bp.route(f"/<{SUBJECTS}:kind>/<slug>/data/<dataset>.<any(csv, json):fmt>")
def open_data(kind, slug, dataset, fmt):
    summary = load_summary(kind, slug)
    datasets = exports.DATASETS[summary.kind]
    if dataset not in datasets:
        abort(404)
    columns, rows = datasets[dataset](summary.subject)
    filename = f"{summary.subject.slug}-{dataset}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, columns, rows)
    return Response(
        exports.json_array(columns, rows), mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip


# --- The council's workflow ---------------------------------------------------------------------


def _council_summary(kind, slug):
    summary = load_summary(kind, slug)
    if not can(current_user, Permission.RESPOND_AS_COUNCIL):
        abort(403)
    return summary


def _done(summary, message, category="success", status=200):
    if wants_json():
        return jsonify({"ok": status < 400, "message": str(message),
                        "state": summary.state}), status  # fmt: skip
    flash(str(message), category)
    return redirect(url_for(".show", kind=summary.kind_path, slug=summary.subject.slug))


def _attempt(summary, operation, *args, success):
    try:
        operation(summary, current_user, *args)
    except RuleError as error:
        db.session.rollback()
        return _done(summary, error.message, "error", status=422)
    db.session.commit()
    return _done(summary, success)


@bp.route(f"/<{SUBJECTS}:kind>/<slug>/statement", methods=["POST"])
@login_required
@limiter.limit(WRITE_LIMIT)
def statement(kind, slug):
    summary = _council_summary(kind, slug)
    form = StatementForm()
    if not form.validate_on_submit():
        message = next(iter(form.errors.values()))[0]
        return _done(summary, message, "error", status=422)
    try:
        unchanged = operations.save_statement(
            summary, current_user, form.statement_th.data, form.statement_en.data
        )
    except RuleError as error:
        db.session.rollback()
        return _done(summary, error.message, "error", status=422)
    db.session.commit()
    if unchanged:
        language = _("English") if "en" in unchanged else _("Thai")
        message = _(
            "The council's statement is saved, but only one language changed: check that the "
            "%(language)s text still says the same.", language=language,
        )  # fmt: skip
        return _done(summary, message, "warning")
    return _done(summary, _("The council's statement is saved."))


@bp.route(f"/<{SUBJECTS}:kind>/<slug>/<any(review, publish, unpublish):action>", methods=["POST"])
@login_required
@limiter.limit(WRITE_LIMIT)
def change_state(kind, slug, action):
    summary = _council_summary(kind, slug)
    if action == "unpublish" and summary.is_published and request.form.get("confirm") != "yes":
        message = _("Please confirm that the summary should be withdrawn from public view.")
        return _done(summary, message, "error", status=422)
    operation, success = {
        "review": (operations.mark_reviewed, _("The summary is marked as reviewed.")),
        "publish": (
            operations.publish,
            _("The summary is published. Everyone who took part will be told."),
        ),
        "unpublish": (operations.unpublish, _("The summary is no longer public.")),
    }[action]
    return _attempt(summary, operation, success=success)


def summary_url(subject):
    """For other pages: the link to a subject's summary when this reader may see it, else None
    (published: everyone; otherwise the council and the subject's facilitators, once ready)."""
    summary = operations.summary_of(subject, create=False)
    visible = summary is not None and summary.is_published
    if not visible and current_user.is_authenticated:
        visible = operations.is_ready(subject) and operations.can_prepare(current_user, subject)
    if not visible:
        return None
    kind = "process" if isinstance(subject, operations.Process) else "townhall"
    return url_for("summaries.show", kind=KIND_PATHS[kind], slug=subject.slug)


def _share_card(kind, slug):
    """A published summary (never a draft): its subject's title."""
    from participation.core.i18n import localized

    subject = _subject(kind, slug)  # 404 (nothing to share) when unknown or hidden
    summary = operations.summary_of(subject, create=False)
    if summary is None or not summary.is_published:
        return None
    if not getattr(subject, "is_published", False):
        return None
    return Card(title=localized(subject, "title"), kind=_("Summary"),
                status=str(summary.current_state.title),
                description=localized(summary, "statement"))  # fmt: skip


register_card("summaries.show", _share_card)
