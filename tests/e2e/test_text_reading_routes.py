"""``POST /imagen/texto`` and the text in ``/imagen/analizar``, through a real server whose OCR is the
fake reader (``OCR_PROVIDER=fake``: "PROHIBIDO EL PASO", or "NO ENTRY" in English, on any photo that
is not all one colour)."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from typing import Any

import httpx
from PIL import Image


def photo(fmt: str = "JPEG", *, plain: bool = False, size: tuple[int, int] = (120, 90)) -> bytes:
    """A photo with two colours (the fake reads text in it), or of one colour (no text)."""
    picture = Image.new("RGB", size, (200, 200, 200))
    if not plain:
        picture.paste((20, 20, 20), (10, 10, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def send(client: httpx.Client, data: bytes, path: str = "/imagen/texto", **params: str) -> httpx.Response:
    return client.post(path, files={"file": ("foto.jpg", data, "application/octet-stream")}, params=params)


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code and isinstance(body["detail"], str) and body["detail"]
    return body


def test_the_text_of_a_photo_comes_with_its_lines_boxes_and_confidences(client: httpx.Client) -> None:
    response = send(client, photo())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"text", "lines", "language", "model", "elapsed_ms"}
    assert (body["text"], body["language"], body["model"]) == ("PROHIBIDO EL PASO", "es", "fake-ocr")
    [line] = body["lines"]
    assert line["text"] == "PROHIBIDO EL PASO" and 0 < line["confidence"] <= 1
    box = line["box"]
    assert set(box) == {"x", "y", "width", "height"}
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 120 and box["y"] + box["height"] <= 90
    assert body["elapsed_ms"] >= 0


def test_lang_chooses_the_language_read_and_base64_json_reads_the_same(client: httpx.Client) -> None:
    as_json = client.post("/imagen/texto", params={"lang": "EN"},
                          json={"image": "data:image/png;base64," + base64.b64encode(photo("PNG")).decode()})
    assert as_json.status_code == 200, as_json.text
    assert (as_json.json()["text"], as_json.json()["language"]) == ("NO ENTRY", "en")
    plain_base64 = client.post("/imagen/texto", params={"lang": "en"},
                               json={"image": base64.b64encode(photo("WEBP")).decode()})
    assert plain_base64.json()["text"] == "NO ENTRY"


def test_a_photo_without_text_gives_empty_text_and_no_lines(client: httpx.Client) -> None:
    body = send(client, photo(plain=True)).json()
    assert (body["text"], body["lines"]) == ("", [])


def test_the_analysis_adds_the_text_and_its_description_ends_with_it(client: httpx.Client) -> None:
    body = send(client, photo(), "/imagen/analizar").json()
    assert body["text"] == "PROHIBIDO EL PASO" and body["lines"][0]["text"] == "PROHIBIDO EL PASO"
    assert body["description"].endswith(". Hay un texto que dice: «PROHIBIDO EL PASO».")
    assert body["models"]["ocr"] == "fake-ocr"
    english = send(client, photo(), "/imagen/analizar", lang="en").json()
    assert english["description"].endswith("There is text that says: “NO ENTRY”.")
    legacy = send(client, photo(), "/api/image/process-image").json()
    assert legacy["text"] == body["text"] and legacy["description"] == body["description"]


def test_the_analysis_of_a_photo_without_text_says_nothing_of_text(client: httpx.Client) -> None:
    body = send(client, photo(plain=True), "/imagen/analizar").json()
    assert (body["text"], body["lines"]) == ("", [])
    assert "dice" not in body["description"]


def test_an_unknown_lang_is_422_listing_the_accepted_values(client: httpx.Client) -> None:
    body = error(send(client, photo(), lang="fr"), 422, "validation_error")
    assert body["accepted"] == ["es", "en"]


def test_a_broken_image_is_400_and_broken_base64_422(client: httpx.Client) -> None:
    error(send(client, photo()[:200]), 400, "unreadable_media")
    error(send(client, b"%PDF-1.4 a document, not a photo" * 4), 400, "unreadable_media")
    body = error(client.post("/imagen/texto", json={"image": "no es base64!"}), 422, "validation_error")
    assert body["errors"][0]["field"] == "image"


def test_an_unsupported_format_is_415(client: httpx.Client) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(gif, "GIF")
    error(send(client, gif.getvalue()), 415, "unsupported_media_type")


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(
        b"IEND", b"")


def test_a_huge_image_is_413_before_it_is_decoded(client: httpx.Client) -> None:
    error(send(client, _png_claiming(30_000, 30_000)), 413, "payload_too_large")


def test_the_route_is_in_the_openapi_document_with_its_response(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/imagen/texto"]["post"]
    assert {"200", "400", "413", "415", "422"} <= set(operation["responses"])
    assert any(p["name"] == "lang" for p in operation["parameters"])
    schemas = document["components"]["schemas"]
    assert set(schemas["TextView"]["properties"]) == {"text", "lines", "language", "model", "elapsed_ms"}
    assert set(schemas["TextLineView"]["properties"]) == {"text", "confidence", "box"}
    assert {"text", "lines"} <= set(schemas["AnalysisView"]["properties"])
