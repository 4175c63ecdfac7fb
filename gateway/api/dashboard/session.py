"""The dashboard's login: the admin key is posted once, then a signed, HttpOnly, SameSite=Strict cookie.

The key never travels in a URL and is never stored in the cookie. The signing secret is derived from
`ADMIN_API_KEY`, so every instance behind a load balancer accepts the same session and rotating the admin key
ends every session. Without an admin key (admin-role tenant keys only) a random per-process secret is used:
sessions then last until the process restarts and hold only on the instance that issued them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import GatewayError

COOKIE = "gateway_admin_session"
MAX_AGE_SECONDS = 8 * 3600
PATH = "/admin/ui"
_PROCESS_SECRET = secrets.token_bytes(32)  # only used when no ADMIN_API_KEY is configured


def _serializer(components: Any) -> URLSafeTimedSerializer:
    admin_key = components.settings.admin_api_key
    if admin_key is not None:
        secret = hmac.new(admin_key.get_secret_value().encode(), b"dashboard-session-v1", hashlib.sha256).digest()
    else:
        secret = _PROCESS_SECRET
    return URLSafeTimedSerializer(secret, salt="gateway-dashboard")


async def check_admin_key(components: Any, key: str) -> str | None:
    """Who `key` is ("admin" or an admin-role key id) when it may use the admin API, else None."""
    if not key:
        return None
    admin_key = components.settings.admin_api_key
    if admin_key is not None and hmac.compare_digest(key.encode(), admin_key.get_secret_value().encode()):
        return "admin"
    try:
        caller = await components.keys.authenticate(f"Bearer {key}")
    except GatewayError:
        return None
    return caller.key_id if caller.is_admin else None


def start_session(response: Response, request: Request, subject: str) -> None:
    token = _serializer(request.app.state.components).dumps({"sub": subject})
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")


def session_subject(request: Request) -> str | None:
    """The signed-in subject of a valid, unexpired session cookie, else None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        data = _serializer(request.app.state.components).loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    subject = data.get("sub") if isinstance(data, dict) else None
    return subject if isinstance(subject, str) else None
