"""Community boundaries as GeoJSON: checked with shapely, and which community holds a point.

GeoJSON gives coordinates as (longitude, latitude); everything else in Ruamkid says latitude
first, as a phone or a map shows them.
"""

import json
import math

import shapely
from flask_babel import lazy_gettext as _l
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

from participation.core.rules import RuleError, raise_all

POLYGONS = ("Polygon", "MultiPolygon")
EARTH_RADIUS_M = 6_371_000


def parse_boundaries(text, areas):
    """{area id: GeoJSON geometry (text)} from a FeatureCollection naming each community by
    its slug or its Thai name; one RuleError listing every feature at fault otherwise."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RuleError(
            _l("The file is not valid JSON (line %(line)s, column %(column)s): %(problem)s.",
               line=getattr(error, "lineno", 1), column=getattr(error, "colno", 1),
               problem=getattr(error, "msg", str(error))),
            "boundaries",
        ) from None  # fmt: skip
    features = data.get("features") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(features, list)
    ):
        raise RuleError(_l("The file must be a GeoJSON FeatureCollection, one feature per "
                           "community."), "boundaries")  # fmt: skip
    by_key = {}
    for area in areas:
        by_key[area.slug] = area
        by_key[area.name_th] = area
    problems, found = [], {}
    for number, feature in enumerate(features, start=1):
        problem = _feature_problem(number, feature, by_key, found)
        if problem is not None:
            problems.append(RuleError(problem, "boundaries"))
    if not features:
        problems.append(RuleError(_l("The file has no features."), "boundaries"))
    raise_all(problems)
    return {area.id: json.dumps(mapping(geometry)) for area, geometry in found.values()}


def _feature_problem(number, feature, by_key, found):
    """What is wrong with one feature (translatable), or None after adding it to ``found``."""
    if not isinstance(feature, dict):
        return _l("Feature %(number)s is not a GeoJSON feature.", number=number)
    properties = feature.get("properties") or {}
    key = properties.get("slug") or properties.get("name") or properties.get("name_th") or ""
    area = by_key.get(str(key).strip())
    if area is None:
        return _l("Feature %(number)s: no community is called “%(name)s” (give the community's "
                  "slug or Thai name as the property slug or name).", number=number,
                  name=key)  # fmt: skip
    if area.id in found:
        return _l("Feature %(number)s: %(name)s already has a boundary earlier in this file.",
                  number=number, name=area.name_th)  # fmt: skip
    geometry = feature.get("geometry") or {}
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in POLYGONS:
        return _l("Feature %(number)s (%(name)s): a boundary must be a Polygon or a "
                  "MultiPolygon, not %(kind)s.", number=number, name=area.name_th,
                  kind=kind or "—")  # fmt: skip
    try:
        shaped = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError,
            shapely.errors.GEOSException):  # fmt: skip
        return _l("Feature %(number)s (%(name)s): its coordinates cannot be read.",
                  number=number, name=area.name_th)  # fmt: skip
    west, south, east, north = shaped.bounds if not shaped.is_empty else (0, 0, 999, 999)
    if shaped.is_empty or west < -180 or east > 180 or south < -90 or north > 90:
        return _l("Feature %(number)s (%(name)s): coordinates must be longitude and latitude "
                  "in degrees.", number=number, name=area.name_th)  # fmt: skip
    if not shaped.is_valid:
        return _l("Feature %(number)s (%(name)s): the shape is not valid (%(reason)s).",
                  number=number, name=area.name_th,
                  reason=explain_validity(shaped))  # fmt: skip
    found[area.id] = (area, shaped)
    return None


def _shapes(areas):
    result = []
    for area in areas:
        if area.boundary:
            geometry = shape(json.loads(area.boundary))
            shapely.prepare(geometry)
            result.append((area, geometry))
    return result


def community_at(areas, latitude, longitude):
    """The community among ``areas`` whose boundary holds the point, or None."""
    point = shapely.Point(longitude, latitude)
    for area, geometry in _shapes(areas):
        if geometry.covers(point):
            return area
    return None


def within(areas, latitude, longitude):
    """Whether the point lies in one of the communities (True when none has a boundary)."""
    shapes = _shapes(areas)
    if not shapes:
        return True
    point = shapely.Point(longitude, latitude)
    return any(geometry.covers(point) for _area, geometry in shapes)


def centre(areas):
    """(latitude, longitude) of the middle of every boundary, or None without boundaries."""
    shapes = _shapes(areas)
    if not shapes:
        return None
    west, south, east, north = shapely.union_all([g for _a, g in shapes]).bounds
    return ((south + north) / 2, (west + east) / 2)


def distance_m(a_lat, a_lng, b_lat, b_lng):
    """Metres between two points (haversine: enough for "within 100 m")."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi, dlambda = phi2 - phi1, math.radians(b_lng - a_lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def communities_for(areas, points):
    """The community id holding each (latitude, longitude) in ``points`` (None outside every
    boundary), for many pins at once: the boundaries go into an STRtree, so each pin is tested
    only against the few shapes whose boxes hold it, with shapely's vectorised predicates."""
    import numpy as np

    shapes = _shapes(areas)
    result = [None] * len(points)
    if not shapes or not points:
        return result
    tree = shapely.STRtree([geometry for _area, geometry in shapes])
    coordinates = np.asarray([(lng, lat) for lat, lng in points], dtype=float)
    pins = shapely.points(coordinates)
    pin_index, shape_index = tree.query(pins, predicate="covered_by")
    # Where boundaries touch, a pin on the line takes the first community in the list's order.
    for pin, found in sorted(zip(pin_index.tolist(), shape_index.tolist(), strict=True),
                             reverse=True):  # fmt: skip
        result[pin] = shapes[found][0].id
    return result
