"""The comparison page: a bare Flask app rendering a list-like template with no database.

Served by the same gunicorn configuration as Ruamkid (``gunicorn bench.bare_app:app``). The
template has the list page's shape: a layout with header and footer, a filter form with the
same selects, twenty cards with badges, a link built with ``url_for``, an author, a formatted
date and counters, and pagination. The data are fixed Python objects built once at start-up.
"""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, render_template, request
from vocabulary import AREAS, CATEGORIES, FIRST_NAMES, LAST_INITIALS, PLACES

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))

THAI_MONTHS = "ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.".split()


@app.template_filter("thai_date")
def thai_date(value):
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + 543}"


def _items():
    rng = random.Random(1)
    now = datetime(2026, 11, 21, tzinfo=UTC)
    items = []
    for i in range(20):
        slug, name_th, _en, _share, stems, _sentences = rng.choice(CATEGORIES)
        items.append(
            {
                "id": 90_000 - i,
                "title": rng.choice(stems) + rng.choice(PLACES),
                "status": "open",
                "status_title": "เปิดรับ",
                "category": name_th,
                "area": rng.choice(AREAS)[1],
                "author": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}.",
                "created_dt": now - timedelta(days=rng.randint(1, 90)),
                "support_count": rng.randint(100, 3000),
                "comment_count": rng.randint(0, 300),
            }
        )
    return items


ITEMS = _items()
CATEGORY_OPTIONS = [(i + 1, c[1]) for i, c in enumerate(CATEGORIES)]
AREA_OPTIONS = [(i + 1, a[1]) for i, a in enumerate(AREAS)]


@app.route("/")
@app.route("/bare/<slug>/proposals")
def bare(slug="bench"):
    return render_template(
        "bare_list.html",
        slug=slug,
        items=ITEMS,
        categories=CATEGORY_OPTIONS,
        areas=AREA_OPTIONS,
        selected=request.args.get("category", type=int),
        total=94_000,
        page=1,
        pages=4_700,
    )
