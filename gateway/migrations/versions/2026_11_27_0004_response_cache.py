"""response cache: tenant cache mode, tokens saved by cache hits in the usage ledger

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("cache_mode", sa.String(16), nullable=True))
    with op.batch_alter_table("usage_ledger") as batch:
        batch.add_column(sa.Column("saved_tokens", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("usage_ledger") as batch:
        batch.drop_column("saved_tokens")
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("cache_mode")
