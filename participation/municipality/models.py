"""The municipality and its communities, in Thai and English."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.models import TimestampMixin
from participation.extensions import db


class Municipality(TimestampMixin, db.Model):
    """The local government this installation serves (one row)."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    province_th: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    province_en: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    tagline_th: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    tagline_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    population: Mapped[int | None] = mapped_column(sa.Integer)

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

    municipality: Mapped[Municipality] = relationship(back_populates="areas")


def current_municipality():
    """Return the municipality this installation serves, or None before set-up."""
    return db.session.scalar(sa.select(Municipality).order_by(Municipality.id).limit(1))
