"""Issue and proposal pages: lists, posting, editing, withdrawing, supporting, responding."""

import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from participation.comments.operations import comment_votes_of, my_votes, thread, thread_watermark
from participation.core.cache import (
    fragments,
    member_fragment,
    member_view,
    shared_page,
    shows_content_of,
)
from participation.core.cache import value as hole
from participation.core.errors import wants_json
from participation.core.forms import is_safe_next, valid_id
from participation.core.i18n import current_language
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError
from participation.extensions import configured_limit, db, limiter, write_limit
from participation.moderation.operations import can_moderate
from participation.notifications.operations import (
    follow,
    following_ids,
    is_following,
    mark_target_read,
    unfollow,
)
from participation.photos.operations import add_photos, prepare_photos
from participation.photos.views import allow_photo_uploads
from participation.places.views import offer_photo_place
from participation.processes.models import Action
from participation.processes.views import load_process
from participation.proposals import duplicates, operations
from participation.proposals.forms import ContributionForm as IssueForm
from participation.proposals.forms import ProposalForm, ResponseForm, UpdateForm
from participation.proposals.listing import Filters, contributions_watermark, list_contributions
from participation.proposals.models import TITLE_MAX, Issue, Kind, Proposal, Status
from participation.share.cards import Card, register_card
from participation.votes import operations as votes

bp = Blueprint("proposals", __name__, url_prefix="/processes/<slug>")

KINDS = {"issues": Kind.ISSUE, "proposals": Kind.PROPOSAL}
WRITE_LIMIT = configured_limit("RATELIMIT_POST")


def _kind(kind_path):
    return KINDS.get(kind_path) or abort(404)


def load_contribution(process, kind_path, contribution_id):
    contribution = operations.get_contribution(contribution_id, _kind(kind_path))
    if contribution is None or contribution.process_id != process.id:
        abort(404)
    return contribution


def _shuffle_seed():
    """A per-visitor seed, so "random" order stays the same while they page through."""
    if "shuffle_seed" not in session:
        session["shuffle_seed"] = secrets.randbelow(2**31)
    return session["shuffle_seed"]


@bp.route("/<any(issues, proposals):kind_path>")
def index(slug, kind_path):
    process = load_process(slug)
    kind = _kind(kind_path)
    filters = Filters.from_args(request.args, seed=_shuffle_seed())

    def results(supports_left):
        page = list_contributions(process, kind, filters, current_user)
        shows_content_of(*(item.author_id for item in page.items if item.is_hidden))
        supported = (
            set()
            if member_view()
            else votes.supported_ids(current_user, [item.id for item in page.items])
        )
        html = render_template(
            "proposals/_results.html", process=process, kind=kind, kind_path=kind_path,
            filters=filters, page=page, supported=supported, supports_left=supports_left,
        )  # fmt: skip
        return html, page.sort

    def page():
        left = _supports_left(process) if kind == Kind.PROPOSAL else None
        results_html, sort = results(left)
        return render_template(
            "proposals/list.html", process=process, kind=kind, kind_path=kind_path,
            filters=filters, sort=sort, supports_left=left,
            results_html=Markup(results_html),  # noqa: S704 - rendered by our own template
        )  # fmt: skip

    def key():
        return (
            "list", process.id, kind, current_language(), process.phase, process.modified_dt,
            contributions_watermark(process), filters.category_id, filters.area_id,
            filters.status, filters.q, filters.sort, filters.page, filters.per_page,
        )  # fmt: skip

    if filters.sort == "random" or (filters.mine and current_user.is_authenticated):
        return page()  # each reader has their own order, or their own proposals
    # Anonymous readers all see the same page, residents the same but for their own bits:
    # rendered once per change of the data.
    return shared_page(key, page, _personal_bits(process))


def _supports_left(process):
    if member_view() and process.max_supports is not None:
        return hole("supports_left")
    return votes.supports_left(process, current_user)


def _personal_bits(process):
    """How a resident's own bits of a shared page are found: one indexed query per kind of
    bit for the whole page (see core/cache.py, "pages shared by signed-in residents")."""
    user = current_user
    left = []

    def supports_left():
        if not left:
            left.append(votes.supports_left(process, user))
        return left[0]

    def ids(keys):
        return sorted({int(key.split(".")[0]) for key in keys})

    def support(keys):  # 0: supported, 1: may support, 2: none left
        supported = votes.supported_ids(user, ids(keys))
        return {k: 0 if int(k) in supported else 2 if supports_left() == 0 else 1 for k in keys}

    def supported(keys):
        found = votes.supported_ids(user, ids(keys))
        return {key: 0 if int(key) in found else 1 for key in keys}

    def following(keys):
        found = following_ids(user, ids(keys))
        return {key: 0 if int(key) in found else 1 for key in keys}

    def affected(keys):
        found = votes.affected_ids(user, ids(keys))
        return {key: 0 if int(key) in found else 1 for key in keys}

    def vote(keys):  # "comment id.value"
        mine = comment_votes_of(user, ids(keys))
        return {key: 0 if mine.get(int(key.split(".")[0])) == int(key.split(".")[1]) else 1
                for key in keys}  # fmt: skip

    return {
        "support": support, "supported": supported, "following": following,
        "affected": affected, "vote": vote,
        "supports_left": lambda keys: dict.fromkeys(keys, supports_left()),
    }  # fmt: skip


def _new_form(process, kind):
    form = ProposalForm() if kind == Kind.PROPOSAL else IssueForm()
    form.set_choices(process)
    if kind == Kind.PROPOSAL:
        issues = db.session.scalars(
            db.select(Issue)
            .where(Issue.process_id == process.id, Issue.status != Status.WITHDRAWN)
            .order_by(Issue.affected_count.desc(), Issue.id.desc())
            .limit(200)
        ).all()
        form.set_issue_choices(issues)
    return form


def _prepared_photos(form):
    """The form's photos checked, re-encoded and written, before the item is: a writing request
    on SQLite holds the database's write lock from its first query, and every other writer
    would wait while the pixels are decoded. Only reads happened so far (and at most the
    sign-in session's "last seen", which the next request records again), so the transaction
    ends first, as a sign-in does before checking a password."""
    uploads = form.uploads()
    if not uploads:
        return []
    db.session.rollback()
    return prepare_photos(uploads)


@bp.route("/<any(issues, proposals):kind_path>/new", methods=["GET", "POST"])
@login_required
@write_limit("post", methods=["POST"])
def create(slug, kind_path):
    allow_photo_uploads()
    process = load_process(slug)
    kind = _kind(kind_path)
    action = Action.POST_PROPOSAL if kind == Kind.PROPOSAL else Action.POST_ISSUE
    form = _new_form(process, kind)
    if request.method == "GET" and kind == Kind.PROPOSAL and request.args.get("issue"):
        form.issue_ids.data = [i for i in request.args.getlist("issue", type=int) if valid_id(i)]
    if form.validate_on_submit():
        create_operation = (
            operations.create_proposal if kind == Kind.PROPOSAL else operations.create_issue
        )
        try:
            photos = _prepared_photos(form)
            item = create_operation(process, current_user, form.data_for_operation())
            added = add_photos(item, current_user, photos)
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Thank you! It is published."), "success")
            offer_url = offer_photo_place(item, added, kind_path)
            return redirect(
                offer_url or url_for(".show", slug=slug, kind_path=kind_path, item_id=item.id)
            )
    return render_template(
        "proposals/form.html",
        form=form,
        process=process,
        kind=kind,
        kind_path=kind_path,
        item=None,
        phase_open=process.allows_action(action),
    ), (422 if form.errors else 200)


@bp.route("/<any(issues, proposals):kind_path>/<int:item_id>")
def show(slug, kind_path, item_id):
    process = load_process(slug)
    item = load_contribution(process, kind_path, item_id)
    if mark_target_read(current_user, contribution_id=item.id):
        db.session.commit()  # the reader has now seen what their notifications were about
    sort = request.args.get("sort", "best")
    sort = sort if sort in ("best", "newest", "oldest") else "best"

    def key():  # linked issues live in the same process, so its watermark covers them
        return ("item", process.id, process.phase, process.modified_dt,
                contributions_watermark(process), item.id, thread_watermark(item),
                current_language(), sort)  # fmt: skip

    return shared_page(
        key, lambda: _show_page(process, item, kind_path, sort), _personal_bits(process)
    )


def _show_page(process, item, kind_path, sort):
    shared = member_view()  # the reader's own bits are holes, filled per reader
    shows_content_of(item.author_id)  # its author sees edit and withdraw buttons
    context = {
        "process": process,
        "item": item,
        "kind_path": kind_path,
        "thread_html": _thread_html(process, item, sort),
        "comment_sort": sort,
        "can_edit": operations.can_edit(item, current_user, process),
        "following": not shared and is_following(current_user, contribution=item),
        "can_respond": can(current_user, Permission.RESPOND_AS_COUNCIL)
        and process.allows_action(Action.RESPOND),
    }
    if isinstance(item, Proposal):
        context["supported"] = not shared and votes.is_supported(current_user, item)
        context["public_supporters"] = votes.public_supporters(item)
        context["supports_left"] = _supports_left(process)
        context["response_form"] = ResponseForm(obj=item.response)
        context["update_form"] = UpdateForm()
    else:
        context["affected"] = not shared and votes.is_affected(item, current_user)
        context["kept"] = duplicates.kept_of(item)
        context["merged"] = duplicates.merged_into(item)
        context["can_merge"] = duplicates.can_merge(current_user, item) and not context["kept"]
        if context["can_merge"] or item.author_id == getattr(current_user, "id", None):
            place = item.place if item.place is not None and item.place.has_pin else None
            context["similar"] = duplicates.similar_issues(
                process, item.title, item.body, place and place.latitude,
                place and place.longitude, exclude_id=item.id,
            )  # fmt: skip
    return render_template("proposals/show.html", **context)


def _thread_html(process, item, sort):
    """The rendered comment thread; shared by anonymous readers until the thread changes."""
    action = Action.COMMENT_ISSUE if item.kind == Kind.ISSUE else Action.COMMENT_PROPOSAL
    comments_open = process.allows_action(action) and item.status != Status.WITHDRAWN

    def render():
        tree, comments = thread(item, sort)
        shared = member_view()
        # Their own comments show edit links (and, hidden, themselves) to their authors.
        shows_content_of(*(comment.author_id for comment in comments))
        return render_template(
            "comments/_thread_block.html", tree=tree, comments_open=comments_open,
            item_id=item.id, my_votes={} if shared else my_votes(current_user, comments),
            moderator=not shared and current_user.is_authenticated
            and can_moderate(current_user, item),
        )  # fmt: skip

    key = ("thread", item.id, sort, current_language(), comments_open, item.comment_count,
           thread_watermark(item))  # fmt: skip
    if member_view():
        return member_fragment(key, render)
    if current_user.is_authenticated:
        return Markup(render())  # noqa: S704 - rendered by our own template
    html = fragments.get(key)
    if html is None:
        html = render()
        fragments.set(key, html)
    return Markup(html)  # noqa: S704 - rendered by our own template


@bp.route("/<any(issues, proposals):kind_path>/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
@write_limit("edit", methods=["POST"])
def edit(slug, kind_path, item_id):
    allow_photo_uploads()
    process = load_process(slug)
    item = load_contribution(process, kind_path, item_id)
    if item.author_id != current_user.id:
        abort(403)
    form = _new_form(process, item.kind)
    if request.method == "GET":
        form.title.data, form.body.data = item.title, item.body
        form.category_id.data, form.area_id.data = item.category_id, item.area_id
        if item.place is not None:
            form.landmark.data = item.place.landmark
            form.latitude.data = "" if item.place.latitude is None else item.place.latitude
            form.longitude.data = "" if item.place.longitude is None else item.place.longitude
        if isinstance(item, Proposal):
            form.issue_ids.data = [issue.id for issue in item.issues]
    if form.validate_on_submit():
        try:
            photos = _prepared_photos(form)
            operations.edit_contribution(item, current_user, form.data_for_operation())
            added = add_photos(item, current_user, photos)
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            flash(_("Your changes are saved. The earlier version stays in the history."), "success")
            offer_url = offer_photo_place(item, added, kind_path)
            return redirect(
                offer_url or url_for(".show", slug=slug, kind_path=kind_path, item_id=item.id)
            )
    return render_template(
        "proposals/form.html",
        form=form,
        process=process,
        kind=item.kind,
        kind_path=kind_path,
        item=item,
        phase_open=operations.can_edit(item, current_user, process),
    ), (422 if form.errors else 200)


@bp.route("/<any(issues, proposals):kind_path>/<int:item_id>/history")
def history(slug, kind_path, item_id):
    process = load_process(slug)
    item = load_contribution(process, kind_path, item_id)
    return render_template(
        "proposals/history.html", process=process, item=item, kind_path=kind_path
    )


def _done(process, item, kind_path, message=None, category="success", payload=None, status=200):
    """Answer a write: JSON for scripts on the page, else flash and go back to the item (or to
    the list the form was sent from, when it says so)."""
    if wants_json():
        body = {"ok": status < 400, **(payload or {})}
        if message:
            body["message"] = str(message)
        return jsonify(body), status
    if message:
        flash(str(message), category)
    back = request.form.get("next")
    if is_safe_next(back):
        return redirect(back)
    return redirect(url_for(".show", slug=process.slug, kind_path=kind_path, item_id=item.id))


@bp.route("/<any(issues, proposals):kind_path>/<int:item_id>/withdraw", methods=["POST"])
@login_required
@write_limit("withdraw")
def withdraw(slug, kind_path, item_id):
    process = load_process(slug)
    item = load_contribution(process, kind_path, item_id)
    if item.author_id != current_user.id:
        abort(403)
    refused = _attempt(process, item, kind_path, operations.withdraw, item, current_user)
    return refused or _done(process, item, kind_path, _("It is withdrawn."))


def _attempt(process, item, kind_path, operation, *args):
    """Run an operation and commit; when it breaks a rule, roll back and answer 409."""
    try:
        operation(*args)
    except RuleError as error:
        db.session.rollback()
        return _done(process, item, kind_path, error.message, "error", status=409)
    db.session.commit()
    return None


@bp.route("/proposals/<int:item_id>/support", methods=["POST"])
@login_required
@write_limit("support")
def support(slug, item_id):
    process = load_process(slug)
    proposal = load_contribution(process, "proposals", item_id)
    wanted = request.form.get("support", "1") != "0"
    operation = votes.support_proposal if wanted else votes.withdraw_support
    refused = _attempt(process, proposal, "proposals", operation, proposal, current_user)
    if refused:
        return refused
    left = votes.supports_left(process, current_user)
    payload = {
        "supported": wanted,
        "support_count": proposal.support_count,
        "supports_left": left,
        "qualifies": proposal.qualifies(process),
        "supports_left_text": None
        if left is None
        else _("%(left)s of %(total)s supports left", left=left, total=process.max_supports),
    }
    message = _("Thank you for your support.") if wanted else _("Your support is withdrawn.")
    return _done(process, proposal, "proposals", message, payload=payload)


@bp.route("/issues/<int:item_id>/affected", methods=["POST"])
@login_required
@write_limit("affected")
def affected(slug, item_id):
    process = load_process(slug)
    issue = load_contribution(process, "issues", item_id)
    wanted = request.form.get("affected", "1") != "0"
    operation = votes.mark_affected if wanted else votes.unmark_affected
    refused = _attempt(process, issue, "issues", operation, issue, current_user)
    if refused:
        return refused
    return _done(
        process, issue, "issues",
        payload={"affected": wanted, "affected_count": issue.affected_count},
    )  # fmt: skip


@bp.route("/<any(issues, proposals):kind_path>/<int:item_id>/follow", methods=["POST"])
@login_required
def toggle_follow(slug, kind_path, item_id):
    process = load_process(slug)
    item = load_contribution(process, kind_path, item_id)
    if request.form.get("follow") == "0":
        unfollow(current_user, contribution=item)
        message = _("You no longer follow this.")
    else:
        follow(current_user, contribution=item)
        message = _("You follow this: we will tell you about responses and progress.")
    db.session.commit()
    return _done(process, item, kind_path, message)


@bp.route("/proposals/<int:item_id>/response", methods=["POST"])
@login_required
@limiter.limit(WRITE_LIMIT)
def respond(slug, item_id):
    process = load_process(slug)
    proposal = load_contribution(process, "proposals", item_id)
    if not can(current_user, Permission.RESPOND_AS_COUNCIL):
        abort(403)
    form = ResponseForm()
    form.validate_on_submit()
    try:
        operations.respond(proposal, current_user, form.status.data, form.body.data)
    except RuleError as error:
        db.session.rollback()
        return _done(process, proposal, "proposals", error.message, "error", status=422)
    db.session.commit()
    return _done(process, proposal, "proposals", _("The council's response is published."))


@bp.route("/proposals/<int:item_id>/updates", methods=["POST"])
@login_required
@limiter.limit(WRITE_LIMIT)
def add_update(slug, item_id):
    allow_photo_uploads()
    process = load_process(slug)
    proposal = load_contribution(process, "proposals", item_id)
    if not can(current_user, Permission.RESPOND_AS_COUNCIL):
        abort(403)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            update = operations.add_implementation_update(
                proposal, current_user, form.update_date.data, form.progress.data, form.body.data
            )
            add_photos(update, current_user, form.uploads())
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            return _done(process, proposal, "proposals", _("The progress update is published."))
    if wants_json():
        message = form.form_errors[0] if form.form_errors else next(iter(form.errors.values()))[0]
        return _done(process, proposal, "proposals", message, "error", status=422)
    return _update_page(process, proposal, form, None), 422


def _update_page(process, proposal, form, update):
    return render_template(
        "proposals/update_form.html", process=process, item=proposal, form=form, update=update
    )


def _load_update(process, item_id, update_id):
    proposal = load_contribution(process, "proposals", item_id)
    update = operations.get_implementation_update(proposal, update_id) or abort(404)
    return proposal, update


@bp.route("/proposals/<int:item_id>/updates/<int:update_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(WRITE_LIMIT, methods=["POST"])
def edit_update(slug, item_id, update_id):
    """The author of a progress update corrects it (and may add photos); the earlier text is
    kept as history."""
    allow_photo_uploads()
    process = load_process(slug)
    proposal, update = _load_update(process, item_id, update_id)
    if not update.can_change(current_user):
        abort(403)
    form = UpdateForm(obj=update)
    if form.validate_on_submit():
        try:
            operations.correct_implementation_update(
                update, current_user, form.update_date.data, form.progress.data, form.body.data
            )
            add_photos(update, current_user, form.uploads())
        except RuleError as error:
            db.session.rollback()
            form.add_rule_error(error)
        else:
            db.session.commit()
            return _done(process, proposal, "proposals", _("The progress update is corrected."))
    return _update_page(process, proposal, form, update), (422 if form.errors else 200)


@bp.route("/proposals/<int:item_id>/updates/<int:update_id>/delete", methods=["POST"])
@login_required
@limiter.limit(WRITE_LIMIT)
def delete_update(slug, item_id, update_id):
    process = load_process(slug)
    proposal, update = _load_update(process, item_id, update_id)
    if not update.can_change(current_user):
        abort(403)
    try:
        operations.delete_implementation_update(update, current_user)
    except RuleError as error:
        db.session.rollback()
        return _done(process, proposal, "proposals", error.message, "error", status=409)
    db.session.commit()
    return _done(process, proposal, "proposals", _("The progress update is deleted."))


@bp.route("/proposals/<int:item_id>/updates/<int:update_id>/history")
def update_history(slug, item_id, update_id):
    """Every earlier text of a corrected progress update, newest first."""
    process = load_process(slug)
    proposal, update = _load_update(process, item_id, update_id)
    return render_template(
        "proposals/update_history.html", process=process, item=proposal, update=update
    )


def _share_card(slug, kind_path, item_id):
    """An issue or proposal as anyone may share it: nothing of a hidden one, nor of one in a
    process that is not published."""
    from flask_babel import gettext as _g
    from flask_babel import ngettext
    from flask_login import AnonymousUserMixin

    from participation.processes.operations import process_is_visible

    item = operations.get_contribution(item_id, _kind(kind_path))
    if item is None or item.is_hidden or item.process.slug != slug:
        return None
    if not process_is_visible(item.process, AnonymousUserMixin()):
        return None
    if isinstance(item, Proposal):
        kind = _g("Proposal")
        count = ngettext("%(num)d support", "%(num)d supports", item.support_count)
    else:
        kind = _g("Issue")
        count = ""
    return Card(title=item.title, kind=kind, status=str(item.current_status.title), count=count,
                description=plain_summary(item.body))  # fmt: skip


def plain_summary(markdown_text):
    """The first words of a body, without Markdown's marks, for a share description."""
    import re

    from participation.share.cards import short

    return short(re.sub(r"[#*_`>\[\]()!|~-]+", " ", markdown_text or ""))


register_card("proposals.show", _share_card)


@bp.route("/issues/similar")
def similar(slug):
    """Open issues like the one being written (JSON for the form's script)."""
    process = load_process(slug)
    args = request.args
    latitude = longitude = None
    try:
        if args.get("latitude") and args.get("longitude"):
            latitude, longitude = float(args["latitude"]), float(args["longitude"])
    except ValueError:
        latitude = longitude = None
    found = duplicates.similar_issues(
        process, args.get("title", "")[:TITLE_MAX], args.get("body", "")[:2000], latitude,
        longitude,
    )  # fmt: skip
    return jsonify(
        {
            "items": [
                {
                    "id": issue.id,
                    "title": issue.title,
                    "url": url_for(".show", slug=slug, kind_path="issues", item_id=issue.id),
                    "affected_url": url_for(".affected", slug=slug, item_id=issue.id),
                    "affected_count": issue.affected_count,
                    "metres": None if metres is None else round(metres),
                    "where": _("about %(metres)s m away", metres=round(metres))
                    if metres is not None
                    else "",
                }
                for issue, metres in found
            ],
            "affects_me": _("This affects me too"),
        }
    )


@bp.route("/issues/<int:item_id>/merge", methods=["POST"])
@login_required
def merge(slug, item_id):
    """A facilitator merges this issue into another that says the same."""
    process = load_process(slug)
    duplicate = load_contribution(process, "issues", item_id)
    if not duplicates.can_merge(current_user, duplicate):
        abort(403)
    kept_id = request.form.get("kept_id", type=int)
    kept = operations.get_contribution(kept_id, Kind.ISSUE) if valid_id(kept_id) else None
    if kept is None or kept.process_id != process.id:
        flash(_("Choose another issue of the same process to keep."), "error")
        return redirect(url_for(".show", slug=slug, kind_path="issues", item_id=item_id))
    try:
        duplicates.merge(current_user, duplicate, kept)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".show", slug=slug, kind_path="issues", item_id=item_id))
    db.session.commit()
    flash(_("Merged. Its supporters, comments and followers are now on this issue."), "success")
    return redirect(url_for(".show", slug=slug, kind_path="issues", item_id=kept.id))
