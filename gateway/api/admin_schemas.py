"""Request bodies of the admin API (pydantic: off the hot path, so rich validation messages win)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class PiiPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: Literal["redact", "block", "allow"] = "redact"
    types: dict[str, Literal["redact", "block", "allow"]] = Field(default_factory=dict)


class TenantSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_limit_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1)
    monthly_token_budget: int | None = Field(None, ge=0)
    monthly_budget_eur: float | None = Field(None, ge=0)
    residency: Literal["eu"] | None = None
    pii_policy: PiiPolicy | None = None
    allowed_models: list[str] | None = None


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
    expires_in_days: int | None = Field(None, ge=1)
    rate_limit_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1)
    monthly_token_budget: int | None = Field(None, ge=0, description="Sets the tenant's monthly token budget.")


def settings_dict(body: BaseModel) -> dict[str, Any]:
    """Only the fields the client actually sent (PATCH semantics), JSON-ready."""
    return body.model_dump(mode="json", exclude_unset=True, exclude={"name"})
