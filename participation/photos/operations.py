"""Adding, removing and showing photos; every rule about them is here."""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import object_session

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.rules import RuleError
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.photos import storage
from participation.photos.images import CleanPhoto, clean_photo
from participation.photos.models import ALT_MAX, PHOTOS_PER_COMMENT, PHOTOS_PER_ITEM, Photo


def uploads_from(files, alts):
    """Pair each chosen file with its description; files not chosen (empty) are left out."""
    alts = list(alts or [])
    pairs = []
    for index, upload in enumerate(files or []):
        if upload is None or not getattr(upload, "filename", ""):
            continue
        pairs.append((upload, alts[index] if index < len(alts) else ""))
    return pairs


def _owner(item):
    """(columns naming ``item`` on its photos, the most photos it may have) for an issue or
    proposal, a comment, or a progress update."""
    from participation.comments.models import Comment
    from participation.proposals.models import ImplementationUpdate

    if isinstance(item, Comment):
        return {"contribution_id": item.contribution_id, "comment_id": item.id}, PHOTOS_PER_COMMENT
    if hasattr(item, "photo_owner"):  # a feature's own photo holder (delivery milestones)
        return item.photo_owner(), PHOTOS_PER_ITEM
    if isinstance(item, ImplementationUpdate):
        return {"contribution_id": item.proposal_id, "update_id": item.id}, PHOTOS_PER_ITEM
    return {}, PHOTOS_PER_ITEM  # the item's own collection sets contribution_id


def touch_pages_of(photo):
    """Move the watermark of the cached pages that show ``photo``."""
    now = utcnow()
    if photo.comment is not None:
        photo.comment.modified_dt = now  # the thread's rendering
    photo.contribution.modified_dt = now  # the item's page (progress updates are on it)


@dataclass
class PreparedPhoto:
    """An upload checked, re-encoded and written to storage, without its row yet: what
    ``add_photos`` attaches. Its files go again if the transaction is not committed."""

    photo: CleanPhoto
    alt: str
    token: str


def prepare_photos(uploads):
    """Check, clean and write every upload ((file, alt text) pairs). Decoding, re-encoding and
    syncing the files to disk are the slow part of adding photos, so a view does this before its
    operation starts writing to the database (on SQLite the write lock would otherwise wait for
    them, and every other writer with it). Every photo is checked before any file is written, so
    a refused photo leaves nothing stored. Raises RuleError for the first photo at fault."""
    if len(uploads) > PHOTOS_PER_ITEM:
        raise RuleError(
            _l("At most %(count)s photos can be added.", count=PHOTOS_PER_ITEM), "photos"
        )
    config = current_app.config
    cleaned = []
    for upload, alt in uploads:
        alt = plain_text(alt or "")
        if len(alt) > ALT_MAX:
            raise RuleError(_l("Use at most %(count)s characters.", count=ALT_MAX), "photos")
        photo = clean_photo(upload.stream, config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_PIXELS"])
        cleaned.append((photo, alt))
    prepared = []
    try:
        for photo, alt in cleaned:
            token = secrets.token_hex(16)
            storage.write_files(db.session, token, photo.files)
            prepared.append(PreparedPhoto(photo, alt, token))
    except RuleError:
        # Outside a transaction no rollback would remove the batch's earlier files.
        storage.discard_written(db.session)
        raise
    return prepared


def add_photos(item, author, uploads, stage=None):
    """Attach ``uploads`` ((file, alt text) pairs, or what ``prepare_photos`` made of them) to
    ``item`` (a delivery milestone's photos carry their ``stage``: before, during, after)."""
    if not uploads:
        return []
    owner, most = _owner(item)
    if stage is not None:
        owner = {**owner, "stage": str(stage)}
    present = len(item.photos) if item.id else 0
    if present + len(uploads) > most:
        if most == 1:
            raise RuleError(_l("A comment can have one photo."), "photos")
        raise RuleError(_l("At most %(count)s photos can be added.", count=most), "photos")
    if not all(isinstance(upload, PreparedPhoto) for upload in uploads):
        uploads = prepare_photos(uploads)
    added = []
    for offset, prepared in enumerate(uploads):
        photo = prepared.photo
        row = Photo(
            token=prepared.token, author_id=author.id, alt_text=prepared.alt,
            width=photo.width, height=photo.height, position=present + offset, **owner,
        )  # fmt: skip
        row.location = photo.location
        item.photos.append(row)
        added.append(row)
    db.session.flush()
    for row in added[:1]:
        touch_pages_of(row)
    return added


def remove_photo(photo):
    """Delete a photo; its files go once the deletion is committed."""
    touch_pages_of(photo)
    db.session.delete(photo)


@event.listens_for(Photo, "after_delete")
def _files_go_with_the_row(_mapper, _connection, photo):
    """However a photo's row is deleted (by itself, or with its progress update or item),
    its files are removed once that is committed."""
    session = object_session(photo)
    if session is not None:
        storage.delete_files_after_commit(session, photo.token)


def can_delete(photo, user):
    """The person who added a photo (the item's author) and the moderators of where it is
    shown may delete it."""
    from participation.moderation.operations import can_moderate

    if not getattr(user, "is_authenticated", False):
        return False
    return photo.author_id == user.id or can_moderate(user, photo)


def delete_photo(photo, user):
    """Delete one photo of an item; the action log keeps whose item it was and who did it."""
    if not can_delete(photo, user):
        raise RuleError(_l("Only the person who added this photo or a moderator can delete it."))
    on = "comment" if photo.comment_id else "update" if photo.update_id else "item"
    record_action(
        user, "photo.delete", photo.contribution,
        details={"photo_id": photo.id, "on": on, "by_author": photo.author_id == user.id},
    )  # fmt: skip
    remove_photo(photo)
    db.session.flush()


def remove_photos_of_comments(comment_ids):
    """A deleted comment's photo goes with its text (rows and files)."""
    if not comment_ids:
        return
    for photo in db.session.scalars(sa.select(Photo).where(Photo.comment_id.in_(comment_ids))):
        remove_photo(photo)


def erase_photos_of(user):
    """Account deletion: every photo the person added goes, files and rows."""
    for photo in db.session.scalars(sa.select(Photo).where(Photo.author_id == user.id)):
        remove_photo(photo)


def may_see(photo, reader):
    """A photo is served only where its item is shown: a visible process, an item not hidden
    (or seen by its author and moderators), and the photo itself not hidden."""
    from participation.moderation.operations import can_see_hidden
    from participation.processes.operations import process_is_visible

    item = photo.contribution
    if not process_is_visible(item.process, reader):
        return False
    if item.is_hidden and not can_see_hidden(reader, item):
        return False
    comment = photo.comment
    if comment is not None:
        if comment.is_deleted:
            return False
        if comment.is_hidden and not can_see_hidden(reader, comment):
            return False
    return not (photo.is_hidden and not can_see_hidden(reader, photo))


def photos_of(user):
    """(archive name, file path) of the full size of every photo the person added (on their
    issues and proposals, comments and progress updates)."""
    rows = db.session.scalars(sa.select(Photo).where(Photo.author_id == user.id).order_by(Photo.id))
    return [(f"photos/{photo.id}-{photo.token}.jpg", storage.path_of(photo.token, "display"))
            for photo in rows]  # fmt: skip
