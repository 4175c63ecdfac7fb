"""Ollama's native chat API (`/api/chat`, NDJSON streaming)."""

from gateway.providers.ollama.adapter import OllamaProvider

__all__ = ["OllamaProvider"]
