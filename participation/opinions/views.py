"""Conversation pages: one statement at a time, the opinion map, and the facilitators' tools."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
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
from participation.core.rules import RuleError
from participation.extensions import configured_limit, db, limiter
from participation.opinions import operations as ops
from participation.opinions.forms import ConversationForm, StatementForm, VoteForm
from participation.opinions.models import STATEMENT_MAX, Conversation
from participation.opinions.recompute import request_recompute
from participation.share.cards import Card, register_card

bp = Blueprint("opinions", __name__, url_prefix="/opinions")

VOTE_LIMIT = configured_limit("RATELIMIT_OPINION_VOTE")
STATEMENT_LIMIT = configured_limit("RATELIMIT_STATEMENT")


def load_conversation(conversation_id):
    """The conversation (404 when unknown or its place is hidden from this reader)."""
    conversation = db.session.get(Conversation, conversation_id) or abort(404)
    if not ops.is_visible(conversation, current_user):
        if not current_user.is_authenticated and conversation.townhall_id is not None:
            abort(403)
        abort(404)
    return conversation


def _place(kind, slug):
    if kind == "processes":
        from participation.processes.views import load_process

        return load_process(slug)
    from participation.townhall.views import load_townhall

    return load_townhall(slug)


def _map_context(conversation):
    """What the map fragment shows; asks for a recompute when the map is stale."""
    result = ops.result_of(conversation)
    if ops.is_stale(conversation, result):
        request_recompute(conversation.id)
        result = ops.result_of(conversation)
    statements = {str(s.id): s for s in ops.visible_statements(conversation)}
    return {
        "conversation": conversation,
        "result": result,
        "data": result.data if result else None,
        "me": ops.position_of(result, current_user),
        "statements": statements,
        "texts": {key: statement.body for key, statement in statements.items()},
    }


def _vote_context(conversation, context):
    """The voting card: the next statement for this reader (never one of their own), and how
    far they are."""
    statements = list(context["statements"].values())
    mine = ops.votes_of(conversation, current_user)
    current = None
    if current_user.is_authenticated:
        statements = ops.votable_statements(statements, current_user)
        current = ops.next_statement(conversation, current_user, statements, mine,
                                     context["result"])  # fmt: skip
    return {
        "current": current, "mine": mine, "voted": len([s for s in statements if s.id in mine]),
        "total": len(statements), "closed": ops.closed_reason(conversation),
    }  # fmt: skip


def _show_page(conversation, status=200, **extra):
    context = _map_context(conversation)
    return render_template(
        "opinions/show.html", **context, **_vote_context(conversation, context),
        manager=ops.can_manage(current_user, conversation), statement_max=STATEMENT_MAX,
        added=request.args.get("added", type=int), **extra,
    ), status  # fmt: skip


@bp.route("/<int:conversation_id>")
def show(conversation_id):
    return _show_page(load_conversation(conversation_id))


@bp.route("/<int:conversation_id>/map")
def map_fragment(conversation_id):
    """The map alone (HTML), fetched by the page when the room hears of a new map."""
    conversation = load_conversation(conversation_id)
    return render_template("opinions/_map.html", **_map_context(conversation))


@bp.route("/<int:conversation_id>/map.json")
def map_json(conversation_id):
    """The public map and, for a signed-in resident on it, their own point."""
    conversation = load_conversation(conversation_id)
    context = _map_context(conversation)
    data = context["data"] or {}
    return jsonify({"conversation": conversation.id, "question": conversation.question,
                    "map": data, "me": context["me"]})  # fmt: skip


def _answer(conversation, ok, message, status=200, **extra):
    if wants_json():
        return jsonify({"ok": ok, "message": str(message), **extra}), status
    flash(str(message), "success" if ok else "error")
    return redirect(url_for(".show", conversation_id=conversation.id) + "#vote")


@bp.route("/<int:conversation_id>/vote", methods=["POST"])
@login_required
@limiter.limit(VOTE_LIMIT)
def vote(conversation_id):
    conversation = load_conversation(conversation_id)
    form = VoteForm()
    if not form.validate_on_submit():
        return _answer(conversation, False, _("The form expired; please try again."), 400)
    try:
        statement = ops.get_statement(conversation, form.statement_id.data)
        choice = ops.vote(conversation, statement, current_user, request.form.get("choice"))
    except RuleError as error:
        db.session.rollback()
        return _answer(conversation, False, error.message, 422)
    db.session.commit()
    request_recompute(conversation.id)
    if wants_json():  # the page's script swaps in the next statement without a reload
        context = _map_context(conversation)
        card = render_template("opinions/_vote.html", conversation=conversation,
                               **_vote_context(conversation, context))  # fmt: skip
        return jsonify({"ok": True, "choice": choice.name.lower(), "html": card})
    return redirect(url_for(".show", conversation_id=conversation.id) + "#vote")


@bp.route("/<int:conversation_id>/statements", methods=["POST"])
@login_required
@limiter.limit(STATEMENT_LIMIT)
def add_statement(conversation_id):
    conversation = load_conversation(conversation_id)
    form = StatementForm()
    if not form.validate_on_submit():
        message = (form.form_errors or [_("The form expired; please try again.")])[0]
        return _refused_statement(conversation, message, 400)
    try:
        statement = ops.add_statement(conversation, current_user, form.body.data)
    except RuleError as error:
        db.session.rollback()
        return _refused_statement(conversation, error.message, 422)
    db.session.commit()
    request_recompute(conversation.id)
    message = _("Thank you. Your statement is now shown to others.")
    if wants_json():
        return jsonify({"ok": True, "message": str(message), "statement": statement.id})
    # The thanks appear by the form the resident just used, not at the top of the page.
    return redirect(url_for(".show", conversation_id=conversation.id, added=statement.id)
                    + "#add-statement")  # fmt: skip


def _refused_statement(conversation, message, status):
    """A refused statement: the page again, the error by the form, the typed text kept."""
    if wants_json():
        return jsonify({"ok": False, "message": str(message)}), status
    return _show_page(conversation, status, statement_error=message,
                      statement_text=request.form.get("body", ""))  # fmt: skip


@bp.route("/new/<any(processes, townhalls):kind>/<slug>", methods=["GET", "POST"])
@login_required
def create(kind, slug):
    place = _place(kind, slug)
    if not ops.can_manage(current_user, place):
        abort(403)
    form = ConversationForm()
    if form.validate_on_submit():
        try:
            conversation = ops.open_conversation(
                place, current_user, form.question.data, (form.seeds.data or "").splitlines(),
                allow_statements=form.allow_statements.data,
            )  # fmt: skip
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("The conversation is open."), "success")
            return redirect(url_for(".show", conversation_id=conversation.id))
    return render_template("opinions/form.html", form=form, place=place, kind=kind), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/<int:conversation_id>/<any(close, reopen):action>", methods=["POST"])
@login_required
def set_open(conversation_id, action):
    conversation = load_conversation(conversation_id)
    if not ops.can_manage(current_user, conversation):
        abort(403)
    if not VoteForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for(".show", conversation_id=conversation.id))
    try:
        ops.set_open(conversation, current_user, action == "reopen")
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The conversation is open again.") if action == "reopen"
              else _("The conversation is closed. The map stays."), "success")  # fmt: skip
    return redirect(url_for(".show", conversation_id=conversation.id))


@bp.route("/<int:conversation_id>/statements")
@login_required
def statements(conversation_id):
    """Every statement with its votes, hidden ones too, for the facilitators to moderate."""
    conversation = load_conversation(conversation_id)
    if not ops.can_manage(current_user, conversation):
        abort(403)
    from participation.opinions.models import Statement

    rows = db.session.scalars(
        sa.select(Statement)
        .where(Statement.conversation_id == conversation.id)
        .options(sa.orm.joinedload(Statement.author))
        .order_by(Statement.id.desc())
    ).all()
    return render_template("opinions/statements.html", conversation=conversation, rows=rows)


def _share_card(conversation_id):
    """An opinion map anyone may see: its question, open or closed."""
    from flask_login import AnonymousUserMixin

    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not ops.is_visible(conversation, AnonymousUserMixin()):
        return None
    return Card(title=conversation.question, kind=_("Opinion map"),
                status=_("Open") if conversation.is_open else _("Closed"))  # fmt: skip


register_card("opinions.show", _share_card)
