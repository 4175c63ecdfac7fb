"""tenant settings, key roles and limits, usage ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tokens_per_minute", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("monthly_token_budget", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("monthly_budget_eur", sa.Float(), nullable=True))
        batch.add_column(sa.Column("residency", sa.String(16), nullable=True))
        batch.add_column(sa.Column("pii_policy", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("allowed_models", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="tenant"))
        batch.add_column(sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tokens_per_minute", sa.Integer(), nullable=True))
    op.create_table(
        "usage_ledger",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("provider", sa.String(100), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cached_tokens", sa.Integer(), nullable=False),
        sa.Column("reasoning_tokens", sa.Integer(), nullable=False),
        sa.Column("price_input_usd_per_1m", sa.Float(), nullable=False),
        sa.Column("price_output_usd_per_1m", sa.Float(), nullable=False),
        sa.Column("eur_per_usd", sa.Float(), nullable=False),
        sa.Column("cost_eur", sa.Numeric(24, 12), nullable=False),
        sa.Column("cache_hit", sa.Boolean(), nullable=False),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_ledger")),
    )
    op.create_index("ix_usage_ledger_tenant_id_created_at", "usage_ledger", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_usage_ledger_tenant_id_created_at", table_name="usage_ledger")
    op.drop_table("usage_ledger")
    with op.batch_alter_table("api_keys") as batch:
        for column in ("tokens_per_minute", "rate_limit_per_minute", "role", "name"):
            batch.drop_column(column)
    with op.batch_alter_table("tenants") as batch:
        for column in ("updated_at", "allowed_models", "pii_policy", "residency", "monthly_budget_eur",
                       "monthly_token_budget", "tokens_per_minute", "rate_limit_per_minute", "disabled"):
            batch.drop_column(column)
