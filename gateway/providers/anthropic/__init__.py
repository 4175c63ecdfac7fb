"""The Anthropic Messages API provider."""

from gateway.providers.anthropic.adapter import AnthropicProvider

__all__ = ["AnthropicProvider"]
