"""Drafters' corrections: per-field corrections of comments and points, fixed points, members.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("draft.id"), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(255), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("previous", sa.Text, nullable=False, server_default="null"),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_correction_draft_id", "correction", ["draft_id"])
    op.create_index("ix_correction_target", "correction", ["draft_id", "target_kind", "target_id"])
    op.create_table(
        "point",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("draft.id"), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("bucket", sa.String(255), nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("merged_into", sa.String(255), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("draft_id", "key", name="uq_point_draft_key"),
    )
    op.create_index("ix_point_draft_id", "point", ["draft_id"])
    op.create_table(
        "pointmember",
        sa.Column(
            "comment_id",
            sa.Integer,
            sa.ForeignKey("comment.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id", ondelete="CASCADE")),
    )
    op.create_index("ix_pointmember_point_id", "pointmember", ["point_id"])


def downgrade() -> None:
    op.drop_table("pointmember")
    op.drop_table("point")
    op.drop_table("correction")
