"""The demo municipality: Mae Hia, Chiang Mai, with its communities and people of every role.

Population figures are illustrative, for trying the platform, not official statistics.
"""

from participation.accounts import operations as accounts
from participation.extensions import db
from participation.municipality.models import Area, Municipality

DEMO_PASSWORD = "ruamkid-demo-2569"

DEMO_USERS = [
    {"email": "admin@ruamkid.test", "name": "ผู้ดูแลระบบ เทศบาล", "roles": ["admin"], "lang": "th"},
    {"email": "facilitator@ruamkid.test", "name": "กมลพร ใจกว้าง", "roles": ["facilitator"],
     "lang": "th"},
    {"email": "council@ruamkid.test", "name": "สมศักดิ์ รักถิ่น", "roles": ["council"], "lang": "th"},
    {"email": "somchai@ruamkid.test", "name": "สมชาย ใจดี", "roles": [], "lang": "th"},
    {"email": "malee@ruamkid.test", "name": "มาลี ศรีสุข", "roles": [], "lang": "th"},
    {"email": "anna@ruamkid.test", "name": "Anna Lindqvist", "roles": [], "lang": "en"},
]  # fmt: skip

AREAS = [
    ("pa-chi", "ชุมชนบ้านป่าจี้", "Ban Pa Chi community", 2150),
    ("mae-hia-nai", "ชุมชนแม่เหียะใน", "Mae Hia Nai community", 3420),
    ("ton-kham", "ชุมชนต้นขาม", "Ton Kham community", 1870),
    ("nong-khwai", "ชุมชนหนองควาย", "Nong Khwai community", 2640),
    ("pa-phrao", "ชุมชนป่าพร้าว", "Pa Phrao community", 1580),
    ("san-pa-sak", "ชุมชนสันป่าสัก", "San Pa Sak community", 2310),
]


DEMO_MUNICIPALITY_EN = "Mae Hia Town Municipality"
# Illustrative boundaries, NOT the real communities' limits: a grid of rectangles around Mae Hia
# (three across, two down), so pins, the map and community-from-pin can be tried in the demo.
DEMO_GRID_ORIGIN = (98.915, 18.745)  # west, south (longitude, latitude)
DEMO_GRID_CELL = (0.02, 0.015)
# Where the demo's maps open: the middle of that grid, at a town's zoom (illustrative too).
DEMO_MAP_CENTRE = (18.76, 98.945, 14)  # latitude, longitude, zoom


def illustrative_boundary(position):
    """A GeoJSON rectangle for the community at ``position`` (illustrative only)."""
    import json

    column, row = position % 3, position // 3
    west = DEMO_GRID_ORIGIN[0] + column * DEMO_GRID_CELL[0]
    south = DEMO_GRID_ORIGIN[1] + row * DEMO_GRID_CELL[1]
    east, north = west + DEMO_GRID_CELL[0], south + DEMO_GRID_CELL[1]
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)]
                                                            for x, y in ring]]})  # fmt: skip


def seed():
    """Create the demo data (the caller commits)."""
    municipality = Municipality(
        name_th="เทศบาลเมืองแม่เหียะ",
        name_en=DEMO_MUNICIPALITY_EN,
        province_th="จังหวัดเชียงใหม่",
        province_en="Chiang Mai",
        tagline_th="เมืองน่าอยู่เริ่มจากความไว้ใจและการพูดคุยกันระหว่างประชาชนกับเทศบาล",
        tagline_en=(
            "A liveable city starts with trust and dialogue between residents and the council."
        ),
        population=sum(area[3] for area in AREAS),
        map_latitude=DEMO_MAP_CENTRE[0], map_longitude=DEMO_MAP_CENTRE[1],
        map_zoom=DEMO_MAP_CENTRE[2],
    )  # fmt: skip
    for position, (slug, name_th, name_en, population) in enumerate(AREAS):
        municipality.areas.append(
            Area(slug=slug, name_th=name_th, name_en=name_en, population=population,
                 position=position, boundary=illustrative_boundary(position))
        )  # fmt: skip
    db.session.add(municipality)

    users = {}
    for spec in DEMO_USERS:
        user = accounts.register_user(
            email=spec["email"],
            display_name=spec["name"],
            password=DEMO_PASSWORD,
            preferred_language=spec["lang"],
            consent=True,
        )
        for role in spec["roles"]:
            accounts.grant_role(user, role)
        users[spec["email"]] = user
    db.session.flush()
    from participation.demo.cycle import seed_cycle

    processes = seed_cycle(users, municipality)
    return {"municipality": municipality, "users": users, **processes}
