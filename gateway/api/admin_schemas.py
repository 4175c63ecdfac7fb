"""Request bodies of the admin API (pydantic: off the hot path, so rich validation messages win)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PiiPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: Literal["redact", "block", "allow"] = "redact"
    types: dict[str, Literal["redact", "block", "allow"]] = Field(default_factory=dict)


# The columns' ranges (Integer, BigInteger): a larger number would be a 500 from the database driver, not a 400.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


class TenantSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_limit_per_minute: int | None = Field(None, ge=1, le=INT32_MAX)
    tokens_per_minute: int | None = Field(None, ge=1, le=INT32_MAX)
    monthly_token_budget: int | None = Field(None, ge=0, le=INT64_MAX)
    monthly_budget_eur: float | None = Field(None, ge=0, allow_inf_nan=False)
    residency: Literal["eu"] | None = None
    pii_policy: PiiPolicy | None = None
    allowed_models: list[str] | None = None
    cache_mode: Literal["off", "exact", "exact+semantic"] | None = None  # None: the gateway's default mode


class TenantCreate(TenantSettingsIn):
    name: str = Field(min_length=1, max_length=200)


class TenantUpdate(TenantSettingsIn):
    disabled: bool | None = None


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: str
    name: str | None = Field(None, max_length=200)
    role: Literal["tenant", "admin"] = "tenant"
    expires_at: datetime | None = None
    expires_in_days: int | None = Field(None, ge=1, le=36_500)  # timedelta overflows far beyond a century
    rate_limit_per_minute: int | None = Field(None, ge=1, le=INT32_MAX)
    tokens_per_minute: int | None = Field(None, ge=1, le=INT32_MAX)
    monthly_token_budget: int | None = Field(
        None, ge=0, le=INT64_MAX, description="Sets the tenant's monthly token budget."
    )


def settings_dict(body: BaseModel) -> dict[str, Any]:
    """Only the fields the client actually sent (PATCH semantics), JSON-ready."""
    return body.model_dump(mode="json", exclude_unset=True, exclude={"name"})
