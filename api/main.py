"""The HTTP API: `create_app()` builds it (uvicorn calls it as a factory, tests with their own
settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from ambulant.auth import verifier_for
from ambulant.config import Settings, get_settings
from ambulant.db import make_engine
from ambulant.jobs import get_queue, shutdown_queues
from ambulant.planning.recovery import resubmit_pending
from api.errors import install_error_handlers
from api.routes import api_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url)
        app.state.verifier = verifier_for(settings)
        if settings.queue == "local":
            # Plans queued before a restart (or by `ambulant run`) live only in the database when
            # the workers are in-process; RQ keeps its own queue in Redis.
            resubmit_pending(app.state.engine, get_queue(settings))
        try:
            yield
        finally:
            # The queues are per process; a process serves one app.
            shutdown_queues()
            app.state.engine.dispose()

    app = FastAPI(
        title="ambulant",
        summary="Plans the working day of ambulant home-care teams.",
        version=version("ambulant"),
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(api_router)
    return app
