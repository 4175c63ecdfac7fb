"""The Gemini Developer API (generativelanguage.googleapis.com) provider."""

from gateway.providers.gemini.adapter import GeminiProvider

__all__ = ["GeminiProvider"]
