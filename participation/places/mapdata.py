"""The pins a map shows, as GeoJSON: one process's issues and proposals, or the open issues of
the whole municipality; in a bounding box, with the list's filters, grid-clustered when many.

Only what everyone may see is on a map: no hidden, withdrawn or merged item, no draft process,
and nothing about authors. Clustering is done by the database (a GROUP BY on grid cells), so a
city's 100,000 pins cost one aggregate and one small read, never 100,000 rows in Python.
"""

import dataclasses
import json
import math
import threading
import time
from collections import OrderedDict, namedtuple
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from participation.core.i18n import localized
from participation.extensions import db
from participation.places.models import Place
from participation.processes.models import Process
from participation.proposals.duplicates import merged_ids
from participation.proposals.models import Contribution, Kind, Status
from participation.search.index import search_condition
from participation.search.thai import query_terms

# A cluster covers about this many screen pixels square (256-pixel tiles), as Leaflet's
# marker clusters do.
CELL_PIXELS = 80
# Up to this many pins in view are sent one by one, whatever the zoom.
CLUSTER_FROM = 200
# The most single pins one answer carries (newest first); ``truncated`` says when there were more.
MAX_POINTS = 2000
MAX_ZOOM = 22
# Up to this zoom a scope's whole grid is kept (a town has a few hundred cells); closer in,
# the box itself is small and is counted at each request.
GRID_MAX_ZOOM = 16
Cell = namedtuple("Cell", "count latitude longitude first_id")
KIND_PATHS = {Kind.ISSUE: "issues", Kind.PROPOSAL: "proposals"}
BBOX_MESSAGE = _l(
    "Give bbox as four numbers separated by commas: west,south,east,north (longitudes and "
    "latitudes in degrees, west not greater than east, south not greater than north)."
)


class BboxError(ValueError):
    """The bbox parameter cannot be read (its message is BBOX_MESSAGE)."""


def parse_bbox(text):
    """(west, south, east, north) from "minLon,minLat,maxLon,maxLat", or BboxError."""
    parts = (text or "").split(",")
    if len(parts) != 4:
        raise BboxError(BBOX_MESSAGE)
    try:
        west, south, east, north = (float(part.strip()) for part in parts)
    except ValueError:
        raise BboxError(BBOX_MESSAGE) from None
    numbers = (west, south, east, north)
    if not all(math.isfinite(number) for number in numbers):
        raise BboxError(BBOX_MESSAGE)
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BboxError(BBOX_MESSAGE)
    return numbers


@dataclass
class MapFilters:
    """What a map shows: a process (or the whole municipality's open issues) and the list's
    filters (``kinds``: the kinds shown; ``status``: one status, default every shown one)."""

    process: Process | None = None
    kinds: tuple = (Kind.ISSUE, Kind.PROPOSAL)
    status: str | None = None
    category_id: int | None = None
    area_id: int | None = None
    q: str = ""
    bbox: tuple | None = None


def _where(filters):
    """The conditions on Contribution and Place for ``filters``, or None when nothing can match."""
    conditions = [
        Place.latitude.is_not(None),
        Contribution.is_hidden.is_(False),
        Contribution.status != Status.WITHDRAWN,
        Contribution.kind.in_([str(kind) for kind in filters.kinds]),
        Contribution.id.not_in(merged_ids()),
    ]
    if filters.process is not None:
        conditions.append(Contribution.process_id == filters.process.id)
    else:
        published = sa.select(Process.id).where(Process.is_published.is_(True))
        conditions.append(Contribution.process_id.in_(published))
    if filters.status:
        conditions.append(Contribution.status == filters.status)
    if filters.category_id:
        conditions.append(Contribution.category_id == filters.category_id)
    if filters.area_id:
        conditions.append(Contribution.area_id == filters.area_id)
    if filters.q.strip():
        terms = query_terms(filters.q)
        if not terms:
            return None
        conditions.append(search_condition(Contribution.id, terms))
    if filters.bbox is not None:
        west, south, east, north = filters.bbox
        conditions += [Place.latitude.between(south, north), Place.longitude.between(west, east)]
    return conditions


def _cell(column, offset, size):
    """The grid cell of a coordinate: floor((value + offset) / size) on both databases (the
    value + offset is never negative, so SQLite's truncating cast is a floor)."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.floor((column + offset) / size)
    return sa.cast((column + offset) / size, sa.Integer)


def cell_degrees(zoom):
    """The side of a cluster cell, in degrees, at a zoom level of the web map."""
    return 360.0 / (256 * 2**zoom) * CELL_PIXELS


def snapped(bbox, zoom):
    """The box widened to whole cluster cells at ``zoom``: every cell in view is counted whole,
    and a map panned a little asks for the same box again (so its answer can be reused)."""
    if bbox is None or zoom is None:
        return bbox
    size = cell_degrees(zoom)
    west, south, east, north = bbox

    def down(value, offset):
        return round(math.floor((value + offset) / size) * size - offset, 7)

    def up(value, offset):
        return round(math.ceil((value + offset) / size) * size - offset, 7)

    return (max(-180.0, down(west, 180)), max(-90.0, down(south, 90)),
            min(180.0, up(east, 180)), min(90.0, up(north, 90)))  # fmt: skip


def data_version(filters):
    """What changes whenever a map's answer may change: the newest change to the items in its
    scope (a new item, an edit, a withdrawal, hiding: each moves ``modified_dt``), the
    processes' own changes (publishing) and the merges."""
    from participation.proposals.models import DuplicateLink

    if filters.process is not None:
        newest = sa.select(sa.func.max(Contribution.modified_dt)).where(
            Contribution.process_id == filters.process.id
        )
        row = (db.session.scalar(newest), filters.process.modified_dt)
    else:
        per_process = (
            sa.select(sa.func.max(Contribution.modified_dt))
            .where(Contribution.process_id == Process.id)
            .scalar_subquery()
        )
        row = tuple(db.session.execute(
            sa.select(sa.func.max(per_process), sa.func.max(Process.modified_dt),
                      sa.func.count(Process.id)).where(Process.is_published.is_(True))
        ).one())  # fmt: skip
    merges = db.session.scalar(sa.select(sa.func.count()).select_from(DuplicateLink))
    return (*row, merges)


class Recent:
    """What one server process computed lately, for ``seconds`` at most, the least recently
    used dropped first (thread-safe: gunicorn's threads share it)."""

    def __init__(self, entries, seconds):
        self.entries, self.seconds = entries, seconds
        self.lock = threading.Lock()
        self.items = OrderedDict()
        self.making = {}

    def get(self, key):
        with self.lock:
            found = self.items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self.items.move_to_end(key)
            return found[1]

    def get_or_make(self, key, make):
        """The kept value, or ``make()``'s, made once however many threads ask at once."""
        found = self.get(key)
        if found is not None:
            return found
        with self.lock:
            making = self.making.setdefault(key, threading.Lock())
        with making:
            found = self.get(key)
            if found is None:
                found = make()
                self.put(key, found)
        with self.lock:
            self.making.pop(key, None)
        return found

    def put(self, key, value):
        with self.lock:
            self.items[key] = (time.monotonic() + self.seconds, value)
            self.items.move_to_end(key)
            while len(self.items) > self.entries:
                self.items.popitem(last=False)


def scope_key(filters):
    return (getattr(filters.process, "id", None), filters.kinds, filters.status,
            filters.category_id, filters.area_id, filters.q)  # fmt: skip


def _cells(joined, conditions, zoom):
    size = cell_degrees(zoom)
    column, row = _cell(Place.longitude, 180, size), _cell(Place.latitude, 90, size)
    return [
        Cell(cell.count, cell.latitude, cell.longitude, cell.first_id)
        for cell in db.session.execute(
            joined.add_columns(
                sa.func.count().label("count"), sa.func.avg(Place.latitude).label("latitude"),
                sa.func.avg(Place.longitude).label("longitude"),
                sa.func.min(Contribution.id).label("first_id"),
            ).where(*conditions).group_by(column, row)
        )
    ]  # fmt: skip


def _cells_in_view(filters, zoom, joined, conditions, grids, version):
    """The grid cells in the box. At town zooms the whole scope's grid is computed once per
    change of its data (``version``) and kept in ``grids``; a box then only picks its cells
    (the box is whole cells, so a cell is in it exactly when its mean point is)."""
    if grids is None or version is None or zoom > GRID_MAX_ZOOM:
        return _cells(joined, conditions, zoom)
    whole = _where(dataclasses.replace(filters, bbox=None))
    cells = grids.get_or_make((scope_key(filters), zoom, version),
                              lambda: _cells(joined, whole, zoom))  # fmt: skip
    if filters.bbox is None:
        return cells
    west, south, east, north = filters.bbox
    return [cell for cell in cells
            if south <= cell.latitude <= north and west <= cell.longitude <= east]  # fmt: skip


def map_features(filters, zoom=None, grids=None, version=None):
    """The FeatureCollection for ``filters``: single pins, and with a ``zoom`` and more than
    CLUSTER_FROM pins in view, clusters of a grid cell (a count and the cell's mean point).
    ``grids``: a :class:`Recent` for whole-scope grids, reused while ``version`` holds."""
    conditions = _where(filters)
    result = {"type": "FeatureCollection", "features": [], "clustered": False, "total": 0,
              "truncated": False}  # fmt: skip
    if filters.bbox is not None:
        result["bbox"] = list(filters.bbox)
    if conditions is None:
        return result
    joined = (
        sa.select().select_from(Contribution).join(Place, Place.contribution_id == Contribution.id)
    )
    if zoom is not None:
        cells = _cells_in_view(filters, zoom, joined, conditions, grids, version)
        total = sum(cell.count for cell in cells)
        result["total"] = total
        if total > CLUSTER_FROM:
            result["clustered"] = True
            singles = [cell.first_id for cell in cells if cell.count == 1]
            features = [_cluster(cell) for cell in cells if cell.count > 1]
            if singles:  # a cell holding one pin shows the pin itself
                features += _points(joined, [Contribution.id.in_(singles)])
            result["features"] = features
            return result
        if total == 0:
            return result
    points = _points(joined, conditions, limit=MAX_POINTS + 1)
    result["truncated"] = len(points) > MAX_POINTS
    result["features"] = points[:MAX_POINTS]
    if zoom is None:
        result["total"] = len(result["features"])
    return result


def _cluster(cell):
    return {
        "type": "Feature",
        "geometry": {"type": "Point",
                     "coordinates": [round(cell.longitude, 6), round(cell.latitude, 6)]},
        "properties": {"cluster": True, "count": cell.count},
    }  # fmt: skip


def _points(joined, conditions, limit=None):
    """Single pins: what a marker's card shows, nothing about authors."""
    query = (
        joined.add_columns(
            Contribution.id, Contribution.kind, Contribution.title, Contribution.status,
            Contribution.affected_count, Contribution.support_count, Contribution.area_id,
            Process.slug, Place.latitude, Place.longitude, Place.landmark,
        )
        .join(Process, Process.id == Contribution.process_id)
        .where(*conditions)
        .order_by(Contribution.created_dt.desc(), Contribution.id.desc())
    )  # fmt: skip
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    areas = _area_names({row.area_id for row in rows if row.area_id})
    return [_point(row, areas) for row in rows]


def _area_names(ids):
    if not ids:
        return {}
    from participation.municipality.models import Area

    return {area.id: localized(area, "name")
            for area in db.session.scalars(sa.select(Area).where(Area.id.in_(ids)))}  # fmt: skip


def _point(row, areas):
    kind = Kind(row.kind)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row.longitude, row.latitude]},
        "properties": {
            "cluster": False, "id": row.id, "kind": str(kind), "title": row.title,
            "status": str(row.status), "landmark": row.landmark,
            "area": areas.get(row.area_id),
            "affected_count": row.affected_count, "support_count": row.support_count,
            "url": url_for("proposals.show", slug=row.slug, kind_path=KIND_PATHS[kind],
                           item_id=row.id),
        },
    }  # fmt: skip


def boundary_features(areas):
    """The communities' shapes, for drawing their limits under the pins."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(area.boundary),
             "properties": {"id": area.id, "name": localized(area, "name")}}
            for area in areas if area.boundary
        ],
    }  # fmt: skip
