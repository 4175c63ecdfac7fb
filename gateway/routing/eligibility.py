"""Which models may serve a request at all: data residency, the tenant's allow-list, and what the request needs.

Residency: a rule names the regions data may be processed in. `eu` accepts models whose every region is `eu`
or `local` (the operator's own hardware, e.g. an on-prem Ollama: data never leaves the company, so it is at
least as safe as an EU endpoint). A model listing several regions must have all of them accepted, because the
gateway cannot choose which of them a provider uses.
"""

from __future__ import annotations

from gateway.catalog import ModelEntry
from gateway.errors import InvalidRequestError
from gateway.types import ChatRequest

RESIDENCY_HEADER = "x-data-residency"
ACCEPTED_REGIONS: dict[str, frozenset[str]] = {"eu": frozenset({"eu", "local"})}
_NO_RULE = ("", "any", "none")
_CHARS_PER_TOKEN = 3  # conservative for German text: overestimating protects from a context overflow


def required_residency(tenant_rule: str | None, header: str | None) -> str | None:
    """The residency rule for one request: the tenant's setting, tightened (never loosened) by the header.

    Raises:
        InvalidRequestError: the header names an unknown residency (ignoring it would silently downgrade).
    """
    value = (header or "").strip().lower()
    if value in _NO_RULE:
        return tenant_rule
    if value not in ACCEPTED_REGIONS:
        raise InvalidRequestError(
            f"Unsupported data residency '{value[:32]}'; supported: {', '.join(sorted(ACCEPTED_REGIONS))}.",
            param="X-Data-Residency",
        )
    return value


def in_residency(model: ModelEntry, rule: str | None) -> bool:
    """True when every region of `model` is accepted by `rule` (always true without a rule)."""
    if rule is None:
        return True
    accepted = ACCEPTED_REGIONS.get(rule, frozenset({rule}))
    return all(region in accepted for region in model.regions)


def missing_capability(model: ModelEntry, request: ChatRequest) -> str | None:
    """The request parameter `model` cannot serve (`tools`, `response_format`, `stream`), or None."""
    if request.tools and not model.supports("tools"):
        return "tools"
    rf = request.response_format
    if rf is not None and rf.type != "text" and not model.supports(rf.type):
        return "response_format"
    if request.stream and not model.supports("streaming"):
        return "stream"
    return None


def fits_context(model: ModelEntry, request: ChatRequest) -> bool:
    """A rough check that the prompt plus the requested output fit the model's context window."""
    chars = sum(len(m.content or "") for m in request.messages)
    return chars // _CHARS_PER_TOKEN + (request.max_tokens or 0) <= model.context_window
