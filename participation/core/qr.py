"""QR codes drawn on the server (segno), never by a web service: SVG for pages and posters,
PNG for anything that wants a picture."""

import io

from flask import Response


def _code(text):
    import segno

    # Level M survives a creased or dirty poster; a short address keeps the code coarse.
    return segno.make_qr(text, error="m")


def qr_svg(text, title=""):
    buffer = io.BytesIO()
    _code(text).save(buffer, kind="svg", scale=10, border=4, xmldecl=False, svgns=True,
                     omitsize=True, title=title or None, dark="#000", light="#fff")  # fmt: skip
    return buffer.getvalue()


def qr_png(text, scale=10):
    buffer = io.BytesIO()
    _code(text).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_response(text, kind, title=""):
    """The QR code of ``text`` as an SVG or PNG response, cached for a day."""
    if kind == "svg":
        response = Response(qr_svg(text, title), mimetype="image/svg+xml")
    else:
        response = Response(qr_png(text), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
