"""scheduler workers (heartbeat of tempcheck serve replicas)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_workers",
        sa.Column("worker", sa.String(length=96), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("is_leader", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leader_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_send_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("worker", name=op.f("pk_scheduler_workers")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_workers")
