"""Verification pages: the registrar's desk, letter codes, the resident list, a resident's own
page, and each process's rules."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.accounts.models import User
from participation.core.permissions import Permission, can, permission_required
from participation.core.qr import qr_response
from participation.core.rules import RuleError
from participation.extensions import db
from participation.municipality.models import Area, current_municipality
from participation.processes.models import Process
from participation.verification import operations
from participation.verification.forms import (
    CodeForm,
    DeskSearchForm,
    DeskVerifyForm,
    LettersForm,
    ListMatchForm,
    ListUploadForm,
    RequirementsForm,
    RevokeForm,
    ShowCommunityForm,
)
from participation.verification.models import LetterBatch, ProcessRequirement, Verification

bp = Blueprint("verification", __name__, url_prefix="/verification")


def _area_choices():
    from wtforms import SelectChoice

    return [
        SelectChoice(area.id, area.name_th)
        for area in db.session.scalars(sa.select(Area).order_by(Area.position, Area.id))
    ]


def _address():
    """The client's address (behind a proxy, as PROXY_COUNT makes it): counted for guesses."""
    return request.remote_addr or ""


# --- The resident's own page --------------------------------------------------------------------


@bp.route("/", methods=["GET"])
@login_required
def mine():
    return _mine_page()


def _mine_page(code_form=None, list_form=None, status=200):
    return render_template(
        "verification/mine.html",
        verification=operations.current_verification(current_user),
        desk_code=operations.desk_code(current_user),
        code_form=code_form or CodeForm(code=request.args.get("code", "")),
        list_form=list_form or ListMatchForm(),
        list_enabled=operations.list_match_enabled(),
        show_form=ShowCommunityForm(),
    ), status


@bp.route("/code", methods=["GET", "POST"])
@login_required
def code():
    """The page a letter's QR opens (the code filled in); sending it verifies."""
    form = CodeForm()
    if request.method == "GET":
        return _mine_page(CodeForm(code=request.args.get("code", "")))
    if not form.validate_on_submit():
        return _mine_page(code_form=form, status=422)
    try:
        verification = operations.redeem_code(current_user, form.code.data, _address())
    except RuleError as error:
        db.session.rollback()
        if isinstance(error, operations.WrongGuessError):
            operations.count_wrong_guess(current_user, _address())
            db.session.commit()
        form.add_rule_error(error)
        locked = operations.seconds_locked(current_user, _address())
        return _mine_page(code_form=form, status=429 if locked else 422)
    db.session.commit()
    flash(
        _("You are verified as a resident of %(area)s.", area=verification.area.name_th), "success"
    )
    return redirect(
        request.args.get("next") if _safe(request.args.get("next")) else url_for(".mine")
    )


def _safe(target):
    from participation.core.forms import is_safe_next

    return bool(target) and is_safe_next(target)


@bp.route("/list", methods=["POST"])
@login_required
def list_match():
    if not operations.list_match_enabled():
        abort(404)
    form = ListMatchForm()
    if not form.validate_on_submit():
        form.national_id.data = form.birth_date.data = ""  # never sent back
        return _mine_page(list_form=form, status=422)
    national_id, birth_date = form.national_id.data, form.birth_date.data
    form.national_id.data = form.birth_date.data = ""  # never sent back, whatever happens
    try:
        verification = operations.match_list_entry(
            current_user, national_id, birth_date, _address()
        )
    except RuleError as error:
        db.session.rollback()
        if isinstance(error, operations.WrongGuessError):
            operations.count_wrong_guess(current_user, _address())
            db.session.commit()
        form.add_rule_error(error)
        return _mine_page(list_form=form, status=422)
    finally:
        del national_id, birth_date
    db.session.commit()
    flash(
        _("You are verified as a resident of %(area)s.", area=verification.area.name_th), "success"
    )
    return redirect(url_for(".mine"))


@bp.route("/show-community", methods=["POST"])
@login_required
def show_community():
    form = ShowCommunityForm()
    try:
        operations.set_show_community(current_user, form.show_community.data)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Your choice is saved."), "success")
    return redirect(url_for(".mine"))


@bp.route("/my-code.svg")
@login_required
def my_code_qr():
    """The resident's desk code as a QR, for a registrar to scan."""
    return qr_response(operations.desk_code(current_user), "svg", _("Your verification code"))


# --- The registrar's desk -----------------------------------------------------------------------


@bp.route("/desk")
@permission_required(Permission.VERIFY_RESIDENTS)
def desk():
    form = DeskSearchForm(request.args)
    found = operations.find_residents(form.q.data) if form.q.data else []
    current = {}
    if found:
        for row in db.session.scalars(
            sa.select(Verification).where(
                Verification.user_id.in_([user.id for user in found]),
                Verification.revoked_dt.is_(None),
            )
        ):
            if row.is_current():
                current[row.user_id] = row
    verify_form = DeskVerifyForm()
    verify_form.area_id.choices = _area_choices()
    return render_template(
        "verification/desk.html",
        form=form,
        found=found,
        current=current,
        verify_form=verify_form,
        revoke_form=RevokeForm(),
    )


@bp.route("/desk/<int:user_id>/verify", methods=["POST"])
@permission_required(Permission.VERIFY_RESIDENTS)
def desk_verify(user_id):
    resident = db.session.get(User, user_id) or abort(404)
    form = DeskVerifyForm()
    try:
        operations.verify_at_desk(resident, form.area_id.data, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".desk", q=resident.email)), 303
    db.session.commit()
    flash(_("%(name)s is verified.", name=resident.display_name), "success")
    return redirect(url_for(".desk", q=resident.email))


@bp.route("/<int:verification_id>/revoke", methods=["POST"])
@login_required
def revoke(verification_id):
    if not (
        can(current_user, Permission.VERIFY_RESIDENTS) or can(current_user, Permission.MANAGE_USERS)
    ):
        abort(403)
    verification = db.session.get(Verification, verification_id) or abort(404)
    form = RevokeForm()
    try:
        operations.revoke(verification, current_user, form.reason.data)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The verification is revoked."), "success")
    return redirect(url_for(".desk", q=verification.user.email))


# --- Letters and the list (administrators) ------------------------------------------------------


@bp.route("/letters", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def letters():
    form = LettersForm()
    form.area_id.choices = _area_choices()
    if form.validate_on_submit():
        try:
            batch, codes = operations.create_letter_batch(
                form.area_id.data, form.count.data, form.days.data, current_user
            )
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            # The codes exist in plain text only now: the PDF is the one copy.
            from participation.verification.letters import letters_pdf_response

            return letters_pdf_response(batch, codes)
    batches = db.session.scalars(
        sa.select(LetterBatch).order_by(LetterBatch.created_dt.desc()).limit(100)
    ).all()
    return render_template(
        "verification/letters.html", form=form, batches=batches, counts=operations.verified_counts()
    ), 422 if form.errors else 200


@bp.route("/letters/<int:batch_id>/withdraw", methods=["POST"])
@permission_required(Permission.MANAGE_USERS)
def withdraw(batch_id):
    batch = db.session.get(LetterBatch, batch_id) or abort(404)
    try:
        operations.withdraw_batch(batch, current_user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The codes are withdrawn."), "success")
    return redirect(url_for(".letters"))


@bp.route("/list/upload", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def list_upload():
    if not operations.list_match_enabled():
        abort(404)
    form = ListUploadForm()
    if form.validate_on_submit() and form.file.data:
        try:
            text = form.file.data.read().decode("utf-8")
        except UnicodeDecodeError:
            text = None
            form.file.errors = [_("The file must be UTF-8 text (CSV).")]
        if text is not None:
            try:
                added, present = operations.import_list(text, current_user)
            except RuleError as error:
                db.session.rollback()
                form.add_rule_error(error)
            else:
                db.session.commit()
                flash(
                    _(
                        "%(added)s entries added; %(present)s were already in the list.",
                        added=added,
                        present=present,
                    ),
                    "success",
                )
                return redirect(url_for(".list_upload"))
    elif request.method == "POST":
        form.file.errors = [_("Please choose the CSV file.")]
    return render_template("verification/list_upload.html", form=form), 422 if form.errors else 200


# --- A process's rules --------------------------------------------------------------------------


@bp.route("/processes/<slug>", methods=["GET", "POST"])
@login_required
def process_rules(slug):
    process = db.session.scalar(sa.select(Process).where(Process.slug == slug)) or abort(404)
    if not can(current_user, Permission.MANAGE_PROCESSES, process):
        abort(403)
    rows = db.session.scalars(
        sa.select(ProcessRequirement).where(ProcessRequirement.process_id == process.id)
    ).all()
    form = RequirementsForm(
        actions=[row.action for row in rows],
        residents_only=any(row.residents_only for row in rows),
    )
    if form.validate_on_submit():
        try:
            operations.set_requirements(
                process, form.actions.data or [], form.residents_only.data, current_user
            )
        except (RuleError, ValueError):
            db.session.rollback()
            abort(400)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".process_rules", slug=process.slug))
    return render_template("verification/process_rules.html", process=process, form=form)


def municipality_name():
    place = current_municipality()
    return place.name_th if place else ""
