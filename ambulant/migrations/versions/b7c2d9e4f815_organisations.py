"""organisations: who employs staff and owns bases; visits and care plans that need staff of one

An organisation (a municipality, a hospital trust, a specialist team of one) with its parent;
staff and bases point at theirs; visits and care plans name the organisation their staff come
from, for the whole visit or per part of a joint visit.

Revision ID: b7c2d9e4f815
Revises: 9d4e6f2a1b37
Create Date: 2026-12-05 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'b7c2d9e4f815'
down_revision: str | None = '9d4e6f2a1b37'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'organisation',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['municipality_code'], ['municipality.code']),
        sa.ForeignKeyConstraint(['parent_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_staff_organisation_id'), ['organisation_id'], unique=False
        )
        batch_op.create_foreign_key(
            'fk_staff_organisation_id', 'organisation', ['organisation_id'], ['id']
        )
    with op.batch_alter_table('base', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_base_organisation_id', 'organisation', ['organisation_id'], ['id']
        )
    for table in ('visitrequest', 'careplan'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
            batch_op.add_column(
                sa.Column(
                    'part_organisation_ids', sa.JSON(), server_default='[]', nullable=False
                )
            )
            batch_op.create_foreign_key(
                f'fk_{table}_organisation_id', 'organisation', ['organisation_id'], ['id']
            )


def downgrade() -> None:
    for table in ('careplan', 'visitrequest'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_organisation_id', type_='foreignkey')
            batch_op.drop_column('part_organisation_ids')
            batch_op.drop_column('organisation_id')
    with op.batch_alter_table('base', schema=None) as batch_op:
        batch_op.drop_constraint('fk_base_organisation_id', type_='foreignkey')
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint('fk_staff_organisation_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_organisation_id'))
        batch_op.drop_column('organisation_id')
    op.drop_table('organisation')
