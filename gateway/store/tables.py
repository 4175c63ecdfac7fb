"""The durable schema (SQLAlchemy 2 declarative). Alembic migrations are the source of truth for the database;
these classes must match them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    monthly_token_budget: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    monthly_budget_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    residency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    pii_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    allowed_models: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cache_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)  # revision 0004


class ApiKey(Base):
    """A tenant key. Only the SHA-256 hex digest of the key is stored, plus a short prefix to recognise it by."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="tenant", server_default="tenant")
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UsageRecord(Base):
    """One row per settled request: what it cost, at the price and exchange rate of its day."""

    __tablename__ = "usage_ledger"
    __table_args__ = (
        Index("ix_usage_ledger_tenant_id_created_at", "tenant_id", "created_at"),
        Index("uq_usage_ledger_usage_id", "usage_id", unique=True),  # a row is written once, live or backfilled
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(128))  # revision 0005: was 64
    usage_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # revision 0005: unique, see below
    tenant_id: Mapped[str] = mapped_column(String(32))
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    provider: Mapped[str | None] = mapped_column(String(100), nullable=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    reasoning_tokens: Mapped[int] = mapped_column(Integer, default=0)
    price_input_usd_per_1m: Mapped[float] = mapped_column(Float, default=0.0)
    price_output_usd_per_1m: Mapped[float] = mapped_column(Float, default=0.0)
    eur_per_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cost_eur: Mapped[float] = mapped_column(Numeric(24, 12, asdecimal=False), default=0.0)
    cache_hit: Mapped[bool] = mapped_column(Boolean, default=False)
    stream: Mapped[bool] = mapped_column(Boolean, default=False)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    saved_tokens: Mapped[int] = mapped_column(Integer, default=0)  # revision 0004: tokens a cache hit saved


class LedgerReconciled(Base):
    """The single row reconcilers lock: audit records up to `seq` have their ledger rows (tenancy.reconcile)."""

    __tablename__ = "ledger_reconciled"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# ---- audit log (docs/adr/0007-audit-chain.md) -----------------------------------------------------------------


class AuditRecord(Base):
    """One record per request, allowed or refused. No PII and no prompt text: hashes, counts, metadata.
    `prev_hash` and `hash` chain it to its predecessor by `seq`, which the chain head assigns."""

    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_created_at", "created_at"),
        Index("ix_audit_records_tenant_id_subject_hash", "tenant_id", "subject_hash"),
        Index("ix_audit_records_hash", "hash"),
    )

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    request_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tenant_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    key_id: Mapped[str] = mapped_column(String(32))
    subject_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    provider: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pii: Mapped[dict[str, int]] = mapped_column(JSON)
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    cost_nano_eur: Mapped[int] = mapped_column(BigInteger)
    cache_hit: Mapped[bool] = mapped_column(Boolean)
    stream: Mapped[bool] = mapped_column(Boolean)
    prompt_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    retained: Mapped[bool] = mapped_column(Boolean)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Revision 0005: the ledger row's id and the ledger fields the record lacks (hashed when present).
    usage_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    usage_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class AuditChainHead(Base):
    """The single row every writer locks to append: the last sequence number and hash."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditAnchor(Base):
    """An exported chain head (`periodic`, `manual`) or the checkpoint kept before pruning (`prune`),
    HMAC-signed when an anchor secret is configured."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signature: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditSubjectKey(Base):
    """A data subject's content key (AES-256-GCM). Deleting the row is the Art. 17 erasure (crypto-shredding)."""

    __tablename__ = "audit_subject_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "subject_hash"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    subject_hash: Mapped[str] = mapped_column(String(64))
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditContent(Base):
    """Retained (scrubbed) prompt content of one record, encrypted with its subject's key; outside the chain."""

    __tablename__ = "audit_contents"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class AuditTenantSetting(Base):
    """Per-tenant audit settings: whether prompt content is retained (encrypted)."""

    __tablename__ = "audit_tenant_settings"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    retain_prompts: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
