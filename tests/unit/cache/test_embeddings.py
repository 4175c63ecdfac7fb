from __future__ import annotations

import logging

import httpx
import numpy as np
import pytest

from gateway.cache.embeddings import HttpEmbedder, LocalEmbedder, build_embedder


def _endpoint(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/v1/embeddings" and request.headers["authorization"] == "Bearer k"
    return httpx.Response(200, json={"data": [{"embedding": [3.0, 4.0], "index": 0}], "model": "m"})


async def test_http_embedder_returns_a_unit_vector() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(_endpoint))
    embedder = HttpEmbedder("http://emb/v1", "m", "k", 2, client)
    assert np.allclose(await embedder.embed("hi"), [0.6, 0.8])


async def test_http_embedder_refuses_a_vector_of_another_size() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(_endpoint))
    with pytest.raises(ValueError):
        await HttpEmbedder("http://emb/v1", "m", "k", 3, client).embed("hi")


def test_without_model_or_url_semantic_caching_is_off_with_a_log_line(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LocalEmbedder, "available", staticmethod(lambda: False))
    logger = logging.getLogger("gateway.cache")
    logger.addHandler(caplog.handler)  # the app's logging setup stops "gateway" propagating to the root
    try:
        assert build_embedder("auto", None, "m", None, 2) is None
    finally:
        logger.removeHandler(caplog.handler)
    assert "semantic cache off" in caplog.text


def test_a_configured_url_is_preferred() -> None:
    assert isinstance(build_embedder("auto", "http://emb/v1", "m", None, 2), HttpEmbedder)


@pytest.mark.skipif(not LocalEmbedder.available(), reason="the [semantic] extra is not installed")
async def test_local_model_puts_a_paraphrase_nearer_than_another_question() -> None:
    embedder = LocalEmbedder()
    question = await embedder.embed("How do I reset my password?")
    paraphrase = await embedder.embed("I forgot my password, how can I reset it?")
    other = await embedder.embed("How do I change my email address?")
    assert float(question @ paraphrase) > float(question @ other) + 0.2
