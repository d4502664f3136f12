"""indexes for the hot reads

A nurse's schedule (the day's published plan with her route, her stops in order), the versions
of a day and scope, and a patient's audit trail, newest first. Each composite
index starts with the column of the single-column index it replaces, so nothing that used the
old one loses its index.

Revision ID: a7c3e9d51f02
Revises: b7c2d9e4f815
Create Date: 2026-12-04 21:00:00.000000
"""

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

from alembic import op

revision: str = 'a7c3e9d51f02'
down_revision: str | None = 'b7c2d9e4f815'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (new index, table, columns, the single-column index it replaces)
INDEXES = [
    ('ix_plan_date_scope_status', 'plan', ['date', 'scope', 'status'], 'ix_plan_date'),
    ('ix_planroute_plan_id_staff_id', 'planroute', ['plan_id', 'staff_id'], 'ix_planroute_plan_id'),
    (
        'ix_planstop_plan_id_staff_id_sequence',
        'planstop',
        ['plan_id', 'staff_id', 'sequence'],
        'ix_planstop_plan_id',
    ),
    (
        'ix_audit_entry_patient_id_at_id',
        'audit_entry',
        ['patient_id', 'at', 'id'],
        'ix_audit_entry_patient_id',
    ),
]


def upgrade() -> None:
    # On PostgreSQL the indexes are built CONCURRENTLY, outside the migration's transaction:
    # the audit trail takes an INSERT with every read, and a plain CREATE INDEX would hold
    # those writes (and so the reads) for as long as the build of a large table takes.
    concurrently = op.get_context().dialect.name == 'postgresql'
    with _outside_transaction(concurrently):
        for name, table, columns, replaced in INDEXES:
            op.create_index(
                name, table, columns, unique=False, postgresql_concurrently=concurrently
            )
            op.drop_index(replaced, table_name=table, postgresql_concurrently=concurrently)


def downgrade() -> None:
    concurrently = op.get_context().dialect.name == 'postgresql'
    with _outside_transaction(concurrently):
        for name, table, columns, replaced in reversed(INDEXES):
            op.create_index(
                replaced, table, columns[:1], unique=False, postgresql_concurrently=concurrently
            )
            op.drop_index(name, table_name=table, postgresql_concurrently=concurrently)


def _outside_transaction(needed: bool) -> AbstractContextManager[object]:
    return op.get_context().autocommit_block() if needed else nullcontext()
