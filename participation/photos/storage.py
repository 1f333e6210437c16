"""Photo files on disk: written before their row, removed again if the row is not committed.

A photo's files are written first and its row added after; if the transaction then rolls back
(a rule broken later in the request, the disk full half-way), the files written in it are
removed, so no row points at a missing file and no file is left without its row. Files of
deleted photos are removed only once the deletion is committed.
"""

import logging
import os
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from participation.core.rules import RuleError
from participation.photos.models import SIZES

log = logging.getLogger(__name__)
WRITTEN = "photos_written"
DOOMED = "photos_doomed"


def storage_dir():
    return Path(current_app.config["PHOTO_STORAGE_DIR"])


def path_of(token, size):
    """Where a photo's file of one size lives (a folder per two first letters)."""
    return storage_dir() / token[:2] / f"{token}-{size}.jpg"


def served_path(token, size):
    """The file to serve for ``size``: its own, or for a photo stored before that size existed,
    the next larger one (None when the photo has no file left)."""
    names = list(SIZES)
    for name in names[names.index(size) :]:
        path = path_of(token, name)
        if path.is_file():
            return path
    return None


# What a stored file starts with, and the Content-Type it is served with.
MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def content_type(path):
    """The type of what was written to ``path``, read from its first bytes (None if unknown)."""
    with open(path, "rb") as handle:
        start = handle.read(16)
    if start[:4] == b"RIFF" and start[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in MAGIC if start.startswith(magic)), None)


def write_files(session, token, files):
    """Write a photo's sizes; on a write error remove what was written and raise RuleError."""
    written = []
    try:
        for size, data in files.items():
            path = path_of(token, size)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            with open(partial, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
            written.append(path)
    except OSError as error:
        log.error("photo %s not written: %s", token, error)
        _remove(written + [path_of(token, size).with_suffix(".part") for size in SIZES])
        raise RuleError(
            _l("The photo could not be saved on the server (its storage may be full). Nothing "
               "was published; please try again later."), "photos",
        ) from None  # fmt: skip
    session.info.setdefault(WRITTEN, []).extend(written)


def discard_written(session):
    """Remove the files written so far that no transaction has claimed yet (photos written
    outside a transaction, when a later one of the same batch fails)."""
    _remove(session.info.pop(WRITTEN, []))


def delete_files_after_commit(session, token):
    session.info.setdefault(DOOMED, []).extend(path_of(token, size) for size in SIZES)


def _remove(paths):
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError as error:  # pragma: no cover - logged, the row is what matters
            log.warning("photo file %s not removed: %s", path, error)


@event.listens_for(Session, "after_commit")
def _committed(session):
    session.info.pop(WRITTEN, None)
    _remove(session.info.pop(DOOMED, []))


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop(DOOMED, None)
    _remove(session.info.pop(WRITTEN, []))
