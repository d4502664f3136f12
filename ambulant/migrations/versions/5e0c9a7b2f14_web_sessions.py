"""web sessions

The pages log in through the server and keep a cookie session: one row per login, holding a hash
of the cookie's secret, the identity's subject, the session's CSRF token and its expiry; and one
row per login under way (state and PKCE verifier) until the identity provider answers.

Revision ID: 5e0c9a7b2f14
Revises: c3b8e41d7a52
Create Date: 2026-12-04 03:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ambulant.timeutil

revision: str = '5e0c9a7b2f14'
down_revision: str | None = 'c3b8e41d7a52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('csrf_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=True),
        sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_web_session_secret_hash'), 'web_session', ['secret_hash'], unique=True
    )
    op.create_index(op.f('ix_web_session_subject'), 'web_session', ['subject'], unique=False)
    op.create_table(
        'web_login',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('code_verifier', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('next_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('created_at', ambulant.timeutil.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_web_login_state'), 'web_login', ['state'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_login_state'), table_name='web_login')
    op.drop_table('web_login')
    op.drop_index(op.f('ix_web_session_subject'), table_name='web_session')
    op.drop_index(op.f('ix_web_session_secret_hash'), table_name='web_session')
    op.drop_table('web_session')
