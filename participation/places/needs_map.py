"""The map of needs per community for the council's outcome summary: a choropleth drawn on the
server with Pillow from the communities' boundaries (no tiles, so it prints in the PDF as on
the page), coloured by issues per 1,000 residents, or by the number of issues when no community
has a population.

The image carries only numbers (the colours' ranges and each community's count); its words are
in the page around it, in the reader's language.
"""

import base64
import functools
import io
import json
import math

import shapely
from PIL import Image, ImageDraw, ImageFont
from shapely.geometry import shape

WIDTH, MAP_HEIGHT, LEGEND_HEIGHT, PADDING = 760, 460, 56, 18
# ColorBrewer's OrRd, five classes: light for few needs, dark for many.
COLOURS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
NO_VALUE = "#d9dde3"
OUTLINE = "#1f2933"
PER_RESIDENTS = 1000


def needs_rows(areas, figures):
    """One row per community of the summary: its id, names, issues, population and issues per
    1,000 residents (None without a population), from the summary's figures."""
    by_id = {area.id: area for area in areas}
    rows = []
    for row in figures:
        if row.get("id") is None:
            continue
        population = row.get("population")
        density = row["issues"] * PER_RESIDENTS / population if population else None
        area = by_id.get(row["id"])
        rows.append({
            "id": row["id"], "name_th": row.get("name_th", ""), "name_en": row.get("name_en", ""),
            "issues": row["issues"], "population": population, "density": density,
            "boundary": area.boundary if area is not None else None,
        })  # fmt: skip
    return rows


def classes(values, count=None):
    """Equal steps from 0 to the largest value: [(low, high)], or [] when every value is 0."""
    count = count or len(COLOURS)
    top = max(values, default=0)
    if top <= 0:
        return []
    step = top / count
    return [(step * number, step * (number + 1)) for number in range(count)]


def _class_of(value, steps):
    if value is None or not steps:
        return None
    for number, (_low, high) in enumerate(steps):
        if value <= high + 1e-9:
            return number
    return len(steps) - 1


def by_density(rows):
    """Whether the colours say issues per 1,000 residents (some community has a population)."""
    return any(row["density"] is not None for row in rows)


def _number(value):
    if value == int(value):
        return f"{int(value):,}"
    text = f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"
    return text.rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=32)
def _png(items, density):
    """The PNG of the map; ``items``: ((boundary GeoJSON, issues, density or None), ...)."""
    shapes = [(shape(json.loads(text)), issues, value) for text, issues, value in items]
    west, south, east, north = shapely.union_all([geometry for geometry, *_ in shapes]).bounds
    across = math.cos(math.radians((south + north) / 2))  # a degree of longitude is shorter
    width_deg, height_deg = max((east - west) * across, 1e-9), max(north - south, 1e-9)
    scale = min((WIDTH - 2 * PADDING) / width_deg, (MAP_HEIGHT - 2 * PADDING) / height_deg)
    left = (WIDTH - width_deg * scale) / 2
    top = (MAP_HEIGHT - height_deg * scale) / 2

    def xy(lon, lat):
        return (left + (lon - west) * across * scale, top + (north - lat) * scale)

    values = [value if density else issues for _g, issues, value in shapes]
    steps = classes([value for value in values if value is not None])
    image = Image.new("RGB", (WIDTH, MAP_HEIGHT + LEGEND_HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    for (geometry, _issues, _value), value in zip(shapes, values, strict=True):
        number = _class_of(value, steps)
        fill = NO_VALUE if value is None else COLOURS[0 if number is None else number]
        polygons = geometry.geoms if geometry.geom_type == "MultiPolygon" else [geometry]
        for polygon in polygons:
            draw.polygon([xy(*point) for point in polygon.exterior.coords], fill=fill,
                         outline=OUTLINE, width=2)  # fmt: skip
            for hole in polygon.interiors:
                draw.polygon([xy(*point) for point in hole.coords], fill="white",
                             outline=OUTLINE, width=1)  # fmt: skip
    for geometry, issues, _value in shapes:  # labels over every shape's fill
        point = geometry.representative_point()
        draw.text(xy(point.x, point.y), f"{issues:,}", fill="black", font=font, anchor="mm",
                  stroke_width=3, stroke_fill="white")  # fmt: skip

    y = MAP_HEIGHT + 12
    x = PADDING
    # The default font has ASCII only: a hyphen for the ranges, no label for grey (the caption
    # in the page says what grey means).
    legend = [(COLOURS[number], f"{_number(low)} - {_number(high)}")
              for number, (low, high) in enumerate(steps)] or [(COLOURS[0], "0")]  # fmt: skip
    if any(value is None for value in values):
        legend.append((NO_VALUE, ""))
    for colour, text in legend:
        draw.rectangle((x, y, x + 26, y + 18), fill=colour, outline=OUTLINE)
        draw.text((x + 32, y + 9), text, fill="black", font=small, anchor="lm")
        x += 40 + int(draw.textlength(text, font=small)) + 18
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def needs_map(areas, figures):
    """What the summary shows: {rows, by_density, image (a data: URI or None), legend} for a
    process's communities (``areas``) and its summary's per-community figures."""
    rows = needs_rows(areas, figures)
    density = by_density(rows)
    drawn = [row for row in rows if row["boundary"]]
    image = None
    if drawn:
        items = tuple((row["boundary"], row["issues"], row["density"]) for row in drawn)
        png = _png(items, density)
        image = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return {"rows": rows, "by_density": density, "image": image}
