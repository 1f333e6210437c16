"""Check an uploaded photo by decoding it, and re-encode it clean in the sizes pages show.

Nothing of the upload is kept but its pixels: the file is opened by content (never by its name
or declared type), refused past the byte and pixel limits before the whole image is decoded,
turned upright by its EXIF orientation, and written again as JPEG without any EXIF, XMP, IPTC
or ICC data (a phone's GPS coordinates reveal where a resident lives). iPhones send HEIC
(HEIF), read through ``pillow-heif``. The GPS position, if any, is read before the metadata is
dropped and handed back apart from the image: the resident may choose it as the item's place.
"""

import contextlib
import io
import threading
import warnings
from dataclasses import dataclass

import pillow_heif
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from participation.core.rules import RuleError
from participation.photos.models import SIZES

# Formats a phone or a camera gives; anything else (SVG, GIF, HTML named .jpg) is refused.
# HEIF is an iPhone's HEIC; pillow-heif turns it by its own rotation (irot) when opening.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
JPEG_QUALITY = 82

pillow_heif.register_heif_opener()


@dataclass
class CleanPhoto:
    width: int
    height: int
    files: dict  # size name -> JPEG bytes
    location: tuple | None = None  # (latitude, longitude) the phone recorded, never stored


def clean_photo(stream, max_bytes, max_pixels):
    """Return the photo in ``stream`` re-encoded in every size, or raise RuleError."""
    data = stream.read(max_bytes + 1)
    if not data:
        raise RuleError(_l("The photo file is empty."), "photos")
    if len(data) > max_bytes:
        raise RuleError(
            _l("A photo may be at most %(size)s MB.", size=round(max_bytes / 1024 / 1024)),
            "photos",
        )
    with warnings.catch_warnings(), _truncated_refused():
        # Pillow only warns below twice its own limit; ours is checked before decoding.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if image.width * image.height > max_pixels:
                raise Image.DecompressionBombError
            if image.format == "JPEG":
                # Decode at a reduced scale when the largest size needs no more pixels.
                image.draft("RGB", (max(SIZES.values()), max(SIZES.values())))
            image.seek(0)  # an animation keeps only its first frame
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise RuleError(_l("This photo is too large in pixels. Please send a smaller one."),
                            "photos") from None  # fmt: skip
        except UnidentifiedImageError:
            raise RuleError(_l("This file is not a photo. Please send a JPEG, PNG, WebP or HEIC "
                               "photo."), "photos") from None  # fmt: skip
        except (OSError, SyntaxError, ValueError, EOFError, RuntimeError):
            raise RuleError(_l("This photo is damaged or incomplete. Please send it again."),
                            "photos") from None  # fmt: skip
        location = gps_of(image)
        upright = ImageOps.exif_transpose(image)
    rgb = _flatten(upright)
    files = {}
    for name, longest in SIZES.items():
        copy = rgb.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        copy.info = {}
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"")
        files[name] = buffer.getvalue()
    return CleanPhoto(width=rgb.width, height=rgb.height, files=files,  # as decoded
                      location=location)  # fmt: skip


def gps_of(image):
    """(latitude, longitude) in degrees from the photo's EXIF GPS tags, or None.

    Anything unreadable or impossible (a phone without a fix writes zeros) is None: this only
    ever leads to an offer the resident confirms."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        latitude = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef))
        longitude = _degrees(gps[ExifTags.GPS.GPSLongitude],
                             gps.get(ExifTags.GPS.GPSLongitudeRef))  # fmt: skip
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError, SyntaxError,
            OSError, AttributeError):  # fmt: skip
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # NaN fails too
        return None
    if latitude == 0 and longitude == 0:
        return None
    return (round(latitude, 6), round(longitude, 6))


def _degrees(value, ref):
    degrees, minutes, seconds = (float(part) for part in value)
    total = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -total if str(ref or "").strip().upper() in ("S", "W") else total


@contextlib.contextmanager
def _truncated_refused():
    """Decode with Pillow refusing truncated files. WeasyPrint (the summaries' PDFs) turns
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` on for the whole process when it is imported, and a
    half-sent photo would then be stored with its lower part grey."""
    with _TRUNCATED_LOCK:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


_TRUNCATED_LOCK = threading.Lock()


def _flatten(image):
    """Plain RGB pixels: transparency over white, every other mode converted; no metadata."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")
    # A new image from the pixels alone: nothing of the upload's metadata can come along.
    return Image.frombytes("RGB", flat.size, flat.tobytes())
