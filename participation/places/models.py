"""Where an issue or a proposal is: a pin and a landmark residents know."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from participation.extensions import db

LANDMARK_MAX = 200


class Place(db.Model):
    __tablename__ = "contribution_places"
    __table_args__ = (
        # A landmark alone ("หน้าตลาดสดแม่เหียะ") is a place too, without a pin.
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="pin_whole"),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        sa.Index("ix_contribution_places_point", "latitude", "longitude"),
    )

    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    landmark: Mapped[str] = mapped_column(sa.String(LANDMARK_MAX), nullable=False, default="")

    @property
    def has_pin(self):
        return self.latitude is not None

    contribution = relationship(
        "Contribution",
        backref=backref("place", uselist=False, cascade="all, delete-orphan"),
    )
