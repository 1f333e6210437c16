"""municipality map centre and default zoom

Revision ID: 4e8a2c6f1b90
Revises: c4e8a2f61b93
Create Date: 2026-12-07 01:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "4e8a2c6f1b90"
down_revision = "c4e8a2f61b93"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("map_latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("map_longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("map_zoom", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "map_centre_whole", "(map_latitude IS NULL) = (map_longitude IS NULL)"
        )
        batch_op.create_check_constraint(
            "map_latitude_range", "map_latitude IS NULL OR map_latitude BETWEEN -90 AND 90"
        )
        batch_op.create_check_constraint(
            "map_longitude_range", "map_longitude IS NULL OR map_longitude BETWEEN -180 AND 180"
        )
        batch_op.create_check_constraint(
            "map_zoom_range", "map_zoom IS NULL OR map_zoom BETWEEN 1 AND 19"
        )


def downgrade():
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_municipalities_map_zoom_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_municipalities_map_longitude_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_municipalities_map_latitude_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_municipalities_map_centre_whole"), type_="check")
        batch_op.drop_column("map_zoom")
        batch_op.drop_column("map_longitude")
        batch_op.drop_column("map_latitude")
