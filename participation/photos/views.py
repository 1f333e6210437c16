"""Serving photos: only where their item is shown, with the headers a stored image needs; and
deleting one photo of an item."""

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.forms import is_safe_next
from participation.core.rules import RuleError
from participation.extensions import db, write_limit
from participation.moderation.operations import register_content
from participation.photos import action_log, operations, storage  # noqa: F401
from participation.photos.models import PHOTOS_PER_ITEM, SIZES, Photo
from participation.privacy.registry import register

log = logging.getLogger(__name__)
bp = Blueprint("photos", __name__, url_prefix="/photos")

# A day in the visitor's own browser only ("private"): no shared cache keeps serving a photo
# after a moderator hides it or its author deletes their account.
CACHE_SECONDS = 86400


def allow_photo_uploads(count=PHOTOS_PER_ITEM):
    """Let this request's body hold a form with ``count`` photos (the site's limit is
    smaller)."""
    request.max_content_length = count * current_app.config["PHOTO_MAX_BYTES"] + 1024 * 1024


register_content(
    "photo", Photo, lambda photo: (photo.contribution.process, None), operations.touch_pages_of
)
register("photos", files=operations.photos_of, erase=operations.erase_photos_of)


@bp.route(f"/<token>/<any({', '.join(SIZES)}):size>.jpg")
def serve(token, size):
    """A photo in one size (thumbnail, medium, full), to those who may see its item.

    With PHOTO_ACCEL_REDIRECT_PREFIX set, the answer has the same headers but no body: its
    ``X-Accel-Redirect`` tells nginx which file to send from its ``internal`` location."""
    if len(token) != 32:
        abort(404)
    photo = db.session.scalar(db.select(Photo).where(Photo.token == token))
    if photo is None or not operations.may_see(photo, current_user):
        abort(404)
    path = storage.served_path(photo.token, size)
    if path is None:
        abort(404)
    mimetype = storage.content_type(path)
    if mimetype is None:  # not what Ruamkid writes: never served as anything
        log.error("photo file %s is not an image Ruamkid wrote", path)
        abort(404)
    prefix = current_app.config["PHOTO_ACCEL_REDIRECT_PREFIX"]
    if prefix:
        response = current_app.response_class(b"", mimetype=mimetype)
        relative = path.relative_to(storage.storage_dir()).as_posix()
        response.headers["X-Accel-Redirect"] = prefix + relative
        response.cache_control.max_age = CACHE_SECONDS
    else:
        response = send_file(path, mimetype=mimetype, max_age=CACHE_SECONDS, conditional=True)
    response.cache_control.public = False
    response.cache_control.private = True
    if (
        photo.is_hidden
        or photo.contribution.is_hidden
        or (photo.comment is not None and photo.comment.is_hidden)
    ):
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/<int:photo_id>/delete", methods=["POST"])
@login_required
@write_limit("edit")
def delete(photo_id):
    """The person who added a photo, or a moderator, deletes it (its files go too)."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or not operations.may_see(photo, current_user):
        abort(404)
    if not operations.can_delete(photo, current_user):
        abort(403)
    item = photo.contribution
    try:
        operations.delete_photo(photo, current_user)
    except RuleError as error:  # pragma: no cover - the permission was checked above
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The photo is deleted."), "success")
    back = request.form.get("next")
    if is_safe_next(back):
        return redirect(back)
    kind_path = "issues" if item.kind == "issue" else "proposals"
    return redirect(
        url_for("proposals.show", slug=item.process.slug, kind_path=kind_path, item_id=item.id)
    )
