"""OpenAI Chat Completions, for OpenAI itself and OpenAI-compatible servers (Azure OpenAI, Mistral, vLLM)."""

from gateway.providers.openai_compat.adapter import OpenAIProvider

__all__ = ["OpenAIProvider"]
