"""The pages people use, served by the API's own process: the coordinator's day board (/board),
a nurse's day on the phone (/me), and the login through the server (/login, /logout, and the
development issuer's login page).

The pages are HTML shells with the session's CSRF token; their scripts read and change data
through the same /api/v1 routes as any client, with the session cookie instead of a bearer token,
so every rule and every audit entry is the API's.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from httpx import HTTPError
from sqlmodel import Session, col, select

from ambulant.audit.trail import record
from ambulant.auth import policy
from ambulant.auth.deployment import uses_development_issuer
from ambulant.auth.dev_issuer import exchange_code, grant_code
from ambulant.auth.principal import Identity, Principal
from ambulant.auth.users import ensure_user, principal_for
from ambulant.auth.web_login import endpoints, finish_login, start_login
from ambulant.auth.web_sessions import COOKIE, close_session, csrf_matches, session_for
from ambulant.errors import AmbulantError, Forbidden
from ambulant.models import AuditAction, Municipality, Role, Staff, WebSession
from api.deps import SessionDep, SettingsDep, client_address
from api.web.i18n import LANGUAGE_COOKIE, messages, pick_language

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC = Path(__file__).parent / "static"


def page_csp(settings_tiles: str | None = None) -> str:
    """Scripts, styles and data from this server only; map tiles from the tile server if one is
    set; no inline script, no framing."""
    images = "'self' data:" + (f" {settings_tiles}" if settings_tiles else "")
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def language(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
    )


def render(
    request: Request,
    name: str,
    *,
    status_code: int = 200,
    row: WebSession | None = None,
    principal: Principal | None = None,
    csp: str | None = None,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": messages(lang),
            "csrf": row.csrf_token if row else "",
            "user": principal.subject if principal else None,
            **context,
        },
        status_code=status_code,
        headers={"Content-Security-Policy": csp or page_csp()},
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def message(request: Request, heading_key: str, text: str, status_code: int) -> HTMLResponse:
    t = messages(language(request))
    return render(
        request,
        "message.html",
        status_code=status_code,
        heading=t[heading_key],
        text=text,
        again="/login",
    )


def page_caller(request: Request, session: Session) -> tuple[WebSession, Principal] | None:
    """The logged-in caller of a page, or None (no session, or a user no longer active)."""
    row = session_for(session, request.cookies.get(COOKIE))
    if row is None:
        return None
    try:
        return row, principal_for(session, Identity(subject=row.subject))
    except Forbidden:
        return None


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)


def home_of(principal: Principal) -> str:
    return "/me" if principal.role == Role.NURSE else "/board"


@router.get("/")
def home(request: Request, session: SessionDep) -> Response:
    caller = page_caller(request, session)
    return _to_login(request) if caller is None else RedirectResponse(home_of(caller[1]), 303)


@router.get("/board")
def board(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    caller = page_caller(request, session)
    if caller is None:
        return _to_login(request)
    row, principal = caller
    if not policy.is_planner(principal):
        return message(request, "error.title", messages(language(request))["error.forbidden"], 403)
    return render(
        request,
        "board.html",
        row=row,
        principal=principal,
        tile_url=settings.map_tile_url or "",
        csp=page_csp(_origin(settings.map_tile_url)),
    )


@router.get("/me")
def me(request: Request, session: SessionDep) -> Response:
    caller = page_caller(request, session)
    if caller is None:
        return _to_login(request)
    row, principal = caller
    if principal.role != Role.NURSE or principal.staff_id is None:
        return message(request, "error.title", messages(language(request))["error.forbidden"], 403)
    return render(request, "me.html", row=row, principal=principal, staff_id=principal.staff_id)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/')[0]}" if rest else None


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """The nurse page's service worker, served from the root so that its scope covers /me."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": "/",
            # A worker runs under its own script's CSP: it fetches the page's files from here.
            "Content-Security-Policy": "default-src 'self'",
        },
    )


@router.get("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    ends = endpoints(settings, str(request.base_url))
    return RedirectResponse(start_login(session, settings, ends, next_path or "/"), 303)


@router.get("/login/callback")
def login_callback(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str | None, Query(max_length=500)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if error or not code or not state:
        return message(request, "login.failed", error or "missing code or state", 400)
    ends = endpoints(settings, str(request.base_url))
    try:
        done = finish_login(
            session,
            settings,
            ends,
            request.app.state.verifier,
            state=state,
            code=code,
            client=client_address(request),
        )
    except AmbulantError as refused:
        session.commit()  # the used-up login stays used up
        status = refused.status_code if refused.status_code in (401, 403) else 400
        return message(request, "login.failed", refused.message, status)
    except (OAuthError, HTTPError) as failed:
        log.warning("login: the token exchange failed: %s", failed)
        session.commit()
        return message(request, "login.failed", "the identity provider did not answer", 502)
    record(
        session, done.principal, AuditAction.CREATE, "web_session", client=client_address(request)
    )
    target = done.next_path if done.next_path != "/" else home_of(done.principal)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        done.cookie,
        max_age=settings.web_session_ttl_min * 60,
        httponly=True,
        secure=request.url.scheme == "https" or settings.environment == "production",
        samesite="lax",
        path="/",
    )
    return response


@router.post("/logout")
def logout(
    request: Request, session: SessionDep, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    row = session_for(session, request.cookies.get(COOKIE))
    if row is not None:
        if not csrf_matches(row, csrf):
            return message(request, "error.title", "the page's CSRF token is wrong", 403)
        close_session(session, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# The development issuer: a login page to pick a demo user, and its token endpoint.


def _require_dev_issuer(settings: SettingsDep) -> None:
    if not uses_development_issuer(settings) or settings.environment == "production":
        raise Forbidden("the development issuer is off: log in at the identity provider")


@router.get("/dev-issuer/authorize")
def dev_authorize_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    response_type: Annotated[str, Query(max_length=20)],
    client_id: Annotated[str, Query(max_length=200)],
    redirect_uri: Annotated[str, Query(max_length=500)],
    state: Annotated[str, Query(max_length=200)],
    code_challenge: Annotated[str, Query(max_length=200)],
    code_challenge_method: Annotated[str, Query(max_length=10)],
    scope: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    _require_dev_issuer(settings)
    if response_type != "code" or code_challenge_method != "S256":
        return message(request, "login.failed", "only response_type=code with S256 PKCE", 400)
    if not redirect_uri.startswith(str(request.base_url)):
        return message(request, "login.failed", "redirect_uri must be this server's", 400)
    municipalities = session.exec(select(Municipality).order_by(col(Municipality.name))).all()
    staff = session.exec(select(Staff).order_by(col(Staff.name))).all()
    oauth = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge,
    }
    return render(
        request, "dev_login.html", oauth=oauth, municipalities=municipalities, staff=staff
    )


@router.post("/dev-issuer/authorize")
def dev_authorize(
    session: SessionDep,
    settings: SettingsDep,
    pick: Annotated[str, Form(max_length=100)],
    client_id: Annotated[str, Form(max_length=200)],
    redirect_uri: Annotated[str, Form(max_length=500)],
    state: Annotated[str, Form(max_length=200)],
    code_challenge: Annotated[str, Form(max_length=200)],
) -> Response:
    _require_dev_issuer(settings)
    kind, _, value = pick.partition(":")
    if kind == "nurse" and value.isdigit():
        subject = f"staff:{value}"
        ensure_user(session, subject=subject, role=Role.NURSE, staff_id=int(value))
    elif kind == "coordinator" and value:
        subject = f"dev:coordinator:{value}"
        ensure_user(session, subject=subject, role=Role.COORDINATOR, municipalities=[value])
    elif kind == "admin":
        subject = "dev:admin"
        ensure_user(session, subject=subject, role=Role.ADMIN)
    else:
        raise Forbidden("pick a demo user from the list")
    code = grant_code(
        subject=subject,
        client_id=client_id,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
    )
    return RedirectResponse(redirect_uri + "?" + urlencode({"code": code, "state": state}), 303)


@router.post("/dev-issuer/token")
def dev_token(
    settings: SettingsDep,
    grant_type: Annotated[str, Form(max_length=50)],
    code: Annotated[str, Form(max_length=200)],
    redirect_uri: Annotated[str, Form(max_length=500)],
    code_verifier: Annotated[str, Form(max_length=200)],
    client_id: Annotated[str, Form(max_length=200)] = "",
) -> JSONResponse:
    """RFC 6749 §5: errors are 400 with an `error` code, as an OAuth client expects."""
    _require_dev_issuer(settings)
    if grant_type != "authorization_code":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    try:
        token = exchange_code(
            settings,
            code=code,
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        )
    except AmbulantError as refused:
        return JSONResponse(
            {"error": "invalid_grant", "error_description": refused.message}, status_code=400
        )
    return JSONResponse(token, headers={"Cache-Control": "no-store"})
