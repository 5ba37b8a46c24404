"""Replies sent to a message, one row per one-time token of the send form.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replysend",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("inboundmessage.id"), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("message_id", "token", name="uq_replysend_token"),
    )
    op.create_index("ix_replysend_message_id", "replysend", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_replysend_message_id", table_name="replysend")
    op.drop_table("replysend")
