"""The map of a process's issues and proposals (a list without JavaScript or tiles), its
GeoJSON, and the administrators' upload of community boundaries."""

import time

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)  # fmt: skip
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.accounts.models import Role
from participation.core.i18n import localized
from participation.core.paging import requested_page
from participation.core.permissions import Permission, can, permission_required
from participation.core.rules import Checks, RuleError
from participation.extensions import db, limiter
from participation.municipality.models import current_municipality
from participation.places import action_log, geo, operations  # noqa: F401  (registers words)
from participation.places.models import Place
from participation.processes.views import load_process
from participation.proposals.duplicates import merged_ids
from participation.proposals.models import Contribution, Kind, Status

bp = Blueprint("places", __name__)

# Where a map opens without boundaries: Thailand as a whole.
COUNTRY_CENTRE = (13.75, 100.5, 6)
TOWN_ZOOM = 14
KINDS = {"issues": Kind.ISSUE, "proposals": Kind.PROPOSAL}
BOUNDARY_FILE_MAX = 5 * 1024 * 1024


@bp.app_context_processor
def _map_centre():
    def map_centre():
        """[latitude, longitude, zoom] where maps open: the municipality's centre as its
        administrators set it, else the middle of the boundaries, else Thailand."""
        municipality = current_municipality()
        if municipality is not None and municipality.map_latitude is not None:
            zoom = municipality.map_zoom or TOWN_ZOOM
            return [municipality.map_latitude, municipality.map_longitude, zoom]
        centre = geo.centre(operations.municipality_areas())
        return [*centre, TOWN_ZOOM] if centre else list(COUNTRY_CENTRE)

    return {"map_centre": map_centre}


MAP_LIST_PAGE = 50  # cards under the map per page: a city can have 100,000 pins


def _moderates(process):
    """Whether the reader moderates ``process`` (sees its hidden items)."""
    if not current_user.is_authenticated or not can(current_user, Permission.MODERATE):
        return False
    return Role.ADMIN in current_user.roles or can(current_user, Permission.FACILITATE, process)


def _pinned(process, kind=None, area_id=None):
    """The process's shown contributions with a pin, as a query of (item, place): hidden ones
    only for their author and the process's moderators (as ``can_see_hidden`` says)."""
    query = (
        sa.select(Contribution, Place)
        .join(Place, Place.contribution_id == Contribution.id)
        .where(
            Contribution.process_id == process.id,
            Place.latitude.is_not(None),
            Contribution.status != Status.WITHDRAWN,
            Contribution.id.not_in(merged_ids()),
        )
    )
    if not _moderates(process):
        shown = Contribution.is_hidden.is_(False)
        if current_user.is_authenticated:
            shown = sa.or_(shown, Contribution.author_id == current_user.id)
        query = query.where(shown)
    if kind is not None:
        query = query.where(Contribution.kind == kind)
    if area_id is not None:
        query = query.where(Contribution.area_id == area_id)
    return query


def _filters(process):
    kind = KINDS.get(request.args.get("kind", ""))
    area_id = request.args.get("area", type=int)
    if area_id not in {area.id for area in process.areas}:
        area_id = None
    return kind, area_id


@bp.route("/processes/<slug>/map")
def map(slug):  # noqa: A001 - the page's name
    """The map, and under it the same items as cards, a page at a time (all of them without
    JavaScript or tiles); the communities' counts come from one grouped query."""
    process = load_process(slug)
    kind, area_id = _filters(process)
    pinned = _pinned(process, kind, area_id).subquery()
    counts = dict(db.session.execute(
        sa.select(pinned.c.area_id, sa.func.count()).group_by(pinned.c.area_id)
    ).all())  # fmt: skip
    total = sum(counts.values())
    communities = sorted(
        ((area, counts.get(area.id, 0)) for area in process.areas),
        key=lambda pair: (-pair[1], pair[0].position),
    )
    newest = _pinned(process, kind, area_id).order_by(
        Contribution.created_dt.desc(), Contribution.id.desc()
    )
    page = requested_page()
    pages = max(1, -(-total // MAP_LIST_PAGE))
    page = min(page, pages)
    rows = db.session.execute(newest.limit(MAP_LIST_PAGE).offset((page - 1) * MAP_LIST_PAGE)).all()
    focus_id = request.args.get("focus", type=int)
    focus = None
    if focus_id is not None:
        focused = db.session.execute(
            _pinned(process).where(Contribution.id == focus_id)
        ).first()  # fmt: skip
        if focused is not None:
            focus = {"id": focus_id, "latitude": focused[1].latitude,
                     "longitude": focused[1].longitude}  # fmt: skip
    return render_template(
        "places/map.html", process=process, rows=rows, total=total,
        pagination={"page": page, "pages": pages, "has_prev": page > 1, "has_next": page < pages,
                    "prev_num": page - 1, "next_num": page + 1},
        focus=focus, communities=communities, unplaced=counts.get(None, 0), kind=kind,
        area_id=area_id,
        geojson_url=url_for("api.getProcessMap", slug=slug, **_api_filters(kind, area_id)),
    )  # fmt: skip


def _api_filters(kind, area_id):
    """The page's filters as the map endpoint's query (the map asks with bbox and zoom)."""
    params = {"kind": {Kind.ISSUE: "issues", Kind.PROPOSAL: "proposals"}.get(kind)}
    if area_id is not None:
        params["area"] = area_id
    return {key: value for key, value in params.items() if value}


@bp.route("/admin/boundaries", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def boundaries():
    """An administrator uploads every community's boundary as one GeoJSON file."""
    municipality = current_municipality()
    errors = []
    if request.method == "POST" and municipality is not None:
        upload = request.files.get("boundaries")
        text = upload.read(BOUNDARY_FILE_MAX + 1) if upload else b""
        try:
            if not text:
                raise RuleError(_("Please choose a GeoJSON file."), "boundaries")
            if len(text) > BOUNDARY_FILE_MAX:
                raise RuleError(_("The file is too large (at most 5 MB)."), "boundaries")
            count = operations.set_boundaries(municipality, text, current_user)
        except RuleError as error:
            db.session.rollback()
            errors = [str(problem.message) for problem in error.problems]
        else:
            db.session.commit()
            flash(_("Boundaries saved for %(count)s communities.", count=count), "success")
            return redirect(url_for(".boundaries"))
    areas = list(municipality.areas) if municipality else []
    return render_template("places/boundaries.html", areas=areas, errors=errors), (
        422 if errors else 200
    )


# The community endpoint answers a form's script on every pin moved: generous, but bounded.
COMMUNITY_LIMIT = "120 per minute"
# How long the position of a photo just added stays on offer (it lives only in the resident's
# signed session, never in the stored photo or the database).
PHOTO_PLACE_SECONDS = 3600
PHOTO_PLACE_KEY = "photo_place"


@bp.route("/processes/<slug>/places/community")
@limiter.limit(COMMUNITY_LIMIT)
def community(slug):
    """Which of the process's communities holds a pin (JSON for the form's script); a pin
    outside the municipality is said at once, with the words the form would use."""
    process = load_process(slug)
    checks = Checks()
    place = operations.clean_place(process, request.args, checks)
    if checks.problems or place is None or place["latitude"] is None:
        message = str(checks.problems[0].message) if checks.problems else ""
        return jsonify({"inside": False, "area_id": None, "name": "", "message": message})
    area_id = operations.community_for(process, place)
    area = next((area for area in process.areas if area.id == area_id), None)
    response = jsonify({
        "inside": True, "area_id": area_id, "name": localized(area, "name") if area else "",
        "message": _("The pin is in %(community)s.", community=localized(area, "name"))
        if area else "",
    })  # fmt: skip
    response.headers["Cache-Control"] = "no-cache"
    return response


def offer_photo_place(item, photos, kind_path):
    """After photos are added and committed: where to send the author next when a photo knows
    a place inside the municipality and the item has no pin (else None)."""
    location = operations.photo_location_offer(item, [photo.location for photo in photos])
    if location is None:
        session.pop(PHOTO_PLACE_KEY, None)
        return None
    session[PHOTO_PLACE_KEY] = {
        "item": item.id, "latitude": location[0], "longitude": location[1],
        "until": int(time.time()) + PHOTO_PLACE_SECONDS,
    }  # fmt: skip
    return url_for("places.photo_place", slug=item.process.slug, kind_path=kind_path,
                   item_id=item.id)  # fmt: skip


def _offered(item):
    offer = session.get(PHOTO_PLACE_KEY)
    if not isinstance(offer, dict) or offer.get("item") != item.id:
        return None
    if offer.get("until", 0) < time.time():
        session.pop(PHOTO_PLACE_KEY, None)
        return None
    return float(offer["latitude"]), float(offer["longitude"])


@bp.route("/processes/<slug>/<any(issues, proposals):kind_path>/<int:item_id>/photo-place",
          methods=["GET", "POST"])  # fmt: skip
@login_required
def photo_place(slug, kind_path, item_id):
    """The author decides whether the place their photo was taken becomes the item's pin."""
    from participation.proposals.views import load_contribution

    process = load_process(slug)
    item = load_contribution(process, kind_path, item_id)
    if item.author_id != current_user.id:
        abort(403)
    show_url = url_for("proposals.show", slug=slug, kind_path=kind_path, item_id=item.id)
    location = _offered(item)
    if location is None or (item.place is not None and item.place.has_pin):
        session.pop(PHOTO_PLACE_KEY, None)
        return redirect(show_url)
    if request.method == "POST":
        session.pop(PHOTO_PLACE_KEY, None)
        if request.form.get("use") != "1":
            flash(_("The photo's location was not used, and it is not kept."), "success")
            return redirect(show_url)
        try:
            operations.place_from_photo(item, current_user, *location)
        except RuleError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(show_url)
        db.session.commit()
        flash(_("The pin is now where the photo was taken."), "success")
        return redirect(show_url)
    area = geo.community_at(process.areas, *location)
    return render_template(
        "places/photo_place.html", process=process, item=item, kind_path=kind_path,
        latitude=location[0], longitude=location[1], area=area, show_url=show_url,
    )  # fmt: skip


@bp.route("/admin/map-settings", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def map_settings():
    """An administrator sets where maps open and each community's population."""
    municipality = current_municipality()
    errors = []
    if request.method == "POST" and municipality is not None:
        try:
            operations.set_map_settings(municipality, request.form, current_user)
        except RuleError as error:
            db.session.rollback()
            errors = [str(problem.message) for problem in error.problems]
        else:
            db.session.commit()
            flash(_("Map settings saved."), "success")
            return redirect(url_for(".map_settings"))
    return render_template(
        "places/map_settings.html", municipality=municipality, errors=errors,
        values=request.form if errors else None,
    ), (422 if errors else 200)  # fmt: skip
