"""/admin/ui: the dashboard page, its login form and logout. HTML, server-rendered with Jinja2."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gateway.api.body import read_limited_body
from gateway.api.dashboard import session
from gateway.api.dashboard.data import gather
from gateway.errors import GatewayError

router = APIRouter(prefix="/admin/ui", include_in_schema=False)
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    auto_reload=False,
)
_LOGIN_FORM_LIMIT = 8 * 1024  # an admin key and a field name; anything larger is not a login
_HEADERS = {"cache-control": "no-store", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def _page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    return HTMLResponse(_TEMPLATES.get_template(name).render(**context), status_code=status, headers=_HEADERS)


@router.get("")
async def dashboard(request: Request) -> Response:
    if session.session_subject(request) is None:
        return RedirectResponse("/admin/ui/login", status_code=303)
    return _page("dashboard.html", data=await gather(request))


@router.get("/login")
async def login_form(request: Request) -> Response:
    return _page("login.html", error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    timeout = request.app.state.components.settings.body_read_timeout_seconds
    try:  # bounded like every JSON body: never more than the limit in memory, never a wait without end
        body = await read_limited_body(request, _LOGIN_FORM_LIMIT, timeout)
    except GatewayError as error:  # 413 too large, 408 too slow, 400 malformed: the form again, saying why
        return _page("login.html", status=error.status, error=error.message)
    form = parse_qs(body.decode("utf-8", "replace"))
    key = (form.get("admin_key") or [""])[0].strip()
    subject = await session.check_admin_key(request.app.state.components, key)
    if subject is None:
        return _page("login.html", status=401, error="That key may not use the admin dashboard.")
    response = RedirectResponse("/admin/ui", status_code=303)
    session.start_session(response, request, subject)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = RedirectResponse("/admin/ui/login", status_code=303)
    session.end_session(response)
    return response
