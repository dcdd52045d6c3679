"""annual wheel: manual entries

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wheel_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_wheel_entries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_wheel_entries_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wheel_entries'))
    )
    op.create_index(op.f('ix_wheel_entries_day'), 'wheel_entries', ['day'], unique=False)
    op.create_index(op.f('ix_wheel_entries_tenant_id'), 'wheel_entries', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_wheel_entries_tenant_id'), table_name='wheel_entries')
    op.drop_index(op.f('ix_wheel_entries_day'), table_name='wheel_entries')
    op.drop_table('wheel_entries')
