"""Survey pages: answering (on a phone first), the facilitators' builder, paper forms, and the
results with their exports."""

import io
import secrets

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from participation.core.exports import csv_response, safe_cell
from participation.core.rules import RuleError
from participation.extensions import configured_limit, db, limiter
from participation.moderation.operations import register_content
from participation.privacy.registry import register
from participation.surveys import operations as ops
from participation.surveys.forms import QuestionForm, SurveyForm
from participation.surveys.models import Answer, Kind, Survey, SurveyQuestion

bp = Blueprint("surveys", __name__, url_prefix="/surveys")

ANSWER_LIMIT = configured_limit("RATELIMIT_SURVEY_ANSWER")
DEVICE_COOKIE = "ruamkid_survey_device"
DEVICE_COOKIE_DAYS = 400
TEXTS_SHOWN = 50  # written answers per question on the results page (all: ?texts=all)


register_content(
    "survey_answer", Answer,
    lambda answer: (answer.response.survey.process, answer.response.survey.townhall),
)  # fmt: skip
register("surveys", erase=ops.erase_responses_of, data=ops.personal_data_of)


def load_survey(survey_id):
    """The survey (404 when unknown or hidden from this reader)."""
    survey = db.session.get(Survey, survey_id) or abort(404)
    if not ops.is_visible(survey, current_user):
        abort(404)
    return survey


def load_managed(survey_id):
    survey = db.session.get(Survey, survey_id) or abort(404)
    if not ops.can_manage(current_user, survey):
        abort(403 if ops.place_is_visible(survey.place, current_user) else 404)
    return survey


def load_question(survey, question_id):
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _place(kind, slug):
    if kind == "processes":
        from participation.processes.views import load_process

        return load_process(slug)
    from participation.townhall.views import load_townhall

    return load_townhall(slug)


def _place_url(survey_or_place):
    place = getattr(survey_or_place, "place", survey_or_place)
    from participation.processes.models import Process

    if isinstance(place, Process):
        return url_for("processes.show", slug=place.slug)
    return url_for("townhall.show", slug=place.slug)


def _areas(survey):
    """The communities a respondent picks from: the process's, else the municipality's."""
    from participation.municipality.models import Area

    if survey.process is not None and survey.process.areas:
        return list(survey.process.areas)
    return db.session.scalars(sa.select(Area).order_by(Area.position, Area.id)).all()


def _form_context(survey, values=None, errors=None, action=None, preview=False, paper=False):
    values = {name: value if isinstance(value, list) else [value]
              for name, value in (values or {}).items()}  # fmt: skip
    return {
        "survey": survey, "values": values, "errors": errors or {}, "action": action,
        "preview": preview, "paper": paper,
        "areas": _areas(survey) if survey.asks_community else [],
        "Kind": Kind, "place_url": _place_url(survey), "sections": ops.section_starts(survey),
    }  # fmt: skip


def _errors_of(error):
    errors = {}
    for problem in error.problems:
        errors.setdefault(problem.field or "", []).append(str(problem.message))
    return errors


# --- Answering ----------------------------------------------------------------------------------


@bp.route("/<int:survey_id>")
def show(survey_id):
    survey = load_survey(survey_id)
    token = request.cookies.get(DEVICE_COOKIE)
    response = ops.response_of(survey, current_user, token)
    refusal = ops.answer_refusal(survey, current_user)
    return render_template(
        "surveys/show.html", response=response, refusal=refusal,
        can_manage=ops.can_manage(current_user, survey),
        results_visible=ops.results_visible(survey, current_user),
        **_form_context(survey, ops.current_values(response),
                        action=url_for(".answer", survey_id=survey.id)),
    )  # fmt: skip


@bp.route("/<int:survey_id>", methods=["POST"])
@limiter.limit(ANSWER_LIMIT, methods=["POST"])
def answer(survey_id):
    survey = load_survey(survey_id)
    token = request.cookies.get(DEVICE_COOKIE)
    new_token = None
    if not current_user.is_authenticated and not token:
        token = new_token = secrets.token_urlsafe(24)
    existed = ops.response_of(survey, current_user, token) is not None
    try:
        ops.submit_response(survey, current_user, request.form, device_token=token,
                            area_id=request.form.get("area"))  # fmt: skip
    except RuleError as error:
        db.session.rollback()
        refusal = ops.answer_refusal(survey, current_user)
        return render_template(
            "surveys/show.html", response=None, refusal=refusal,
            can_manage=ops.can_manage(current_user, survey),
            results_visible=ops.results_visible(survey, current_user),
            **_form_context(survey, request.form.to_dict(flat=False),
                            _errors_of(error), action=url_for(".answer", survey_id=survey.id)),
        ), 422  # fmt: skip
    db.session.commit()
    flash(_("Your answers are changed.") if existed else _("Thank you! Your answers are saved."),
          "success")  # fmt: skip
    reply = redirect(url_for(".show", survey_id=survey.id))
    if new_token:
        reply.set_cookie(DEVICE_COOKIE, new_token, max_age=DEVICE_COOKIE_DAYS * 86400,
                         httponly=True, samesite="Lax", secure=request.is_secure)  # fmt: skip
    return reply


# --- Building -----------------------------------------------------------------------------------


def _survey_data(form):
    return {name: getattr(form, name).data for name in (
        "title_th", "title_en", "introduction_th", "introduction_en", "opens_dt", "closes_dt",
        "audience", "asks_community")}  # fmt: skip


@bp.route("/new/<any(processes, townhalls):kind>/<slug>", methods=["GET", "POST"])
@login_required
def new(kind, slug):
    place = _place(kind, slug)
    if not ops.can_manage(current_user, place):
        abort(403)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey = ops.create_survey(place, current_user, _survey_data(form))
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Survey created. Now add its questions."), "success")
            return redirect(url_for(".build", survey_id=survey.id))
    return render_template("surveys/settings.html", form=form, place=place, survey=None,
                           place_url=_place_url(place))  # fmt: skip


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
@login_required
def settings(survey_id):
    survey = load_managed(survey_id)
    form = SurveyForm(obj=survey)
    if form.validate_on_submit():
        try:
            ops.update_survey(survey, current_user, _survey_data(form))
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Survey saved."), "success")
            return redirect(url_for(".build", survey_id=survey.id))
    return render_template("surveys/settings.html", form=form, place=survey.place,
                           survey=survey, place_url=_place_url(survey))  # fmt: skip


def _question_form(survey, question=None):
    form = QuestionForm(obj=question) if question is not None else QuestionForm()
    if question is not None and request.method == "GET":
        form.choices_th.data = "\n".join(c.label_th for c in question.choices)
        form.choices_en.data = "\n".join(c.label_en for c in question.choices if c.label_en)
        form.max_choices.data = str(question.max_choices or "")
        form.condition.data = str(question.condition_choice_id or "")
        if question.section is not None:
            form.section_th.data = question.section.title_th
            form.section_en.data = question.section.title_en
    form.condition.choices = [SelectChoice("", _("Always"))] + [
        SelectChoice(str(choice_id), label)
        for choice_id, label in ops.condition_options(survey, question)
    ]
    return form


@bp.route("/<int:survey_id>/build", methods=["GET", "POST"])
@login_required
def build(survey_id):
    survey = load_managed(survey_id)
    form = _question_form(survey)
    if form.validate_on_submit():
        try:
            ops.add_question(survey, current_user, request.form)
        except RuleError as error:
            db.session.rollback()
            if ops.has_answers(survey):  # the form is not shown: say why on the page
                flash(str(error.message), "error")
                return redirect(url_for(".build", survey_id=survey.id))
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Question added."), "success")
            return redirect(url_for(".build", survey_id=survey.id) + "#add")
    return render_template("surveys/build.html", survey=survey, form=form,
                           locked=ops.has_answers(survey), responses=ops.response_count(survey),
                           place_url=_place_url(survey))  # fmt: skip


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(survey_id, question_id):
    survey = load_managed(survey_id)
    question = load_question(survey, question_id)
    form = _question_form(survey, question)
    if form.validate_on_submit():
        try:
            ops.update_question(question, current_user, request.form)
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Question saved."), "success")
            return redirect(url_for(".build", survey_id=survey.id))
    return render_template("surveys/question.html", survey=survey, question=question, form=form,
                           locked=ops.has_answers(survey))  # fmt: skip


@bp.route("/<int:survey_id>/questions/<int:question_id>/<any(up, down, duplicate, delete):action>",
          methods=["POST"])  # fmt: skip
@login_required
def question_action(survey_id, question_id, action):
    survey = load_managed(survey_id)
    question = load_question(survey, question_id)
    try:
        if action in ("up", "down"):
            ops.move_question(question, current_user, -1 if action == "up" else 1)
        elif action == "duplicate":
            ops.duplicate_question(question, current_user)
        else:
            ops.delete_question(question, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
    return redirect(url_for(".build", survey_id=survey.id))


@bp.route("/<int:survey_id>/preview")
@login_required
def preview(survey_id):
    survey = load_managed(survey_id)
    return render_template("surveys/preview.html", **_form_context(survey, preview=True))


@bp.route("/<int:survey_id>/paper", methods=["GET", "POST"])
@login_required
def paper(survey_id):
    survey = load_managed(survey_id)
    errors, values = {}, {}
    if request.method == "POST":
        try:
            ops.enter_paper_response(survey, current_user, request.form,
                                     area_id=request.form.get("area"))  # fmt: skip
        except RuleError as error:
            db.session.rollback()
            errors = _errors_of(error)
            values = request.form.to_dict(flat=False)
        else:
            db.session.commit()
            flash(_("Paper form saved. You can type in the next one."), "success")
            return redirect(url_for(".paper", survey_id=survey.id))
    context = _form_context(survey, values, errors, action=url_for(".paper", survey_id=survey.id),
                            paper=True)  # fmt: skip
    return render_template("surveys/paper.html", responses=ops.response_count(survey),
                           **context), 422 if errors else 200  # fmt: skip


# --- Results ------------------------------------------------------------------------------------


def load_results(survey_id):
    survey = load_survey(survey_id)
    if not ops.results_visible(survey, current_user):
        abort(404)
    return survey


def _area_filter():
    value = request.args.get("area", "")
    return int(value) if value.isdigit() else None


@bp.route("/<int:survey_id>/results")
def results(survey_id):
    survey = load_results(survey_id)
    area_id = _area_filter()
    return render_template(
        "surveys/results.html", survey=survey, area_id=area_id, areas=_areas(survey),
        figures=ops.results(survey, area_id, current_user), Kind=Kind,
        all_texts=request.args.get("texts") == "all", texts_shown=TEXTS_SHOWN,
        can_manage=ops.can_manage(current_user, survey), place_url=_place_url(survey),
    )  # fmt: skip


@bp.route("/<int:survey_id>/results/publish", methods=["POST"])
@login_required
def publish(survey_id):
    survey = load_managed(survey_id)
    published = request.form.get("published") == "1"
    ops.set_results_published(survey, current_user, published)
    db.session.commit()
    flash(_("The results are public now.") if published else _("The results are private again."),
          "success")  # fmt: skip
    return redirect(url_for(".results", survey_id=survey.id))


@bp.route("/<int:survey_id>/results.<any(csv, xlsx):fmt>")
def export(survey_id, fmt):
    survey = load_results(survey_id)
    staff = ops.can_manage(current_user, survey)
    rows = ops.export_rows(survey, with_personal_data=staff, area_id=_area_filter())
    filename = f"survey-{survey.id}-results.{fmt}"
    if fmt == "csv":
        return csv_response(filename, rows[0], rows[1:])
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results")[:31])
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
