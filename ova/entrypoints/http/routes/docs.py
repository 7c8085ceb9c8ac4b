"""``/openapi.json`` and ``/docs`` (Swagger UI from the packaged assets: works offline), and the content
security policy the page needs."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

PAGE_PATH = "/docs"
ASSETS = "/docs/assets"
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""What ``PAGE`` loads and nothing more: its scripts and stylesheet from ``ASSETS`` (no inline script:
the set-up is ``docs-init.js``), the stylesheet's ``data:`` images, ``/openapi.json`` and "Try it out"
requests to this origin. Inline styles are allowed for the style attributes Swagger UI renders; no
third party is contacted (``validatorUrl: null`` turns off the online validator badge)."""
PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>OVA API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-ui-standalone-preset.js"></script>
<script src="{assets}/docs-init.js"></script>
</body></html>
"""
INIT = """window.onload = function () {
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"});
};
"""


def docs_routes(openapi_json: bytes) -> list[BaseRoute]:
    async def openapi(request: Request) -> Response:
        return Response(openapi_json, media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(PAGE.format(assets=ASSETS))

    async def init_script(request: Request) -> Response:
        return Response(INIT, media_type="application/javascript")

    return [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route(PAGE_PATH, docs, methods=["GET"]),
        Route(ASSETS + "/docs-init.js", init_script, methods=["GET"]),
        Mount(ASSETS, StaticFiles(directory=Path(swagger_ui_bundle.swagger_ui_path))),
    ]
