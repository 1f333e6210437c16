"""Posting, replying to, editing, deleting and voting on comments."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.comments import operations
from participation.comments.models import Comment
from participation.core.errors import wants_json
from participation.core.forms import check_human, valid_id
from participation.core.rules import RuleError
from participation.extensions import configured_limit, db, limiter, write_limit
from participation.photos.models import PHOTOS_PER_COMMENT
from participation.photos.operations import add_photos, uploads_from
from participation.photos.views import allow_photo_uploads
from participation.processes.operations import process_is_visible
from participation.proposals.models import Contribution

bp = Blueprint("comments", __name__)

COMMENT_LIMIT = configured_limit("RATELIMIT_COMMENT")


def _visible_contribution(contribution_id):
    contribution = db.session.get(Contribution, contribution_id) or abort(404)
    if not process_is_visible(contribution.process, current_user):
        abort(404)
    return contribution


def load_comment(comment_id):
    """The comment, if the reader may see the process it lives in (the API asks the same)."""
    comment = db.session.get(Comment, comment_id) or abort(404)
    _visible_contribution(comment.contribution_id)
    return comment


def _back(contribution, anchor=""):
    kind_path = "issues" if contribution.kind == "issue" else "proposals"
    return redirect(
        url_for(
            "proposals.show",
            slug=contribution.process.slug,
            kind_path=kind_path,
            item_id=contribution.id,
        )
        + anchor
    )


def _error(contribution, error, status=422, parent=None):
    """A refused comment: JSON for scripts; for a form, the comment shown again on a page of
    its own with what was written (only a photo has to be chosen again)."""
    if wants_json():
        return jsonify({"ok": False, "message": str(error.message), "field": error.field}), status
    alignment = request.form.get("alignment")
    return render_template(
        "comments/write.html", item=contribution, parent=parent, error=str(error.message),
        body=request.form.get("body", ""), alignment=alignment,
    ), status  # fmt: skip


@bp.route("/contributions/<int:contribution_id>/comments", methods=["POST"])
@login_required
@write_limit("comment")
def create(contribution_id):
    allow_photo_uploads(PHOTOS_PER_COMMENT)
    contribution = _visible_contribution(contribution_id)
    parent = None
    if request.form.get("parent_id"):
        parent_id = request.form.get("parent_id", type=int)
        parent = db.session.get(Comment, parent_id) if valid_id(parent_id) else None
        if parent is None:
            abort(404)
    try:
        check_human(request.form)
        comment = operations.add_comment(
            contribution,
            current_user,
            request.form.get("body"),
            request.form.get("alignment") or None,
            parent,
        )
        # One photo, checked and cleaned before anything is written: a refused one leaves
        # neither the comment nor a file behind.
        add_photos(
            comment,
            current_user,
            uploads_from(request.files.getlist("photo"), request.form.getlist("photo_alt")),
        )
    except RuleError as error:
        db.session.rollback()
        return _error(contribution, error, parent=parent)
    db.session.commit()
    flash(_("Your comment is published."), "success")
    return _back(contribution, f"#comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/reply")
@login_required
def reply(comment_id):
    """The reply form on a page of its own, for a reader without JavaScript (with it, the
    proposal page's one reply form opens under the comment)."""
    comment = load_comment(comment_id)
    contribution = comment.contribution
    action = "comment_issue" if contribution.kind == "issue" else "comment_proposal"
    if (
        comment.is_deleted
        or comment.is_hidden
        or contribution.status == "withdrawn"
        or not contribution.process.allows_action(action)
    ):
        flash(_("Replies to this comment are closed."), "error")
        return _back(contribution, f"#comment-{comment.id}")
    return render_template("comments/write.html", item=contribution, parent=comment)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(COMMENT_LIMIT, methods=["POST"])
def edit(comment_id):
    comment = load_comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    if request.method == "POST":
        try:
            operations.edit_comment(
                comment, current_user, request.form.get("body"), request.form.get("alignment")
            )
        except RuleError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return render_template("comments/edit.html", comment=comment), 422
        db.session.commit()
        flash(_("Your comment is saved."), "success")
        return _back(comment.contribution, f"#comment-{comment.id}")
    return render_template("comments/edit.html", comment=comment)


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id):
    comment = load_comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    operations.delete_comment(comment, current_user)
    db.session.commit()
    flash(_("Your comment is deleted."), "success")
    return _back(comment.contribution, f"#comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/vote", methods=["POST"])
@login_required
@write_limit("comment-vote")
def vote(comment_id):
    comment = load_comment(comment_id)
    try:
        value = int(request.form.get("value", ""))
    except ValueError:
        value = 0
    try:
        current = operations.vote_comment(comment, current_user, value)
    except RuleError as error:
        db.session.rollback()
        if wants_json():
            return jsonify({"ok": False, "message": str(error.message), "field": error.field}), 409
        flash(str(error.message), "error")
        return _back(comment.contribution, f"#comment-{comment.id}")
    db.session.commit()
    if wants_json():
        return jsonify(
            {
                "ok": True,
                "vote": current,
                "upvotes": comment.upvotes,
                "downvotes": comment.downvotes,
            }
        )
    return _back(comment.contribution, f"#comment-{comment.id}")
