"""ledger reconciliation: a usage id shared by the ledger row and the audit record, the ledger details the audit
record keeps, the reconciliation watermark; ledger request ids as long as the audit log's

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("usage_ledger") as batch:
        batch.add_column(sa.Column("usage_id", sa.String(32), nullable=True))
        # Client-chosen request ids may have 128 characters (as in audit_records): 64 made PostgreSQL refuse the
        # whole ledger batch, again at every retry.
        batch.alter_column("request_id", existing_type=sa.String(64), type_=sa.String(128), existing_nullable=False)
    # Unique: a row backfilled from the audit log and the same row flushed late by its writer meet here, and the
    # second one is dropped (INSERT ... ON CONFLICT DO NOTHING). Rows from before this revision have NULL.
    op.create_index("uq_usage_ledger_usage_id", "usage_ledger", ["usage_id"], unique=True)
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("usage_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("usage_detail", sa.JSON(), nullable=True))
    mark = op.create_table(
        "ledger_reconciled",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_reconciled")),
    )
    # Records written before this revision carry no usage id and cannot be reconciled: start after them.
    head = sa.table("audit_chain_head", sa.column("seq", sa.BigInteger()))
    op.execute(mark.insert().from_select(["id", "seq"], sa.select(sa.literal(1), head.c.seq)))


def downgrade() -> None:
    op.drop_table("ledger_reconciled")
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_column("usage_detail")
        batch.drop_column("usage_id")
    op.drop_index("uq_usage_ledger_usage_id", table_name="usage_ledger")
    with op.batch_alter_table("usage_ledger") as batch:
        batch.alter_column("request_id", existing_type=sa.String(128), type_=sa.String(64), existing_nullable=False)
        batch.drop_column("usage_id")
