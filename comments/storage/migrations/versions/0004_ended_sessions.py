"""Drafter sessions ended by logging out, so that an old cookie no longer works.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endedsession",
        sa.Column("sid", sa.String(32), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_endedsession_expires_at", "endedsession", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_endedsession_expires_at", table_name="endedsession")
    op.drop_table("endedsession")
