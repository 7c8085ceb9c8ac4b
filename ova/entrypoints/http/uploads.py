"""Uploaded files: one multipart part named ``file``, or JSON ``{"image": "<base64 or data: URL>"}``."""

from __future__ import annotations

import base64
import binascii

from attrs import field, frozen
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message, Receive

from ova.domain.errors import MediaTooLarge
from ova.domain.text import Text
from ova.entrypoints.asgi.converter import FieldError, RequestValidationError, parse
from ova.entrypoints.asgi.problems import HttpProblem
from ova.entrypoints.http.requests import media_type, read_json, read_raw_body, settings

MULTIPART_OVERHEAD = 64 * 1024
MULTIPART_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "minLength": 1,
                            "description": "El archivo (no vacío: un archivo de 0 bytes se rechaza)."}},
}
# What ``_decode_base64`` accepts, published as the ``image`` field's pattern: an optional
# ``data:...;base64,`` header (no comma, no control character) and standard, padded base64. The
# decoder also ignores whitespace inside the payload; the pattern leaves it out, so every string drawn
# from it decodes (whether the bytes are a photo is for the image decoder: 400 when not).
BASE64_PAYLOAD = "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
BASE64_IMAGE_PATTERN = f"^(?:data:[^,\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*;base64,)?{BASE64_PAYLOAD}$"


@frozen
class Base64Image:
    """A photo as base64, or as a ``data:image/...;base64,`` URL."""

    image: str = field(
        validator=Text(min_length=1, max_length=20 * 1024 * 1024, strip=False),
        metadata={"schema": {"contentEncoding": "base64", "contentMediaType": "image/*",
                             "pattern": BASE64_IMAGE_PATTERN}},
    )


def upload_limit(request: Request) -> int:
    return settings(request).http.max_upload_mb * 1024 * 1024


async def read_upload(request: Request, *, allow_json: bool) -> bytes:
    """The uploaded bytes, never more than ``MAX_UPLOAD_MB`` (413) and never read past that."""
    limit = upload_limit(request)
    kind = media_type(request)
    if kind == "multipart/form-data":
        data, _fields = await _multipart_file(request, limit)
        return data
    if allow_json and (kind == "application/json" or kind.endswith("+json")):
        body = parse(Base64Image, await read_json(request, limit=limit * 4 // 3 + MULTIPART_OVERHEAD))
        return _decode_base64(body.image, limit)
    accepted = "multipart/form-data (campo file)" + (" o application/json (campo image)" if allow_json else "")
    raise HttpProblem(415, f"Envía el archivo como {accepted}.")


async def read_multipart_upload(request: Request) -> tuple[bytes, dict[str, str]]:
    """The multipart ``file`` (as ``read_upload``) and the form's text fields (the last value of each)."""
    if media_type(request) != "multipart/form-data":
        raise HttpProblem(415, "Envía el archivo como multipart/form-data (campo file).")
    return await _multipart_file(request, upload_limit(request))


async def _multipart_file(request: Request, limit: int) -> tuple[bytes, dict[str, str]]:
    body = await read_raw_body(request, limit + MULTIPART_OVERHEAD)
    replayed = Request(request.scope, _replay(body))
    form = await replayed.form(max_files=1, max_fields=10)  # a broken body is HTTPException(400)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestValidationError([FieldError("file", "falta el archivo (campo file)")])
        data = await upload.read(limit + 1)
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    finally:
        await form.close()
    if len(data) > limit:
        raise MediaTooLarge(f"El archivo supera el máximo de {limit // (1024 * 1024)} MB.")
    return data, fields


def _replay(body: bytes) -> Receive:
    """The already-read body, handed to Starlette's form parser as if it were arriving."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _decode_base64(value: str, limit: int) -> bytes:
    payload = value.strip()
    if payload.startswith("data:"):
        header, comma, payload = payload.partition(",")
        if not comma or not header.endswith(";base64"):
            raise RequestValidationError([FieldError("image", "se esperaba una URL data:...;base64,")])
    try:
        data = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        raise RequestValidationError([FieldError("image", "no es base64 válido")]) from None
    if len(data) > limit:
        raise MediaTooLarge(f"El archivo supera el máximo de {limit // (1024 * 1024)} MB.")
    return data
