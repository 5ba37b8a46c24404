"""Comments from other channels: the messages they came in, and each comment's channel.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inboundmessage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("draft.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False, server_default=""),
        sa.Column("contact", sa.String(200), nullable=False, server_default=""),
        sa.Column("subject", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("received_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("draft_id", "source", name="uq_inboundmessage_draft_source"),
    )
    op.create_index("ix_inboundmessage_draft_id", "inboundmessage", ["draft_id"])
    with op.batch_alter_table("comment") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default="web"))
        batch.add_column(sa.Column("message_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("clause_confidence", sa.Float, nullable=True))
        batch.add_column(sa.Column("proposed_clause", sa.String(255), nullable=True))
    op.create_index("ix_comment_message_id", "comment", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_comment_message_id", table_name="comment")
    with op.batch_alter_table("comment") as batch:
        batch.drop_column("proposed_clause")
        batch.drop_column("clause_confidence")
        batch.drop_column("message_id")
        batch.drop_column("channel")
    op.drop_table("inboundmessage")
