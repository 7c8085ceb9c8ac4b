"""``/imagen`` and ``/asl``, and the published client's ``/api/image`` aliases."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ova.entrypoints.http.ai_views import (
    AnalysisView,
    DescriptionView,
    ObjectsView,
    SignModelView,
    SignView,
    TextView,
)
from ova.entrypoints.http.openapi.operations import QueryParam
from ova.entrypoints.http.requests import container, settings
from ova.entrypoints.http.routing import api, respond
from ova.entrypoints.http.uploads import MULTIPART_SCHEMA, Base64Image, read_upload


def _lang(request: Request) -> str:
    """``?lang=`` (checked by the use case: an unknown one is 422), else ``DEFAULT_LANGUAGE``."""
    return request.query_params.get("lang", "").strip() or settings(request).default_language.value


async def analyze(request: Request) -> Response:
    data = await read_upload(request, allow_json=True)
    return respond(AnalysisView.of(await container(request).analyze_image()(data, lang=_lang(request))))


async def objects(request: Request) -> Response:
    data = await read_upload(request, allow_json=True)
    return respond(ObjectsView.of(await container(request).detect_objects()(data)))


async def describe(request: Request) -> Response:
    data = await read_upload(request, allow_json=True)
    return respond(DescriptionView.of(await container(request).describe_image()(data, lang=_lang(request))))


async def read_text(request: Request) -> Response:
    data = await read_upload(request, allow_json=True)
    return respond(TextView.of(await container(request).read_text()(data, lang=_lang(request))))


async def recognize_sign(request: Request) -> Response:
    data = await read_upload(request, allow_json=True)
    return respond(SignView.of(await container(request).recognize_sign()(data)))


async def sign_model(request: Request) -> Response:
    return respond(SignModelView.of(container(request).describe_sign_model()()))


LANG = QueryParam(name="lang", type=str, required=False,
                  description="`es` o `en` (por defecto `DEFAULT_LANGUAGE`, `es`).", default="es")
UPLOAD = {"request": Base64Image, "request_multipart": MULTIPART_SCHEMA, "errors": (400, 413, 415, 422, 503)}
IMAGE_NOTE = ("Sube la foto como multipart (`file`) o JSON `{\"image\": \"<base64 o data: URL>\"}`. "
              "JPEG, PNG o WEBP, según los bytes; tamaño máximo MAX_UPLOAD_MB; más de MAX_IMAGE_PIXELS píxeles: 413. "
              "Con todos los modelos ocupados: 503 `busy` con Retry-After.")
TEXT_NOTE = (IMAGE_NOTE + " `lang` es el idioma que se espera leer primero (también se lee el otro). "
             "Una foto sin texto da `text: \"\"` y `lines: []`; `confidence` va de 0 a 1.")
SIGN_NOTE = (
    "`confidence` (0 a 100) es la de `prediction`. `status`: `recognized`, `not_sure` (se ve una mano pero la letra "
    "más probable no llega a `ASL_MIN_CONFIDENCE`: `success: false`, `prediction: null`, `confidence: 0` y las "
    "candidatas en `alternatives`) o `no_hand`. `top`: las tres letras más probables con su confianza."
)
ALIASES = ("aliases",)

ROUTES = [
    api(analyze, path="/imagen/analizar", method="POST", summary="Objetos y descripción de una foto",
        tags=("imagen",), response=AnalysisView, query=(LANG,), description=IMAGE_NOTE, **UPLOAD),
    api(objects, path="/imagen/objetos", method="POST", summary="Objetos de una foto", tags=("imagen",),
        response=ObjectsView, description=IMAGE_NOTE, **UPLOAD),
    api(describe, path="/imagen/descripcion", method="POST", summary="Descripción de una foto", tags=("imagen",),
        response=DescriptionView, query=(LANG,), description=IMAGE_NOTE, **UPLOAD),
    api(read_text, path="/imagen/texto", method="POST", summary="Texto escrito en una foto (OCR)",
        tags=("imagen",), response=TextView, query=(LANG,), description=TEXT_NOTE, **UPLOAD),
    api(recognize_sign, path="/asl/analizar", method="POST", summary="Letra del alfabeto de signos (ASL)",
        tags=("asl",), response=SignView, description=SIGN_NOTE, **UPLOAD),
    api(sign_model, path="/asl/modelo/info", method="GET", summary="Modelo de signos en uso", tags=("asl",),
        response=SignModelView),
    *(
        api(recognize_sign, path=path, method="POST", summary="Letra ASL (cliente publicado)", tags=ALIASES,
            response=SignView, description=SIGN_NOTE, **UPLOAD)
        for path in ("/api/image/asl/predict_space", "/api/image/asl/predict", "/api/image/analyze-sign-language")
    ),
    api(analyze, path="/api/image/process-image", method="POST", summary="Analizar foto (cliente publicado)",
        tags=ALIASES, response=AnalysisView, query=(LANG,), **UPLOAD),
]
