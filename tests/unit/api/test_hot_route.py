"""GatewayApp sends the chat route to its short stack and everything else through FastAPI's layers."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.api.fast_path import GatewayApp
from gateway.app import create_app
from gateway.settings import Settings


class _Counting:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])
        await self.app(scope, receive, send)


async def test_only_chat_posts_take_the_hot_route(settings_factory: Callable[..., Settings]) -> None:
    app = create_app(settings_factory())
    assert isinstance(app, GatewayApp) and app.hot_route is not None
    counting = app.hot_route = _Counting(app.hot_route)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            chat = await client.post(
                "/v1/chat/completions", json={"model": "x"}, headers={"authorization": "Bearer wrong"}
            )
            models = await client.get("/v1/models", headers={"authorization": "Bearer wrong"})
            wrong_method = await client.get("/v1/chat/completions")
    assert counting.paths == ["/v1/chat/completions"]
    # The hot route answers as the full stack would: an OpenAI-style error with the request id.
    assert chat.status_code == 401 and chat.json()["error"]["code"] == "invalid_api_key"
    assert chat.headers["x-request-id"].startswith("req_")
    assert models.status_code == 401 and models.headers["x-request-id"].startswith("req_")
    assert wrong_method.status_code == 405
