"""The published schema of uploads promises only what the server takes (issue 12, item 10): every
``image`` string the OpenAPI pattern allows decodes as base64, the strings the decoder refuses are
outside the pattern, and an uploaded file must not be empty."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ova.entrypoints.app import API_ROUTES
from ova.entrypoints.asgi.converter import RequestValidationError, parse
from ova.entrypoints.http.openapi_document import build_openapi
from ova.entrypoints.http.uploads import BASE64_IMAGE_PATTERN, Base64Image, _decode_base64

LIMIT = 1024 * 1024
IMAGE_ROUTES = {route.spec.openapi_path for route in API_ROUTES if route.spec.request is Base64Image}


def decodes(value: str) -> bool:
    try:
        _decode_base64(parse(Base64Image, {"image": value}).image, LIMIT)
    except RequestValidationError:
        return False
    return True


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_openapi(API_ROUTES)


@pytest.fixture(scope="module")
def image_schema(document: dict[str, Any]) -> dict[str, Any]:
    return dict(document["components"]["schemas"]["Base64Image"]["properties"]["image"])


def test_the_image_field_is_published_as_base64(image_schema: dict[str, Any]) -> None:
    assert image_schema["contentEncoding"] == "base64"
    assert image_schema["pattern"] == BASE64_IMAGE_PATTERN
    assert image_schema["minLength"] == 1


def test_every_json_image_route_uses_it(document: dict[str, Any]) -> None:
    assert len(IMAGE_ROUTES) == 9
    for path in IMAGE_ROUTES:
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Base64Image"}, path


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.from_regex(BASE64_IMAGE_PATTERN, fullmatch=True).filter(lambda value: len(value) <= 4096))
def test_every_image_the_schema_allows_decodes(value: str) -> None:
    if value:  # minLength 1
        assert decodes(value), value


@pytest.mark.parametrize("value", ["0", "AAA", "AAAAA", "A===", "****", "data:image/png,AAAA",
                                   "data:image/png;base64", "AA=A", "\x00AAA"])
def test_what_the_decoder_refuses_the_schema_refuses(image_schema: dict[str, Any], value: str) -> None:
    assert not decodes(value)
    assert not jsonschema_rs.is_valid(image_schema, value)


@pytest.mark.parametrize("value", ["AAAA", "iVBORw0KGgo=", "data:image/png;base64,AAAA", "data:;base64,AA=="])
def test_valid_base64_is_allowed_and_decodes(image_schema: dict[str, Any], value: str) -> None:
    assert decodes(value)
    assert jsonschema_rs.is_valid(image_schema, value)


def test_an_uploaded_file_must_not_be_empty(document: dict[str, Any]) -> None:
    for path in (*IMAGE_ROUTES, "/audio/transcribir"):
        body = document["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert body["properties"]["file"]["minLength"] == 1, path


def test_the_voice_is_documented_as_the_engine_s(document: dict[str, Any]) -> None:
    assert "el esquema las enumera" in document["paths"]["/audio/sintetizar"]["post"]["description"]
