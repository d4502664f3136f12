"""plan job progress

While a worker solves a plan it writes the best plan found so far (objective, visits placed,
iterations) into the plan about once a second, so that a coordinator sees it advance. Plans made
before have none.

Revision ID: e5a1c7d93b40
Revises: e4d2a8c61b93
Create Date: 2026-12-05 00:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e5a1c7d93b40'
down_revision: str | None = 'e4d2a8c61b93'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('plan', sa.Column('progress', sa.JSON(), server_default='{}', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('plan') as batch:
        batch.drop_column('progress')
