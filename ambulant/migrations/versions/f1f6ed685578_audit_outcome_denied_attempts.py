"""audit outcome: denied attempts

Each audit entry says whether the access was allowed or denied (refused with 403, or 404 for an
object outside the caller's reach). Entries written before this were all allowed accesses.

The column is added in place, not by a batch rebuild: rebuilding audit_entry on SQLite would drop
its append-only triggers. SQLite drops a column in place too (3.35 and later).

Revision ID: f1f6ed685578
Revises: 493acab1a6e4
Create Date: 2026-11-25 07:07:13.675360
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'f1f6ed685578'
down_revision: str | None = '493acab1a6e4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'audit_entry',
        sa.Column(
            'outcome',
            sqlmodel.sql.sqltypes.AutoString(),
            server_default='allowed',
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.execute('ALTER TABLE audit_entry DROP COLUMN outcome')
