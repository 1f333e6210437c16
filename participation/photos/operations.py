"""Adding, removing and showing photos; every rule about them is here."""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.core.rules import RuleError
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.photos import storage
from participation.photos.images import CleanPhoto, clean_photo
from participation.photos.models import ALT_MAX, PHOTOS_PER_ITEM, Photo


def uploads_from(files, alts):
    """Pair each chosen file with its description; files not chosen (empty) are left out."""
    alts = list(alts or [])
    pairs = []
    for index, upload in enumerate(files or []):
        if upload is None or not getattr(upload, "filename", ""):
            continue
        pairs.append((upload, alts[index] if index < len(alts) else ""))
    return pairs


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


def add_photos(item, author, uploads):
    """Attach ``uploads`` ((file, alt text) pairs, or what ``prepare_photos`` made of them) to
    ``item``."""
    if not uploads:
        return []
    present = len(item.photos) if item.id else 0
    if present + len(uploads) > PHOTOS_PER_ITEM:
        raise RuleError(
            _l("At most %(count)s photos can be added.", count=PHOTOS_PER_ITEM), "photos"
        )
    if not all(isinstance(upload, PreparedPhoto) for upload in uploads):
        uploads = prepare_photos(uploads)
    added = []
    for offset, prepared in enumerate(uploads):
        photo = prepared.photo
        row = Photo(
            token=prepared.token, author_id=author.id, alt_text=prepared.alt,
            width=photo.width, height=photo.height, position=present + offset,
        )  # fmt: skip
        row.location = photo.location
        item.photos.append(row)
        added.append(row)
    item.modified_dt = utcnow()
    db.session.flush()
    return added


def remove_photo(photo):
    """Delete a photo; its files go once the deletion is committed."""
    storage.delete_files_after_commit(db.session, photo.token)
    photo.contribution.modified_dt = utcnow()
    db.session.delete(photo)


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
    return not (photo.is_hidden and not can_see_hidden(reader, photo))


def photos_of(user):
    """(archive name, file path) of the display size of every photo the person added."""
    rows = db.session.scalars(sa.select(Photo).where(Photo.author_id == user.id).order_by(Photo.id))
    return [(f"photos/{photo.id}-{photo.token}.jpg", storage.path_of(photo.token, "display"))
            for photo in rows]  # fmt: skip
