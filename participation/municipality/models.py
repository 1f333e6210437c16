"""The municipality and its communities, in Thai and English."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import TimestampMixin
from participation.extensions import db


class Municipality(TimestampMixin, db.Model):
    """The local government this installation serves (one row)."""

    __tablename__ = "municipalities"
    __table_args__ = (
        sa.CheckConstraint("(map_latitude IS NULL) = (map_longitude IS NULL)",
                           name="map_centre_whole"),
        sa.CheckConstraint("map_latitude IS NULL OR map_latitude BETWEEN -90 AND 90",
                           name="map_latitude_range"),
        sa.CheckConstraint("map_longitude IS NULL OR map_longitude BETWEEN -180 AND 180",
                           name="map_longitude_range"),
        sa.CheckConstraint("map_zoom IS NULL OR map_zoom BETWEEN 1 AND 19", name="map_zoom_range"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    province_th: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    province_en: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    tagline_th: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    tagline_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    population: Mapped[int | None] = mapped_column(sa.Integer)
    # Where maps open (the municipality's centre) and how close; set by administrators.
    map_latitude: Mapped[float | None] = mapped_column(sa.Float)
    map_longitude: Mapped[float | None] = mapped_column(sa.Float)
    map_zoom: Mapped[int | None] = mapped_column(sa.Integer)

    areas: Mapped[list["Area"]] = relationship(
        back_populates="municipality", order_by="Area.position", cascade="all, delete-orphan"
    )


class Area(db.Model):
    """A community (ชุมชน) or district of the municipality."""

    __tablename__ = "areas"
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "slug"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        sa.ForeignKey("municipalities.id", ondelete="CASCADE"), nullable=False, index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    name_th: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    population: Mapped[int | None] = mapped_column(sa.Integer)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # The community's boundary: a GeoJSON Polygon or MultiPolygon (participation/places/geo.py).
    boundary: Mapped[str | None] = mapped_column(sa.Text)

    municipality: Mapped[Municipality] = relationship(back_populates="areas")


def current_municipality():
    """Return the municipality this installation serves, or None before set-up."""
    return db.session.scalar(sa.select(Municipality).order_by(Municipality.id).limit(1))


# Words that open a place's name but are not the name (ชุมชนแม่เหียะใน is ชุมชน + แม่เหียะใน).
PLACE_PREFIXES = ("ชุมชน", "เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล", "เทศบาล", "หมู่บ้าน", "บ้าน")
# Communities change rarely: each server process re-reads their names this often (seconds).
PLACE_NAMES_SECONDS = 300


def _name_cores(name):
    """Return the name and the same name without its leading common words."""
    cores = []
    name = name.strip()
    while name:
        cores.append(name)
        prefix = next(
            (p for p in PLACE_PREFIXES if name.startswith(p) and len(name) > len(p)), None
        )
        if prefix is None:
            break
        name = name[len(prefix) :]
    return cores[1:] if len(cores) > 1 else cores


def place_names():
    """Return the Thai names of the municipality, its communities and the processes' categories
    (ไฟส่องสว่าง), to be kept unbroken, longest first (read at most every PLACE_NAMES_SECONDS
    per process)."""
    import time

    from flask import current_app

    from participation.core.thai import KEY_TERMS
    from participation.processes.models import Category

    cached = current_app.extensions.get("place_names")
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    rows = db.session.execute(
        sa.select(Municipality.name_th).union(sa.select(Area.name_th), sa.select(Category.name_th))
    ).scalars()
    names = {core for name in rows if name for core in _name_cores(name)} | KEY_TERMS
    result = tuple(sorted(names, key=lambda name: (-len(name), name)))
    current_app.extensions["place_names"] = (now + PLACE_NAMES_SECONDS, result)
    return result
