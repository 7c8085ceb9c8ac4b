"""``/openapi.json`` and ``/docs`` (Swagger UI from the packaged assets: works offline)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

ASSETS = "/docs/assets"
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
  window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
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
        Route("/docs", docs, methods=["GET"]),
        Route(ASSETS + "/docs-init.js", init_script, methods=["GET"]),
        Mount(ASSETS, StaticFiles(directory=Path(swagger_ui_bundle.swagger_ui_path))),
    ]
