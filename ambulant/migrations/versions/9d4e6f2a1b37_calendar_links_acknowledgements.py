"""calendar links and schedule acknowledgements

A nurse's secret calendar links (a hash of each secret, the owner, a label, when revoked), and her
acknowledgements of a changed day (the schedule's ETag she saw, the plan that made it, when).

Revision ID: 9d4e6f2a1b37
Revises: 5e0c9a7b2f14
Create Date: 2026-12-04 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ambulant.timeutil

revision: str = '9d4e6f2a1b37'
down_revision: str | None = '5e0c9a7b2f14'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'calendar_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('created_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_calendar_link_secret_hash'), 'calendar_link', ['secret_hash'], unique=True
    )
    op.create_index(op.f('ix_calendar_link_user_id'), 'calendar_link', ['user_id'], unique=False)
    op.create_table(
        'schedule_acknowledgement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('date', sa.Date(), nullable=False),
        sa.Column('etag', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('plan_version', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column(
            'acknowledged_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('staff_id', 'date', 'etag'),
    )
    op.create_index(
        op.f('ix_schedule_acknowledgement_date'), 'schedule_acknowledgement', ['date'], unique=False
    )
    op.create_index(
        op.f('ix_schedule_acknowledgement_plan_id'),
        'schedule_acknowledgement',
        ['plan_id'],
        unique=False,
    )
    op.create_index(
        op.f('ix_schedule_acknowledgement_staff_id'),
        'schedule_acknowledgement',
        ['staff_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f('ix_schedule_acknowledgement_staff_id'), table_name='schedule_acknowledgement'
    )
    op.drop_index(
        op.f('ix_schedule_acknowledgement_plan_id'), table_name='schedule_acknowledgement'
    )
    op.drop_index(op.f('ix_schedule_acknowledgement_date'), table_name='schedule_acknowledgement')
    op.drop_table('schedule_acknowledgement')
    op.drop_index(op.f('ix_calendar_link_user_id'), table_name='calendar_link')
    op.drop_index(op.f('ix_calendar_link_secret_hash'), table_name='calendar_link')
    op.drop_table('calendar_link')
