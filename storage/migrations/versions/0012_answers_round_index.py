"""index answers by round (a release reads one round's answers)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_answers_round_id"), "answers", ["round_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_answers_round_id"), table_name="answers")
