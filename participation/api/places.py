"""API: the GeoJSON of the maps, one process's or the whole municipality's open issues.

A map asks again whenever it moves, and many residents look at the same town: each server
process keeps its recent answers (the box widened to whole cluster cells, the filters, the
zoom and the language) for ten minutes at most, and only while nothing they show has changed
(``mapdata.data_version``, one indexed query). Answers with the boundaries are never kept.
"""

import json

from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.api import schemas as s
from participation.api.framework import Serialised, operation
from participation.api.problems import ApiError
from participation.api.views import bp
from participation.core.i18n import current_language
from participation.places import mapdata
from participation.places.operations import municipality_areas
from participation.processes.views import load_process
from participation.proposals.models import Kind, Status

KINDS = {"issues": (Kind.ISSUE,), "proposals": (Kind.PROPOSAL,), None: (Kind.ISSUE, Kind.PROPOSAL)}
MAP_DESCRIPTION = _l(
    "GeoJSON for a map: only items everyone may see (no hidden, withdrawn or merged ones), "
    "without anything about their authors. Ask again with the new bbox and zoom when the map "
    "moves."
)


def _bbox(query):
    if query.bbox is None:
        return None
    try:
        return mapdata.parse_bbox(query.bbox)
    except mapdata.BboxError as error:
        message = str(error.args[0])
        raise ApiError(400, message, "bad-request",
                       errors=[{"field": "bbox", "message": message}]) from None  # fmt: skip


# Answers follow the data (the version in their key); the time limit is only a safety net.
CACHE_SECONDS = 600
CACHE_ENTRIES = 512
GRID_ENTRIES = 64


def _answer(filters, query, areas):
    filters.bbox = mapdata.snapped(filters.bbox, query.zoom)
    kept = current_app.extensions.setdefault("maps", {
        "answers": mapdata.Recent(CACHE_ENTRIES, CACHE_SECONDS),
        "grids": mapdata.Recent(GRID_ENTRIES, CACHE_SECONDS),
    })  # fmt: skip
    version = mapdata.data_version(filters)

    def make():
        result = mapdata.map_features(filters, query.zoom, kept["grids"], version)
        if query.boundaries:
            result["boundaries"] = mapdata.boundary_features(areas)
        shaped = s.MapCollection.model_validate(result).model_dump(mode="json", by_alias=True)
        return Serialised(json.dumps(shaped, ensure_ascii=False))

    if query.boundaries:
        return make()
    key = (mapdata.scope_key(filters), filters.bbox, query.zoom, current_language(), version)
    return kept["answers"].get_or_make(key, make)


@operation(bp, "/processes/<slug>/map.geojson", "GET", "getProcessMap",
           _l("Get the map of a process's issues and proposals"), tag="processes",
           query=s.MapQuery, response=s.MapCollection, errors=(400,),
           description=MAP_DESCRIPTION)  # fmt: skip
def process_map(slug, query):
    process = load_process(slug)
    filters = mapdata.MapFilters(
        process=process, kinds=KINDS[query.kind], status=query.status,
        category_id=query.category, area_id=query.area, q=query.q, bbox=_bbox(query),
    )  # fmt: skip
    return _answer(filters, query, process.areas)


@operation(bp, "/map.geojson", "GET", "getMunicipalMap",
           _l("Get the map of the municipality's open issues"), tag="processes",
           query=s.MunicipalMapQuery, response=s.MapCollection, errors=(400,),
           description=MAP_DESCRIPTION)  # fmt: skip
def municipal_map(query):
    filters = mapdata.MapFilters(kinds=(Kind.ISSUE,), status=Status.OPEN, area_id=query.area,
                                 bbox=_bbox(query))  # fmt: skip
    return _answer(filters, query, municipality_areas())
