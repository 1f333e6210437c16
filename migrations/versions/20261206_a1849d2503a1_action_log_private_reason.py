"""Action log: a private reason beside the public one; suspension reasons become private

A suspension's reason is written for the person suspended, but it was published on the
transparency page and in the API's action log. Existing suspensions keep their reason in the
new private column and publish none.

Revision ID: a1849d2503a1
Revises: 5b1e0c4d7a21
Create Date: 2026-12-06 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'a1849d2503a1'
down_revision = '5b1e0c4d7a21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_reason', sa.Text(), server_default='', nullable=False))
    op.execute(
        "UPDATE action_log SET private_reason = reason, reason = '' WHERE action = 'user.suspend'"
    )


def downgrade():
    op.execute(
        "UPDATE action_log SET reason = private_reason "
        "WHERE action = 'user.suspend' AND reason = '' AND private_reason <> ''"
    )
    with op.batch_alter_table('action_log', schema=None) as batch_op:
        batch_op.drop_column('private_reason')
