"""The share image and the QR code of any shareable page, and the tags every page carries."""

import hashlib
import logging
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request, url_for

from participation.core.forms import public_base_url
from participation.core.qr import qr_response
from participation.share.cards import card_for, match_path, shareable, short
from participation.share.images import card_png

logger = logging.getLogger(__name__)

bp = Blueprint("share", __name__, url_prefix="/share")


def _page_argument():
    """The page named by ``?page=`` (a path on this site), its endpoint and arguments."""
    path = request.args.get("page", "")
    endpoint, args = match_path(path)
    if endpoint is None or not shareable(endpoint):
        return None, None, None
    return path.split("?", 1)[0], endpoint, args


def _cache_folder():
    folder = Path(current_app.instance_path) / "share-cards"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/card.png")
def card_image():
    """The page's share image, drawn once per version of what it shows (a file in the instance
    folder); an unknown, hidden or unpublished page gets the site's own card."""
    path, endpoint, args = _page_argument()
    card = card_for(endpoint, args) if endpoint else None
    key = f"{path}\x1f{card.version}" if card else "site"
    name = hashlib.sha256(key.encode()).hexdigest()[:32] + ".png"
    cached = _cache_folder() / name
    try:
        data = cached.read_bytes()
    except FileNotFoundError:
        data = card_png(card)
        partial = cached.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(cached)  # another process may be drawing it too: either is whole
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/qr.<any(svg, png):kind>")
def qr(kind):
    """The QR code of a shareable page, to print."""
    path, _endpoint, _args = _page_argument()
    if path is None:
        return Response("Not found", status=404, mimetype="text/plain")
    return qr_response(public_base_url() + path, kind)


@bp.app_context_processor
def share_context():
    def share_card():
        """The tags and links of the page being rendered, or None where it has nothing to share
        (then the page carries only the site's name and picture)."""
        endpoint = request.endpoint
        if not endpoint or not shareable(endpoint) or request.method != "GET":
            return None
        path = request.path
        url = public_base_url() + path
        card = card_for(endpoint, request.view_args)
        version = card.version if card else "site"
        image = public_base_url() + url_for("share.card_image", page=path, v=version)
        if card is None:
            return {"url": url, "image": image, "title": None, "description": None,
                    "path": path, "quoted": quote(url, safe="")}  # fmt: skip
        description = short(card.description) or " · ".join(
            text for text in (card.kind, card.status, card.count) if text
        )
        return {"url": url, "image": image, "title": card.title, "description": description,
                "path": path, "quoted": quote(url, safe="")}  # fmt: skip

    return {"share_card": share_card}
