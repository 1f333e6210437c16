"""Cover images of processes: checked by their content, stored under the instance folder."""

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.core.rules import RuleError

MAX_BYTES = 4 * 1024 * 1024
# Recognised by their first bytes, whatever the file name or the browser claims.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)


def covers_dir():
    path = Path(current_app.instance_path) / "uploads" / "covers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kind_of(head):
    for signature, extension in SIGNATURES:
        if head.startswith(signature):
            return extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def store_cover(process, upload):
    """Save an uploaded cover for ``process``; refuse anything but PNG, JPEG or WebP."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RuleError(_l("The image is too large: use one under 4 MB."), "cover")
    extension = _kind_of(data[:16])
    if extension is None:
        raise RuleError(_l("Please upload a PNG, JPEG or WebP image."), "cover")
    name = f"{secrets.token_hex(12)}.{extension}"
    (covers_dir() / name).write_bytes(data)
    process.cover_image = name
    return name


def remove_cover_file(name):
    if name:
        (covers_dir() / Path(name).name).unlink(missing_ok=True)
