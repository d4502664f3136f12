"""care plans recur by RFC 5545 rules; exception days; patient absences; generated visit slots

A care plan's weekdays become the rule they mean (`[0, 2, 4]` is `FREQ=WEEKLY;BYDAY=MO,WE,FR`),
so every stored plan yields the same visits as before. Visits the older generation made (one a
day per care plan) are its first window of that day (slot 0), so generation recognises them.

Downgrading keeps the weekdays of a rule's BYDAY (every day if it has none): a rule richer than
"these weekdays every week" cannot be said in the older form.

Revision ID: e4d2a8c61b93
Revises: a7c3e9d51f02
Create Date: 2026-12-05 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'e4d2a8c61b93'
down_revision: str | None = 'a7c3e9d51f02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEEKDAY_CODES = ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')

careplan = sa.table(
    'careplan',
    sa.column('id', sa.Integer()),
    sa.column('weekdays', sa.JSON()),
    sa.column('recurrence', sa.String()),
)


# SQLite: visits point at care plans, so copying the care plan table (batch mode's way) would
# break their foreign keys mid-transaction; columns are added and dropped in place instead, and
# a new NOT NULL column carries a server default there (PostgreSQL drops it after the fill).
IN_PLACE = {'recreate': 'never'}


def upgrade() -> None:
    with op.batch_alter_table('careplan', schema=None, **IN_PLACE) as batch_op:
        batch_op.add_column(
            sa.Column(
                'recurrence',
                sqlmodel.sql.sqltypes.AutoString(length=500),
                server_default='FREQ=DAILY',
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column('exdates', sa.JSON(), server_default='[]', nullable=False))
    bind = op.get_bind()
    for row in bind.execute(sa.select(careplan.c.id, careplan.c.weekdays)).all():
        days = sorted({int(d) for d in row.weekdays or []}) or list(range(7))
        rule = 'FREQ=WEEKLY;BYDAY=' + ','.join(WEEKDAY_CODES[d] for d in days)
        bind.execute(careplan.update().where(careplan.c.id == row.id).values(recurrence=rule))
    with op.batch_alter_table('careplan', schema=None, **IN_PLACE) as batch_op:
        if bind.dialect.name != 'sqlite':
            batch_op.alter_column(
                'recurrence',
                existing_type=sqlmodel.sql.sqltypes.AutoString(length=500),
                existing_nullable=False,
                server_default=None,
            )
        batch_op.drop_column('weekdays')
    with op.batch_alter_table('visitrequest', schema=None, **IN_PLACE) as batch_op:
        batch_op.add_column(sa.Column('care_plan_slot', sa.Integer(), nullable=True))
    # The older generation made one visit a day per care plan; should two exist (a hand-made
    # one naming its care plan), the first is the generated one and the others are by hand.
    op.execute(
        'UPDATE visitrequest SET care_plan_slot = 0 WHERE care_plan_id IS NOT NULL AND id = ('
        'SELECT MIN(v.id) FROM visitrequest v '
        'WHERE v.care_plan_id = visitrequest.care_plan_id AND v.date = visitrequest.date)'
    )
    op.create_index(
        'uq_visitrequest_care_plan_slot',
        'visitrequest',
        ['care_plan_id', 'date', 'care_plan_slot'],
        unique=True,
    )
    op.create_table(
        'patientabsence',
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_patientabsence_patient_id'), 'patientabsence', ['patient_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_patientabsence_patient_id'), table_name='patientabsence')
    op.drop_table('patientabsence')
    op.drop_index('uq_visitrequest_care_plan_slot', table_name='visitrequest')
    with op.batch_alter_table('visitrequest', schema=None, **IN_PLACE) as batch_op:
        batch_op.drop_column('care_plan_slot')
    with op.batch_alter_table('careplan', schema=None, **IN_PLACE) as batch_op:
        batch_op.add_column(
            sa.Column('weekdays', sa.JSON(), server_default='[0, 1, 2, 3, 4, 5, 6]', nullable=False)
        )
    bind = op.get_bind()
    for row in bind.execute(sa.select(careplan.c.id, careplan.c.recurrence)).all():
        parts = dict(p.split('=', 1) for p in row.recurrence.split(';') if '=' in p)
        codes = [code[-2:] for code in parts.get('BYDAY', '').split(',') if code]
        days = sorted({WEEKDAY_CODES.index(c) for c in codes if c in WEEKDAY_CODES})
        bind.execute(
            careplan.update()
            .where(careplan.c.id == row.id)
            .values(weekdays=days or list(range(7)))
        )
    with op.batch_alter_table('careplan', schema=None, **IN_PLACE) as batch_op:
        if bind.dialect.name != 'sqlite':
            batch_op.alter_column(
                'weekdays', existing_type=sa.JSON(), existing_nullable=False, server_default=None
            )
        batch_op.drop_column('exdates')
        batch_op.drop_column('recurrence')
