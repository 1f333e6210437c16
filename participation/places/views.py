"""The map of a process's issues and proposals (a list without JavaScript or tiles), its
GeoJSON, and the administrators' upload of community boundaries."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.core.permissions import Permission, permission_required
from participation.core.rules import RuleError
from participation.extensions import db
from participation.moderation.operations import can_see_hidden
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


def _pinned(process, kind=None, area_id=None):
    """The process's shown contributions with a pin, newest first."""
    query = (
        sa.select(Contribution, Place)
        .join(Place, Place.contribution_id == Contribution.id)
        .where(
            Contribution.process_id == process.id,
            Place.latitude.is_not(None),
            Contribution.status != Status.WITHDRAWN,
            Contribution.id.not_in(merged_ids()),
        )
        .order_by(Contribution.created_dt.desc(), Contribution.id.desc())
    )
    if kind is not None:
        query = query.where(Contribution.kind == kind)
    if area_id is not None:
        query = query.where(Contribution.area_id == area_id)
    rows = db.session.execute(query).all()
    return [(item, place) for item, place in rows
            if not item.is_hidden or can_see_hidden(current_user, item)]  # fmt: skip


def _filters(process):
    kind = KINDS.get(request.args.get("kind", ""))
    area_id = request.args.get("area", type=int)
    if area_id not in {area.id for area in process.areas}:
        area_id = None
    return kind, area_id


@bp.route("/processes/<slug>/map")
def map(slug):  # noqa: A001 - the page's name
    process = load_process(slug)
    kind, area_id = _filters(process)
    rows = _pinned(process, kind, area_id)
    counts = {}
    for item, _place in rows:
        counts[item.area_id] = counts.get(item.area_id, 0) + 1
    communities = sorted(
        ((area, counts.get(area.id, 0)) for area in process.areas),
        key=lambda pair: (-pair[1], pair[0].position),
    )
    focus_id = request.args.get("focus", type=int)
    focused = next((place for item, place in rows if item.id == focus_id), None)
    focus = focused and {"id": focus_id, "latitude": focused.latitude,
                         "longitude": focused.longitude}  # fmt: skip
    return render_template(
        "places/map.html", process=process, rows=rows, focus=focus, communities=communities,
        unplaced=counts.get(None, 0), kind=kind, area_id=area_id,
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
