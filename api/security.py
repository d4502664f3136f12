"""HTTP hardening: security headers, request size limit, CORS allow-list, rate limits, and a
Swagger UI page whose content security policy allows exactly its own script.

The middlewares are plain ASGI, so they wrap streaming responses and every error path alike.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from limits import parse

from ambulant.config import Settings
from api.deps import PrincipalDep

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# An API answers JSON: nothing in it may load, run, frame or submit anything.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=63072000; includeSubDomains"
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"geolocation=(), camera=(), microphone=()",
}


class SecurityHeaders:
    """Adds the security headers to every response; a route's own CSP or Cache-Control wins.

    Answers default to `Cache-Control: no-store`: they hold personal data that no shared or
    browser cache should keep. HSTS is sent on HTTPS only (behind a TLS proxy, uvicorn's
    --proxy-headers sets the scheme).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = dict(SECURITY_HEADERS)
                extra[b"content-security-policy"] = API_CSP.encode()
                extra[b"cache-control"] = b"no-store"
                if https:
                    extra[b"strict-transport-security"] = HSTS.encode()
                headers.extend((k, v) for k, v in extra.items() if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestSizeLimit:
    """413 for a request body over `max_bytes`: at once by Content-Length, or as soon as a
    streamed body passes the limit (a client may leave the length out)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer now and tell the app the client has gone; whatever it makes of
                    # that (FastAPI: a 400) is never sent.
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if not refused:
                started = started or message["type"] == "http.response.start"
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"the request body is larger than {self.max_bytes} bytes", "field": None}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# The one secret a URL carries: a calendar link's, since a subscribed calendar sends nothing else.
SECRET_QUERY = re.compile(r"([?&]token=)[^&\s\"]*")
REDACTED = r"\1[redacted]"


class RedactSecretQuery(logging.Filter):
    """Blanks the `token` of a request line in the access log (uvicorn logs the path with its
    query), so a log that leaks opens no calendar feed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = SECRET_QUERY.sub(REDACTED, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                SECRET_QUERY.sub(REDACTED, a) if isinstance(a, str) else a for a in record.args
            )
        return True


def install_log_redaction(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactSecretQuery) for f in logger.filters):
        logger.addFilter(RedactSecretQuery())


class RateLimiter:
    """A moving-window limit per key, in memory: each API process counts on its own, so N
    processes allow N times the rate. The spec ("120/minute") is read by the `limits` library;
    the window is a deque of hit times per key kept here, because `limits`' memory storage starts
    a timer thread every 10 ms to expire its entries, which at a few hundred requests a second
    cost more than all the rest of the check (docs/benchmarks.md, "Many nurses at once")."""

    # How often (in checks) keys whose window has emptied are forgotten.
    PRUNE_EVERY = 1000

    def __init__(self, spec: str, clock: Callable[[], float] = time.monotonic) -> None:
        item = parse(spec)
        self.amount = item.amount
        self.window_s = float(item.get_expiry())
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        # The sync routes' dependencies call from worker threads, the async ones from the loop.
        self._lock = threading.Lock()
        self._checks = 0

    def check(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.amount:
                retry_after = hits[0] + self.window_s - now
                raise HTTPException(
                    status_code=429,
                    detail="too many requests; try again later",
                    headers={"Retry-After": str(max(1, math.ceil(retry_after)))},
                )
            hits.append(now)
            self._checks += 1
            if self._checks % self.PRUNE_EVERY == 0:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window_s]
        for key in idle:
            del self._hits[key]


def limit_token_endpoints(request: Request) -> None:
    """A dependency for the token-related endpoints (the JWKS today, the login later)."""
    limiter: RateLimiter = request.app.state.token_rate_limiter
    limiter.check(request.client.host if request.client else "unknown")


def limit_calendar_feed(request: Request) -> None:
    """A dependency for the calendar feed: its link's requests are bounded, whoever sends them
    (a leaked link cannot be polled without end). Keyed by a hash so no secret sits in memory."""
    limiter: RateLimiter = request.app.state.calendar_feed_rate_limiter
    token = request.query_params.get("token", "")
    limiter.check("feed:" + hashlib.sha256(token.encode()).hexdigest())


async def limit_field_requests(request: Request, principal: PrincipalDep) -> None:
    """A dependency for the routes a phone retries (its status reports, its schedule): bounded
    per caller, by the token's subject, since many phones share a carrier's few addresses.
    Async: counting in memory needs no worker thread."""
    limiter: RateLimiter = request.app.state.field_rate_limiter
    limiter.check("caller:" + principal.subject)


def swagger_ui(openapi_url: str, title: str) -> HTMLResponse:
    """The Swagger UI page with a CSP naming its one inline script by hash (no 'unsafe-inline'
    for scripts)."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{title} - API")
    html = bytes(page.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    cdn = "https://cdn.jsdelivr.net"
    csp = (
        f"default-src 'none'; script-src {cdn} {hashes}; style-src {cdn} 'unsafe-inline'; "
        "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})


def install_security(app: FastAPI, settings: Settings) -> None:
    """Middlewares, outermost first: size limit, headers, then CORS (only with an allow-list);
    rate limiters; the access log's redaction of secrets."""
    install_log_redaction()
    app.state.token_rate_limiter = RateLimiter(settings.token_rate_limit)
    app.state.calendar_feed_rate_limiter = RateLimiter(settings.calendar_feed_rate_limit)
    app.state.field_rate_limiter = RateLimiter(settings.field_rate_limit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["Location", "ETag", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
