"""Real image files for the tests, made with Pillow (and by hand where Pillow would not)."""

import io
import struct
import zlib

from PIL import Image

GPS = {1: "N", 2: (18.0, 45.0, 40.0), 3: "E", 4: (98.0, 56.0, 0.0)}


def gps(latitude, longitude):
    """EXIF GPS tags for a position in degrees, as a phone writes them (degrees, minutes,
    seconds and a hemisphere letter)."""

    def dms(value):
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

    return {1: "N" if latitude >= 0 else "S", 2: dms(latitude),
            3: "E" if longitude >= 0 else "W", 4: dms(longitude)}  # fmt: skip


def _phone_picture(width, height, orientation, where):
    image = Image.new("RGB", (width, height), "red")
    image.paste((0, 0, 255), (0, 0, width // 2, height))  # left half blue: shows the rotation
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    if where is not None:
        exif[0x8825] = where
    return image, exif


def phone_jpeg(width=200, height=100, orientation=6, where=GPS):
    """A JPEG as a phone writes it: sideways pixels, an orientation tag, GPS and a camera name."""
    image, exif = _phone_picture(width, height, orientation, where)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def iphone_heic(width=200, height=100, orientation=6, where=GPS):
    """A HEIC as an iPhone writes it (HEVC in a HEIF file): turned by its orientation, with GPS
    and a camera name in its EXIF."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image, exif = _phone_picture(width, height, orientation, where)
    buffer = io.BytesIO()
    image.save(buffer, format="HEIF", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def png_with_transparency(width=120, height=80):
    image = Image.new("RGBA", (width, height), (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, width // 2, height))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def animated_webp(frames=3, size=(300, 200)):
    images = [Image.new("RGB", size, colour) for colour in ("red", "blue", "green")[:frames]]
    buffer = io.BytesIO()
    images[0].save(buffer, "WEBP", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width=30_000, height=30_000):
    """A small file that claims 30,000 × 30,000 pixels (900 million): a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)
            + _chunk(b"IEND", b""))  # fmt: skip


def truncated_jpeg():
    data = phone_jpeg(800, 600)
    return data[: len(data) // 2]
