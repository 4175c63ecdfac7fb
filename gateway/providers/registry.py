"""Which providers are configured, and one adapter instance per provider (each with its pooled client)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, replace

from gateway.catalog import Catalog, ProviderEntry
from gateway.providers.base import Provider, ProviderConfig
from gateway.settings import Settings

# kind -> (module, class). Imported lazily so an unused protocol costs nothing at start-up.
_ADAPTERS: dict[str, tuple[str, str]] = {
    "openai": ("gateway.providers.openai_compat", "OpenAIProvider"),
    "openai_compatible": ("gateway.providers.openai_compat", "OpenAIProvider"),
    "anthropic": ("gateway.providers.anthropic", "AnthropicProvider"),
    "gemini": ("gateway.providers.gemini", "GeminiProvider"),
    "ollama": ("gateway.providers.ollama", "OllamaProvider"),
}

# kind -> which mock protocol stands in for it in demo mode, and the path prefix its clients use
MOCK_PROTOCOL: dict[str, tuple[str, str]] = {
    "openai": ("openai", "/v1"),
    "openai_compatible": ("openai", "/v1"),
    "anthropic": ("anthropic", ""),
    "gemini": ("gemini", ""),
    "ollama": ("ollama", ""),
}


def provider_configs(catalog: Catalog, settings: Settings) -> list[ProviderConfig]:
    """Configs of the providers that have what they need: a key, or for keyless ones an explicit base URL."""
    configs = []
    for name, entry in catalog.providers.items():
        config = _config_for(name, entry, settings)
        if config is not None:
            configs.append(config)
    return configs


def _config_for(name: str, entry: ProviderEntry, settings: Settings) -> ProviderConfig | None:
    key = settings.provider_env(entry.api_key_env) if entry.api_key_env else None
    base_url_override = settings.provider_env(entry.base_url_env) if entry.base_url_env else None
    base_url = base_url_override or entry.base_url
    enabled = key is not None if entry.key_required else base_url_override is not None
    if not enabled or not base_url:
        return None
    return ProviderConfig(
        name=name,
        kind=entry.kind,
        base_url=base_url,
        api_key=key,
        connect_timeout=settings.upstream_connect_timeout,
        read_timeout=settings.upstream_read_timeout,
        region=entry.region,
        options=dict(entry.options),
    )


def demo_configs(catalog: Catalog, settings: Settings, mock_urls: Mapping[str, str]) -> list[ProviderConfig]:
    """Every catalog provider, pointed at the in-process mock of its protocol (`mock_urls`: protocol -> URL)."""
    configs = []
    for name, entry in catalog.providers.items():
        protocol, prefix = MOCK_PROTOCOL[entry.kind]
        base = ProviderConfig(
            name=name,
            kind=entry.kind,
            base_url=mock_urls[protocol] + prefix,
            api_key="demo-key-for-mock",
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
            region=entry.region,
            mock=True,
            options=dict(entry.options),
        )
        configs.append(replace(base, options={k: v for k, v in base.options.items() if k != "auth_header"}))
    return configs


def create_provider(config: ProviderConfig) -> Provider:
    module_name, class_name = _ADAPTERS[config.kind]
    cls = getattr(importlib.import_module(module_name), class_name)
    provider: Provider = cls(config)
    return provider


@dataclass
class ProviderRegistry:
    """The live adapters by provider name."""

    providers: dict[str, Provider]

    @classmethod
    def from_configs(cls, configs: list[ProviderConfig]) -> ProviderRegistry:
        return cls({c.name: create_provider(c) for c in configs})

    def get(self, name: str) -> Provider | None:
        return self.providers.get(name)

    def is_mock(self, name: str) -> bool:
        provider = self.providers.get(name)
        return provider is not None and provider.config.mock

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()
