"""Drafters' workspace: adoption decisions and their members, login throttling, drafter status.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafter") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("draft.id"), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("clause_key", sa.String(255), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("draft_id", "target_kind", "target_id", name="uq_decision_target"),
    )
    op.create_index("ix_decision_draft_id", "decision", ["draft_id"])
    op.create_table(
        "decisionmember",
        sa.Column(
            "decision_id",
            sa.Integer(),
            sa.ForeignKey("decision.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("comment_id", sa.Integer(), sa.ForeignKey("comment.id"), primary_key=True),
    )
    op.create_index("ix_decisionmember_comment_id", "decisionmember", ["comment_id"])
    op.create_table(
        "loginthrottle",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("loginthrottle")
    op.drop_index("ix_decisionmember_comment_id", table_name="decisionmember")
    op.drop_table("decisionmember")
    op.drop_index("ix_decision_draft_id", table_name="decision")
    op.drop_table("decision")
    with op.batch_alter_table("drafter") as batch:
        batch.drop_column("active")
