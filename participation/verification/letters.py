"""Letter codes as an A4 PDF of cut-out slips: the municipality's name, the QR of the code page
with the code filled in, and the code typed out (the page and `flask verification codes`)."""

import base64

from flask import Response, current_app, render_template

from participation.core.forms import public_url_for
from participation.core.qr import qr_png
from participation.municipality.models import current_municipality

SLIPS_PER_PAGE = 10


def slips(codes):
    """(code, QR as a PNG data URL) for each code."""
    for code in codes:
        url = public_url_for("verification.code", code=code.replace("-", ""))
        png = base64.b64encode(qr_png(url, scale=4)).decode()
        yield code, "data:image/png;base64," + png, url


def letters_pdf(batch, codes):
    from participation.summaries.exports import pdf_bytes

    place = current_municipality()
    html = render_template(
        "verification/letters_pdf.html",
        batch=batch,
        slips=list(slips(codes)),
        municipality=place.name_th if place else "",
    )
    return pdf_bytes(html, current_app.static_folder)


def letters_pdf_response(batch, codes):
    response = Response(letters_pdf(batch, codes), mimetype="application/pdf")
    name = f"ruamkid-letter-codes-{batch.area.slug}-{batch.id}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
