"""Rate-limit windows shared by every app process.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratelimit",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("hits", sa.Integer(), nullable=False),
    )
    op.create_index("ix_ratelimit_bucket", "ratelimit", ["bucket"])


def downgrade() -> None:
    op.drop_index("ix_ratelimit_bucket", table_name="ratelimit")
    op.drop_table("ratelimit")
