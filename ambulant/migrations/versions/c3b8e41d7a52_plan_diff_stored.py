"""plan diff stored, and the worker of a plan's job

A replan's diff against the plan it replaces is computed once, by the worker that solves it, and
kept with the plan: the API answers from it instead of computing it again. Plans made before have
none; theirs is computed when asked for. A plan also says which worker (host:pid) last ran its job
and how often a job of it was started (more than once after a worker died and RQ retried it).

Revision ID: c3b8e41d7a52
Revises: f1f6ed685578
Create Date: 2026-12-04 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c3b8e41d7a52'
down_revision: str | None = 'f1f6ed685578'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('plan', sa.Column('diff', sa.JSON(), nullable=True))
    op.add_column('plan', sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    op.add_column('plan', sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('plan') as batch:
        batch.drop_column('attempts')
        batch.drop_column('worker')
        batch.drop_column('diff')
