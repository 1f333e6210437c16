"""Commenting: threads three levels deep, alignment, edits, soft deletes and votes."""

from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.accounts.models import User
from participation.comments import action_log  # noqa: F401  (registers the action log's words)
from participation.comments.models import BODY_MAX, MAX_DEPTH, Alignment, Comment, CommentVote
from participation.core.models import utcnow
from participation.core.rules import RuleError, limit_links_of_new_accounts, require_participant
from participation.core.sanitize import body_text, render_markdown
from participation.extensions import db
from participation.notifications.models import NotificationKind
from participation.notifications.operations import insert_if_absent, notify
from participation.photos.operations import remove_photos_of_comments
from participation.processes.models import Action
from participation.proposals.models import Contribution

SORTS = {
    "best": (sa.desc(Comment.upvotes - Comment.downvotes), Comment.created_dt, Comment.id),
    "newest": (Comment.created_dt.desc(), Comment.id.desc()),
    "oldest": (Comment.created_dt, Comment.id),
}


def _require_comments_open(contribution):
    action = Action.COMMENT_ISSUE if contribution.kind == "issue" else Action.COMMENT_PROPOSAL
    if not contribution.process.allows_action(action):
        raise RuleError(_l("Comments are closed in this phase of the process."))
    if contribution.is_withdrawn:
        raise RuleError(_l("Comments are closed: the author withdrew this."))


def _clean_body(body):
    body = body_text(body)
    if not body:
        raise RuleError(_l("Please write your comment."), "body")
    if len(body) > BODY_MAX:
        raise RuleError(_l("Use at most %(count)s characters.", count=BODY_MAX), "body")
    return body


def _clean_alignment(alignment):
    if not alignment:
        return None
    try:
        return Alignment(alignment).value
    except ValueError:
        raise RuleError(_l("Please choose in favour, against or neutral."), "alignment") from None


def add_comment(contribution, author, body, alignment=None, parent=None):
    """Comment, or reply to ``parent``; replies deeper than three levels join the third."""
    require_participant(author)
    _require_comments_open(contribution)
    body = _clean_body(body)
    limit_links_of_new_accounts(author, body)
    alignment = _clean_alignment(alignment)
    depth, parent_id = 0, None
    if parent is not None:
        if parent.contribution_id != contribution.id:
            raise RuleError(_l("You can only reply to a comment of this page."), "parent_id")
        if parent.depth >= MAX_DEPTH:
            depth, parent_id = MAX_DEPTH, parent.parent_id
        else:
            depth, parent_id = parent.depth + 1, parent.id
    comment = Comment(
        contribution_id=contribution.id,
        parent_id=parent_id,
        depth=depth,
        author_id=author.id,
        body=body,
        body_html=str(render_markdown(body)),
        alignment=alignment,
    )
    db.session.add(comment)
    db.session.execute(
        sa.update(Contribution)
        .where(Contribution.id == contribution.id)
        .values(comment_count=Contribution.comment_count + 1)
    )
    db.session.flush()
    db.session.expire(contribution, ["comment_count"])
    told = []
    if parent is not None and parent.author_id is not None:
        notify(NotificationKind.REPLY, [("people", [parent.author_id])], comment, author)
        told.append(parent.author_id)
    notify(
        NotificationKind.COMMENT,
        [("contribution_followers", contribution.id)],
        comment,
        author,
        exclude=told,
    )
    return comment


def edit_comment(comment, editor, body, alignment=None):
    if comment.author_id != editor.id:
        raise RuleError(_l("Only the author can edit this comment."))
    if comment.is_deleted:
        raise RuleError(_l("This comment was deleted."))
    _require_comments_open(comment.contribution)
    body = _clean_body(body)
    limit_links_of_new_accounts(editor, body)
    comment.body = body
    comment.body_html = str(render_markdown(comment.body))
    comment.alignment = _clean_alignment(alignment)
    comment.is_edited = True
    db.session.flush()


def delete_comment(comment, user):
    """Soft delete: the text goes, the place in the thread and its replies stay."""
    if comment.author_id != user.id:
        raise RuleError(_l("Only the author can delete this comment."))
    _soft_delete(Comment.id == comment.id)
    db.session.expire(comment)


def _soft_delete(which):
    """Empty the comments ``which`` selects that are not deleted yet, and count them out of
    their threads. Conditional, so a double submit decrements a count once."""
    deleted = db.session.execute(
        sa.update(Comment)
        .where(which, Comment.is_deleted.is_(False))
        .values(is_deleted=True, body="", body_html="", modified_dt=utcnow())
        .returning(Comment.id, Comment.contribution_id)
    ).all()
    remove_photos_of_comments([row.id for row in deleted])  # a deleted comment's photo goes too
    for contribution_id, count in Counter(row.contribution_id for row in deleted).items():
        db.session.execute(
            sa.update(Contribution)
            .where(Contribution.id == contribution_id)
            .values(comment_count=Contribution.comment_count - count)
        )


def erase_comments_of(user):
    """Account deletion: every comment of ``user`` loses its text, as if they deleted it."""
    _soft_delete(Comment.author_id == user.id)


def take_back_votes_of(user):
    """Account deletion: ``user``'s votes on comments are taken back (the counts go down)."""
    votes = db.session.execute(
        sa.delete(CommentVote).where(CommentVote.user_id == user.id)
        .returning(CommentVote.comment_id, CommentVote.value)
    ).all()  # fmt: skip
    for comment_id, value in votes:
        column = Comment.upvotes if value > 0 else Comment.downvotes
        db.session.execute(
            sa.update(Comment).where(Comment.id == comment_id).values({column: column - 1})
        )


def vote_comment(comment, user, value):
    """Vote up (1) or down (-1) once; the same vote again takes it back, the other switches."""
    require_participant(user)
    if value not in (1, -1):
        raise RuleError(_l("A vote is up or down."), "value")
    if comment.is_deleted:
        raise RuleError(_l("This comment was deleted."))
    _require_comments_open(comment.contribution)
    existing = db.session.scalar(
        sa.select(CommentVote.value).where(
            CommentVote.comment_id == comment.id, CommentVote.user_id == user.id
        )
    )
    changes = {1: 0, -1: 0}
    if existing == value:
        removed = db.session.execute(
            sa.delete(CommentVote).where(
                CommentVote.comment_id == comment.id,
                CommentVote.user_id == user.id,
                CommentVote.value == value,
            )
        ).rowcount
        changes[value] -= removed
        current = None if removed else existing
    elif existing is None:
        inserted = insert_if_absent(
            CommentVote, comment_id=comment.id, user_id=user.id, value=value
        )
        changes[value] += int(inserted)
        current = value
    else:
        switched = db.session.execute(
            sa.update(CommentVote)
            .where(
                CommentVote.comment_id == comment.id,
                CommentVote.user_id == user.id,
                CommentVote.value == existing,
            )
            .values(value=value)
        ).rowcount
        changes[value] += switched
        changes[existing] -= switched
        current = value
    if changes[1] or changes[-1]:
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment.id)
            .values(upvotes=Comment.upvotes + changes[1], downvotes=Comment.downvotes + changes[-1])
        )
        db.session.expire(comment, ["upvotes", "downvotes"])
    return current


def thread(contribution, sort="best"):
    """Return the comments of a contribution as a tree: [(comment, [(reply, [...])...])...]."""
    order = SORTS.get(sort, SORTS["best"])
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.contribution_id == contribution.id)
        .options(
            sa.orm.joinedload(Comment.author).load_only(User.display_name),
            sa.orm.selectinload(Comment.photos),
        )
        .order_by(*order)
    ).all()
    children = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)

    def build(parent_id):
        return [(comment, build(comment.id)) for comment in children.get(parent_id, [])]

    return build(None), comments


def my_votes(user, comments):
    return comment_votes_of(user, [comment.id for comment in comments])


def comment_votes_of(user, comment_ids):
    """{comment id: +1 or -1} of the user's votes among ``comment_ids`` (one query)."""
    if not user.is_authenticated or not comment_ids:
        return {}
    rows = db.session.execute(
        sa.select(CommentVote.comment_id, CommentVote.value).where(
            CommentVote.user_id == user.id, CommentVote.comment_id.in_(comment_ids)
        )
    )
    return dict(rows.all())


def thread_watermark(contribution):
    """The latest change to a thread's comments (posts, edits, deletions and votes move it)."""
    return db.session.scalar(
        sa.select(sa.func.max(Comment.modified_dt)).where(
            Comment.contribution_id == contribution.id
        )
    )
