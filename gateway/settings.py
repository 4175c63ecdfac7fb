"""Process settings from the environment and `.env` (pydantic-settings). Built once, passed in, never imported
as a global. Provider credentials are looked up by the environment variable the catalog names for them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///./gateway.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_SQLITE_URL, description="SQLAlchemy async URL; SQLite file by default.")
    redis_url: str | None = Field(None, description="Redis URL for shared state; in-process state when unset.")
    redis_multiplex: bool = Field(
        True,
        description="Send plain Redis commands of all requests over one pipelined connection (ADR 0014); "
        "false gives each command a pooled connection of its own, as redis-py does by default.",
    )
    catalog_path: Path | None = Field(None, description="Model catalog YAML; the packaged catalog when unset.")
    gc_young_threshold: int = Field(
        50_000,
        ge=700,
        description="Net allocations of tracked objects between two collections of the youngest generation "
        "(Python's default is 700, which collects several times per request at concurrency 64; ADR 0020).",
    )
    auto_migrate: bool = Field(True, description="Apply database migrations at start-up.")
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="Largest accepted request body.")
    body_read_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest wait for a request body to arrive (slow clients get 408)."
    )
    header_read_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest wait for a request's line and headers, from connect or the last response."
    )
    max_header_bytes: int = Field(64 * 1024, ge=4096, description="Largest request line plus headers (else 431).")
    upstream_connect_timeout: float = Field(5.0, gt=0)
    upstream_read_timeout: float = Field(120.0, gt=0)
    key_cache_seconds: float = Field(5.0, ge=0, description="How long a key lookup is cached (revocation delay).")
    demo: bool = Field(False, description="Serve the built-in mock providers (no real provider is called).")
    log_level: str = "info"
    admin_api_key: SecretStr | None = Field(None, description="Bearer token for /admin; admin disabled if unset.")
    limits_fail_open: bool = Field(False, description="Admit requests unlimited when Redis is down (else 503).")
    budget_timezone: str = Field("UTC", description="Timezone whose month boundaries reset budgets.")
    default_output_tokens_estimate: int = Field(
        1024, ge=1, description="Output tokens reserved for a request that sets no max_tokens."
    )
    env_file: Path = Field(Path(".env"), description="Where provider credentials are also looked up.")
    # Routing: retries, failover and circuit breakers per provider (docs/adr/0004-routing-and-breakers.md).
    routing_max_attempts: int = Field(4, ge=1, description="Provider calls per request, retries and failover.")
    routing_retries: int = Field(0, ge=0, description="Extra calls to the same model before failing over.")
    routing_retry_backoff_seconds: float = Field(0.2, gt=0, description="First retry backoff, doubled per retry.")
    routing_max_retry_wait_seconds: float = Field(
        2.0, ge=0, description="Longest wait (Retry-After or backoff) before a retry; longer fails over at once."
    )
    breaker_failure_threshold: int = Field(5, ge=1, description="Consecutive failures that open a circuit.")
    breaker_error_rate: float = Field(0.5, gt=0, le=1, description="Failure share in a window that opens it.")
    breaker_min_requests: int = Field(20, ge=1, description="Calls in the window before the error rate counts.")
    breaker_window_seconds: float = Field(60.0, gt=0, description="Window the error rate is counted in.")
    breaker_cooldown_seconds: float = Field(30.0, gt=0, description="Open time before half-open probes.")
    breaker_half_open_probes: int = Field(1, ge=1, description="Probe calls (and successes to close) when half-open.")
    breaker_sync_seconds: float = Field(
        0.25,
        ge=0,
        description="With Redis: how long an instance trusts a closed circuit and batches its successes before "
        "asking Redis again (failures are always sent at once); 0 asks on every call.",
    )
    # Response cache (docs/adr/0006-response-cache.md).
    cache_default_mode: Literal["off", "exact", "exact+semantic"] = Field(
        "exact", description="Cache mode of tenants that set none."
    )
    cache_ttl_seconds: float = Field(86400.0, gt=0, description="How long a cached answer is served.")
    cache_max_temperature: float = Field(
        0.3, ge=0, le=2, description="Cache requests with temperature at most this (or with a seed)."
    )
    cache_max_entries: int = Field(10_000, ge=1, description="In-process: entries in the LRU; Redis: per tenant.")
    cache_max_entry_bytes: int = Field(256 * 1024, ge=1024, description="Larger answers are not cached.")
    cache_semantic_threshold: float = Field(0.9, gt=0, le=1, description="Cosine similarity for a semantic hit.")
    cache_semantic_max_vectors: int = Field(100_000, ge=1, description="Vectors per bucket (and in the Redis log).")
    cache_embeddings: Literal["auto", "local", "provider", "off"] = Field(
        "auto", description="Embedding source of the semantic cache; auto: provider URL if set, else local model."
    )
    cache_embeddings_url: str | None = Field(None, description="OpenAI-compatible base URL (…/v1) for embeddings.")
    cache_embeddings_model: str = Field("text-embedding-3-small", description="Model name sent to that endpoint.")
    cache_embeddings_api_key: SecretStr | None = Field(None, description="Bearer key of the embeddings endpoint.")
    cache_embeddings_dim: int = Field(1536, ge=1, description="Dimensions of the endpoint's embeddings.")
    ledger_flush_interval_seconds: float = Field(0.2, gt=0, description="How often queued ledger rows are written.")
    ledger_reconcile_interval_seconds: float = Field(
        60.0, ge=0, description="How often ledger rows lost by killed instances are rebuilt from the audit log; "
        "0 = only when an instance starts."
    )
    # Audit log (docs/adr/0007-audit-chain.md).
    audit_linger_ms: float = Field(0.0, ge=0, description="Extra wait to gather an audit batch before committing.")
    audit_anchor_secret: SecretStr | None = Field(None, description="HMAC key that signs audit chain anchors.")
    audit_anchor_interval_seconds: float = Field(0.0, ge=0, description="Periodic chain-head anchors; 0 = off.")
    audit_retention_days: int | None = Field(None, ge=1, description="`gateway audit prune` deletes older records.")
    audit_synchronous_commit: bool = Field(
        True, description="Audit commits wait for the WAL flush (PostgreSQL); false trades DB-crash safety for ~2 ms."
    )
    # Observability (docs/production.md).
    metrics_bearer_token: SecretStr | None = Field(None, description="Bearer token /metrics requires; open if unset.")
    otel_enabled: bool = Field(False, description="OpenTelemetry tracing (the [otel] extra; OTEL_* variables).")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Hosting platforms (Render, Heroku) hand out `postgres://` / `postgresql://` URLs: use asyncpg for them,
        and spell libpq's `sslmode=` the way asyncpg takes it (`ssl=`)."""
        scheme, sep, rest = url.partition("://")
        if sep and scheme in ("postgres", "postgresql"):
            url = "postgresql+asyncpg://" + rest.replace("sslmode=", "ssl=")
        return url

    def provider_env(self, name: str) -> str | None:
        """The value of a provider variable (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, ...) from the process
        environment, else from the `.env` file; None when unset or empty."""
        value = os.environ.get(name)
        if value is None and self.env_file.is_file():
            value = dotenv_values(self.env_file).get(name)
        return value or None
