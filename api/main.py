"""The HTTP API: `create_app()` builds it (uvicorn calls it as a factory, tests with their own
settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

import anyio
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from ambulant.audit import AuditWriter
from ambulant.auth import verifier_for
from ambulant.auth.deployment import check_deployment
from ambulant.config import Settings, get_settings
from ambulant.db import make_engine
from ambulant.jobs import get_queue, shutdown_queues
from ambulant.jobs.recovery import resubmit_pending
from api.errors import install_error_handlers
from api.openapi import install_openapi
from api.routes import api_router
from api.security import install_security, swagger_ui
from api.web import install_pages


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; refuses (UnsafeConfiguration) settings that production must not run with."""
    settings = settings or get_settings()
    check_deployment(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        # As many requests hold a session at once as the pool has connections (api/deps.py).
        app.state.session_slots = anyio.CapacityLimiter(settings.db_pool_size)
        app.state.verifier = verifier_for(settings)
        # The audit entries of reads, committed for many requests at once (ambulant.audit).
        app.state.audit_writer = AuditWriter(app.state.engine)
        app.state.audit_writer.start()
        if settings.queue == "local":
            # Plans queued before a restart (or by `ambulant run`) live only in the database when
            # the workers are in-process; RQ keeps its own queue in Redis.
            resubmit_pending(app.state.engine, get_queue(settings))
        try:
            yield
        finally:
            # The queues are per process; a process serves one app.
            shutdown_queues()
            app.state.audit_writer.close()
            app.state.engine.dispose()

    app = FastAPI(
        title="ambulant",
        summary="Plans the working day of ambulant home-care teams.",
        version=version("ambulant"),
        lifespan=lifespan,
        # Our own /docs page carries a CSP for its script; ReDoc is not served.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_security(app, settings)
    app.include_router(api_router)
    install_openapi(app)
    install_pages(app)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return swagger_ui(app.openapi_url or "/openapi.json", app.title)

    return app
