"""Publications of the feedback report: decisions are internal until the drafters publish.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedbackpublication",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("draft.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("decided", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.Column("decisions_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("draft_id", "number", name="uq_publication_number"),
    )
    op.create_index("ix_feedbackpublication_draft_id", "feedbackpublication", ["draft_id"])
    op.create_table(
        "feedbackpublicationmember",
        sa.Column(
            "publication_id",
            sa.Integer(),
            sa.ForeignKey("feedbackpublication.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("comment_id", sa.Integer(), sa.ForeignKey("comment.id"), primary_key=True),
        sa.Column("entry", sa.Integer(), nullable=False),
    )
    op.create_index(
        "ix_feedbackpublicationmember_comment_id", "feedbackpublicationmember", ["comment_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_feedbackpublicationmember_comment_id", table_name="feedbackpublicationmember")
    op.drop_table("feedbackpublicationmember")
    op.drop_index("ix_feedbackpublication_draft_id", table_name="feedbackpublication")
    op.drop_table("feedbackpublication")
