"""Share images (1200 × 630 PNG, what LINE and Facebook show) drawn with Pillow and Sarabun.

Sarabun comes as the Thai and the Latin halves the pages use (static/vendor, copied by
`make setup`); each run of text is drawn with the half that has its letters. Thai titles wrap
between words (participation.core.thai), never inside one.
"""

import io
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
GREEN, DARK, INK, SOFT, PAPER = "#1f6f43", "#164f30", "#1b1f23", "#4a5259", "#ffffff"
THAI = re.compile(r"[\u0e00-\u0e7f]+")


def municipality_name():
    from participation.municipality.models import current_municipality

    municipality = current_municipality()
    return municipality.name_th if municipality else ""


@lru_cache(maxsize=8)
def _font_bytes(half, weight):
    from fontTools.ttLib import woff2

    path = Path(current_app.static_folder) / "vendor/sarabun/files"
    path = path / f"sarabun-{half}-{weight}-normal.woff2"
    decoded = io.BytesIO()
    with path.open("rb") as source:
        woff2.decompress(source, decoded)
    return decoded.getvalue()


@lru_cache(maxsize=32)
def _font(half, weight, size):
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(_font_bytes(half, weight)), size,
                              layout_engine=ImageFont.Layout.RAQM)  # fmt: skip


def _runs(text):
    """(piece, "thai" or "latin") runs of ``text``."""
    runs, last = [], 0
    for match in THAI.finditer(text):
        if match.start() > last:
            runs.append((text[last : match.start()], "latin"))
        runs.append((match.group(), "thai"))
        last = match.end()
    if last < len(text):
        runs.append((text[last:], "latin"))
    return runs


def _width(text, weight, size):
    return sum(_font(half, weight, size).getlength(piece) for piece, half in _runs(text))


def _draw(draw, xy, text, weight, size, fill):
    x, y = xy
    for piece, half in _runs(text):
        font = _font(half, weight, size)
        draw.text((x, y), piece, font=font, fill=fill)
        x += font.getlength(piece)


def _pieces(text):
    """Pieces a line may break between: spaces, and between Thai words."""
    from participation.core.thai import line_groups

    pieces = []
    for chunk in re.split(r"(\s+)", text):
        if not chunk:
            continue
        if chunk.isspace():
            pieces.append(" ")
            continue
        for piece, half in _runs(chunk):
            pieces.extend(line_groups(piece) if half == "thai" else [piece])
    return pieces


def _wrap(text, weight, size, width, max_lines):
    lines, line = [], ""
    for piece in _pieces(text):
        if line and _width(line + piece, weight, size) > width:
            lines.append(line.rstrip())
            line = "" if piece == " " else piece
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _width(last + "…", weight, size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def card_png(card):
    """The share image of ``card`` (None: the site's own card, saying nothing of any item)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 18), fill=GREEN)
    draw.rectangle((0, HEIGHT - 96, WIDTH, HEIGHT), fill=DARK)
    _draw(draw, (MARGIN, HEIGHT - 80), "ร่วมคิด Ruamkid", 700, 40, PAPER)
    name = municipality_name()
    if name:
        size = 34
        _draw(draw, (WIDTH - MARGIN - _width(name, 600, size), HEIGHT - 76), name, 600, size,
              "#d8efe0")  # fmt: skip
    y = 64
    if card is None:
        title, kicker, lines_under = "ร่วมคิด", "", ["ประชาชนกับเทศบาล คิด ตัดสินใจ และติดตามผลร่วมกัน"]
    else:
        title, kicker = card.title, card.kind
        lines_under = [text for text in (card.status, card.count) if text]
    if kicker:
        _draw(draw, (MARGIN, y), kicker, 600, 38, GREEN)
        y += 64
    size = 64 if _width(title, 700, 64) <= 2 * (WIDTH - 2 * MARGIN) else 54
    for line in _wrap(title, 700, size, WIDTH - 2 * MARGIN, 3):
        _draw(draw, (MARGIN, y), line, 700, size, INK)
        y += int(size * 1.45)
    y += 16
    for text in lines_under:
        if y > HEIGHT - 96 - 60:
            break
        _draw(draw, (MARGIN, y), text, 600, 38, SOFT)
        y += 56
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
