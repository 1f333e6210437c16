"""The action log's words for photos (a moderator hides or shows one again; its author or a
moderator deletes one)."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, register_action, register_target
from participation.comments.models import Comment
from participation.extensions import db
from participation.photos.models import Photo
from participation.processes.models import Process
from participation.proposals.action_log import contribution_url, contribution_words
from participation.proposals.models import Contribution


def _photos(ids):
    rows = db.session.execute(
        sa.select(Photo.id, Contribution.id.label("item_id"), Contribution.kind,
                  Contribution.title, Contribution.is_hidden, Process.slug,
                  Process.is_published,
                  sa.func.coalesce(Comment.is_hidden, False).label("comment_hidden"))
        .join(Contribution, Contribution.id == Photo.contribution_id)
        .join(Process, Process.id == Contribution.process_id)
        .outerjoin(Comment, Comment.id == Photo.comment_id)
        .where(Photo.id.in_(ids))
    )  # fmt: skip
    found = {}
    for row in rows:
        text = _("a photo of %(item)s", item=contribution_words(row.kind, row.title))
        url = contribution_url(row.kind, row.slug, row.item_id, anchor=f"photo-{row.id}")
        if row.is_published and not row.is_hidden and not row.comment_hidden:
            found[row.id] = Target(text, url, text, url)
        else:
            found[row.id] = Target(text, url, _("a photo"), None)
    return found


register_target("photos", _photos)
register_action(
    "photo.delete",
    _l("Photos deleted"),
    _l("%(actor)s deleted a photo of %(target)s"),
)
