"""A client's idempotency key on a comment, so that a retry returns the first receipt.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comment") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(64), nullable=True))
    op.create_index(
        "ux_comment_draft_idempotency_key",
        "comment",
        ["draft_id", "idempotency_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_comment_draft_idempotency_key", table_name="comment")
    with op.batch_alter_table("comment") as batch:
        batch.drop_column("idempotency_key")
