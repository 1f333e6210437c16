"""The action log's words for places (an administrator replaces the communities' boundaries)."""

from flask_babel import lazy_gettext as _l

from participation.audit.registry import register_action

register_action(
    "places.boundaries",
    _l("Community boundaries replaced"),
    _l("%(actor)s uploaded the communities' boundaries (%(communities)s communities)"),
    params=lambda entry, _people: {"communities": (entry.details or {}).get("communities", "")},
)
register_action(
    "places.map_settings",
    _l("Map settings changed"),
    _l("%(actor)s changed where maps open and the communities' populations"),
)
