"""Serving photos: only where their item is shown, with the headers a stored image needs."""

from flask import Blueprint, abort, current_app, request, send_file
from flask_login import current_user

from participation.core.models import utcnow
from participation.extensions import db
from participation.moderation.operations import register_content
from participation.photos import action_log, operations, storage  # noqa: F401
from participation.photos.models import PHOTOS_PER_ITEM, Photo
from participation.privacy.registry import register

bp = Blueprint("photos", __name__, url_prefix="/photos")

# A day in the visitor's own browser only ("private"): no shared cache keeps serving a photo
# after a moderator hides it or its author deletes their account.
CACHE_SECONDS = 86400


def allow_photo_uploads():
    """Let this request's body hold a form with its photos (the site's limit is smaller)."""
    request.max_content_length = (
        PHOTOS_PER_ITEM * current_app.config["PHOTO_MAX_BYTES"] + 1024 * 1024
    )


def _item_changed(photo):
    photo.contribution.modified_dt = utcnow()  # cached pages that show the photo are redrawn


register_content("photo", Photo, lambda photo: (photo.contribution.process, None), _item_changed)
register("photos", files=operations.photos_of, erase=operations.erase_photos_of)


@bp.route("/<token>/<any(thumb, display):size>.jpg")
def serve(token, size):
    if len(token) != 32:
        abort(404)
    photo = db.session.scalar(db.select(Photo).where(Photo.token == token))
    if photo is None or not operations.may_see(photo, current_user):
        abort(404)
    path = storage.path_of(photo.token, size)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=CACHE_SECONDS, conditional=True)
    response.cache_control.public = False
    response.cache_control.private = True
    if photo.is_hidden or photo.contribution.is_hidden:
        response.cache_control.no_store = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
