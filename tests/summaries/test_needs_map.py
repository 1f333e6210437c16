"""The council's outcome summary maps the needs per community: a server-drawn choropleth of
issues per 1,000 residents, in the page and in the PDF; a sentence instead without boundaries."""

import base64
import io
import json
import re
import shutil
import subprocess

import pytest
from PIL import Image

from participation.places.needs_map import COLOURS, NO_VALUE
from tests.summaries.test_exports import pdf_text, same_text

# Illustrative squares (longitude, latitude): north above south.
NORTH = [[98.90, 18.76], [98.94, 18.76], [98.94, 18.80], [98.90, 18.80], [98.90, 18.76]]
SOUTH = [[98.90, 18.72], [98.94, 18.72], [98.94, 18.76], [98.90, 18.76], [98.90, 18.72]]


@pytest.fixture
def published(client, auth, finished_process):
    """The finished process's summary, published by the council."""
    slug = finished_process.slug
    auth.login(finished_process.council)
    client.post(f"/summaries/processes/{slug}/review")
    client.post(f"/summaries/processes/{slug}/statement",
                data={"statement_th": "สภาเทศบาลขอบคุณทุกความคิดเห็น"})  # fmt: skip
    client.post(f"/summaries/processes/{slug}/publish")
    auth.logout()
    return finished_process


@pytest.fixture
def bounded(app, published):
    from participation.extensions import db
    from participation.municipality.models import Area

    with app.app_context():
        for area_id, ring in ((published.north, NORTH), (published.south, SOUTH)):
            area = db.session.get(Area, area_id)
            area.boundary = json.dumps({"type": "Polygon", "coordinates": [ring]})
        db.session.commit()
    return published


def _image(page):
    found = re.search(r'<img class="needs-map-image" src="data:image/png;base64,([^"]+)"', page)
    assert found, "the page shows the map of needs"
    return Image.open(io.BytesIO(base64.b64decode(found.group(1)))).convert("RGB")


def _hex(rgb):
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def test_the_summary_colours_each_community_by_its_needs_per_thousand_residents(
    client, bounded, thai
):
    page = client.get(f"/summaries/processes/{bounded.slug}").get_data(as_text=True)
    image = _image(page)

    assert image.size == (760, 516)
    # ชุมชนเหนือ: 1 issue for 200 people (5.0 per 1,000), the darkest; ชุมชนใต้ has no
    # population, so it is grey. A corner of each square is away from its number.
    width = image.size[0]
    assert _hex(image.getpixel((width // 2 - 30, 60))) == COLOURS[-1]
    assert _hex(image.getpixel((width // 2 - 30, 400))) == NO_VALUE
    table = page.split(thai("Issues in each community"))[1].split("</table>")[0]
    north_row = table.split("ชุมชนเหนือ")[1].split("</tr>")[0]
    assert re.findall(r"<td>([^<]*)</td>", north_row) == ["1", "200", "5.0"]
    assert thai("The communities have no boundaries yet, so the needs cannot be drawn on a "
                "map; the table gives them community by community.") not in page  # fmt: skip


def test_the_pdf_carries_the_map_of_needs(client, bounded, tmp_path, thai):
    response = client.get(f"/summaries/processes/{bounded.slug}.pdf")

    assert response.status_code == 200
    text = same_text(pdf_text(response.data, tmp_path))
    assert same_text(thai("Issues in each community")) in text
    assert same_text(thai("Where the needs are")) in text
    path = tmp_path / "summary.pdf"
    path.write_bytes(response.data)
    listing = subprocess.run([shutil.which("pdfimages"), "-list", str(path)],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    sizes = [line.split()[3:5] for line in listing.splitlines()[2:]]
    assert ["760", "516"] in sizes


def test_without_boundaries_the_summary_says_so_and_still_counts_needs(client, published, thai):
    page = client.get(f"/summaries/processes/{published.slug}").get_data(as_text=True)

    assert 'class="needs-map-image"' not in page
    assert thai("The communities have no boundaries yet, so the needs cannot be drawn on a "
                "map; the table gives them community by community.") in page  # fmt: skip
    assert thai("Issues in each community") in page
