"""A contribution's place: the pin is checked against the municipality and gives the community."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.core.models import utcnow
from participation.core.rules import RuleError
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.municipality.models import Area, current_municipality
from participation.places import geo
from participation.places.models import LANDMARK_MAX, Place

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _number(value):
    text = str(value if value is not None else "").strip().translate(THAI_DIGITS)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return float("nan")
    return number


def municipality_areas():
    municipality = current_municipality()
    return list(municipality.areas) if municipality else []


def clean_place(process, data, checks):
    """{latitude, longitude, landmark} from the form's fields, or None without a pin;
    problems go to ``checks``. A pin outside the municipality's communities is refused."""
    latitude, longitude = _number(data.get("latitude")), _number(data.get("longitude"))
    landmark = plain_text(data.get("landmark") or "")
    if len(landmark) > LANDMARK_MAX:
        checks.add(_l("Use at most %(count)s characters.", count=LANDMARK_MAX), "landmark")
    if latitude is None and longitude is None:
        return {"latitude": None, "longitude": None, "landmark": landmark}
    if latitude is None or longitude is None:
        checks.add(_l("Please give both the latitude and the longitude, or neither."),
                   "latitude")  # fmt: skip
        return None
    if not (-90 <= latitude <= 90) or not (-180 <= longitude <= 180):  # NaN fails both
        checks.add(_l("These are not map coordinates: give them in degrees, such as 18.7611 "
                      "and 98.9301."), "latitude")  # fmt: skip
        return None
    if not geo.within(municipality_areas(), latitude, longitude):
        checks.add(_l("This place is outside the municipality. Please put the pin where the "
                      "need is, inside the municipality's communities."), "latitude")  # fmt: skip
        return None
    return {"latitude": latitude, "longitude": longitude, "landmark": landmark}


def community_for(process, place):
    """The process's community whose boundary holds the pin, or None."""
    if not place or place["latitude"] is None:
        return None
    area = geo.community_at(process.areas, place["latitude"], place["longitude"])
    return area.id if area else None


def apply_place(contribution, place):
    """Set, change or remove the contribution's place (a pin, a landmark, or both)."""
    if place is None:
        return
    from participation.core.models import utcnow

    before = contribution.place
    now_placed = place["latitude"] is not None or bool(place["landmark"])
    changed = (
        now_placed
        if before is None
        else any(getattr(before, name) != value for name, value in place.items())
    )
    if changed:
        contribution.modified_dt = utcnow()  # the maps' kept answers follow modified_dt
    if place["latitude"] is None and not place["landmark"]:
        contribution.place = None
    elif contribution.place is None:
        contribution.place = Place(**place)
    else:
        for name, value in place.items():
            setattr(contribution.place, name, value)


def set_boundaries(municipality, text, actor):
    """Replace the communities' boundaries from a GeoJSON text; all or nothing."""
    from participation.audit.operations import record_action

    areas = list(municipality.areas)
    parsed = geo.parse_boundaries(text, areas)
    for area in areas:
        area.boundary = parsed.get(area.id)
    record_action(actor, "places.boundaries", None, details={"communities": len(parsed)})
    db.session.flush()
    return len(parsed)


def areas_with_boundaries():
    return db.session.scalars(sa.select(Area).where(Area.boundary.is_not(None))).all()


def photo_location_offer(item, locations):
    """The first photo position worth offering as ``item``'s place, or None: only while the
    item has no pin, and only a position inside the municipality."""
    if item.place is not None and item.place.has_pin:
        return None
    areas = municipality_areas()
    for location in locations:
        if location is not None and geo.within(areas, *location):
            return location
    return None


def place_from_photo(item, user, latitude, longitude):
    """Pin ``item`` where its author's photo was taken (the author chose to); the landmark
    already given stays, and the pin gives the community when none was chosen."""
    if item.author_id != user.id:
        raise RuleError(_l("Only the author can choose the place."))
    if item.place is not None and item.place.has_pin:
        raise RuleError(_l("It already has a pin. Change it by editing."))
    if not geo.within(municipality_areas(), latitude, longitude):
        raise RuleError(_l("This place is outside the municipality. Please put the pin where "
                           "the need is, inside the municipality's communities."))  # fmt: skip
    landmark = item.place.landmark if item.place is not None else ""
    place = {"latitude": latitude, "longitude": longitude, "landmark": landmark}
    apply_place(item, place)
    if item.area_id is None:
        item.area_id = community_for(item.process, place)
    item.modified_dt = utcnow()


MAX_POPULATION = 10_000_000


def set_map_settings(municipality, data, actor):
    """Set where maps open (centre and zoom) and each community's population, from a form's
    fields (Thai digits too); every problem at once, nothing changed when there is one."""
    from participation.audit.operations import record_action
    from participation.core.rules import Checks

    checks = Checks()
    latitude, longitude = _number(data.get("map_latitude")), _number(data.get("map_longitude"))
    zoom = _number(data.get("map_zoom"))
    if (latitude is None) != (longitude is None):
        checks.add(_l("Please give both the latitude and the longitude, or neither."),
                   "map_latitude")  # fmt: skip
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        checks.add(_l("These are not map coordinates: give them in degrees, such as 18.7611 "
                      "and 98.9301."), "map_latitude")  # fmt: skip
    if zoom is not None and not (1 <= zoom <= 19 and zoom == int(zoom)):  # NaN fails too
        checks.add(_l("Give the zoom as a whole number from 1 (the world) to 19 (a street)."),
                   "map_zoom")  # fmt: skip
    populations = {}
    for area in municipality.areas:
        value = _number(data.get(f"population-{area.id}"))
        if value is not None and not (0 <= value <= MAX_POPULATION and value == int(value)):
            checks.add(_l("%(name)s: give the population as a whole number of people.",
                          name=area.name_th), f"population-{area.id}")  # fmt: skip
            continue
        populations[area] = None if value is None else int(value)
    checks.done()
    municipality.map_latitude, municipality.map_longitude = latitude, longitude
    municipality.map_zoom = None if zoom is None else int(zoom)
    for area, population in populations.items():
        area.population = population
    record_action(actor, "places.map_settings", None)
    db.session.flush()
