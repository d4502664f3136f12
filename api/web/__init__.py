"""The small web pages served beside the API (docs/pages.md)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.pages import router

HERE = Path(__file__).parent
# Libraries from the npm registry (package.json here; `make` runs `npm ci`), served as they ship.
VENDOR = HERE / "node_modules"


def install_pages(app: FastAPI) -> None:
    app.include_router(router)
    if (VENDOR / "leaflet" / "dist").is_dir():
        app.mount(
            "/static/vendor/leaflet",
            StaticFiles(directory=VENDOR / "leaflet" / "dist"),
            name="leaflet",
        )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
