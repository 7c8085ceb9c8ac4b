"""Uploaded bytes to RGB pixels with Pillow: JPEG, PNG and WEBP only, size limits checked first."""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Callable
from io import BytesIO
from typing import IO

from PIL import Image, ImageFile, ImageOps, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import MediaTooLarge, UnreadableMedia, UnsupportedMedia
from ova.domain.vision import RgbImage

# Image.open's "could not parse this" family, plus what a broken stream raises while decoding.
_BROKEN = (SyntaxError, IndexError, TypeError, ValueError, struct.error, OSError, EOFError)
_ACCEPTED = "Formatos aceptados: JPEG, PNG y WEBP."
_WHITE = (255, 255, 255)


class PillowImageDecoder:
    """Opens only the JPEG, PNG and WEBP plugins, directly, instead of ``Image.open``: that way the
    pixel limit is ours (checked from the header, before anything is allocated) and Pillow's
    ``DecompressionBombWarning`` is never raised. A JPEG with a multi-picture index (MPO, as many
    phones write) counts as JPEG and its first picture is used."""

    def __init__(self, *, max_bytes: int, max_pixels: int, pool: InferencePool) -> None:
        self._max_bytes = max_bytes
        self._max_pixels = max_pixels
        self._pool = pool

    async def decode(self, data: bytes) -> RgbImage:
        if not data:
            raise UnreadableMedia("El archivo está vacío.")
        if len(data) > self._max_bytes:
            raise MediaTooLarge(f"La imagen ocupa más de {self._max_bytes / (1024 * 1024):.3g} MB.")
        return await self._pool.run(lambda: self.decode_now(data))

    def decode_now(self, data: bytes) -> RgbImage:
        """The blocking part, for callers already off the event loop."""
        im = self._open(data)
        try:
            try:
                im.load()
            except Image.DecompressionBombError as exc:
                raise self._too_large(im.size) from exc
            except _BROKEN as exc:
                raise UnreadableMedia("La imagen está dañada o incompleta.") from exc
            source_format = "JPEG" if im.format == "MPO" else (im.format or "JPEG")
            rgb = _to_rgb(_upright(im))
            return RgbImage(width=rgb.width, height=rgb.height, pixels=rgb.tobytes(), source_format=source_format)
        finally:
            im.close()

    def _open(self, data: bytes) -> ImageFile.ImageFile:
        prefix = data[:16]
        for name, (factory, accept) in _accepted_openers():
            if accept is not None and not accept(prefix):
                continue
            if name == "WEBP":  # the WEBP plugin allocates its canvas while opening
                self._check_pixels(_webp_canvas_size(data))
            try:
                im = factory(BytesIO(data), "")
            except Image.DecompressionBombError as exc:
                raise MediaTooLarge("La imagen tiene demasiados píxeles.") from exc
            except _BROKEN as exc:
                raise UnreadableMedia("La imagen está dañada o incompleta.") from exc
            self._check_pixels(im.size)
            return im
        if _other_image_format(prefix):
            raise UnsupportedMedia(f"Formato de imagen no soportado. {_ACCEPTED}")
        raise UnreadableMedia(f"El archivo no es una imagen válida. {_ACCEPTED}")

    def _check_pixels(self, size: tuple[int, int] | None) -> None:
        if size is not None and size[0] * size[1] > self._max_pixels:
            raise self._too_large(size)

    def _too_large(self, size: tuple[int, int]) -> MediaTooLarge:
        return MediaTooLarge(
            f"La imagen mide {size[0]}×{size[1]} píxeles; el máximo es {self._max_pixels:,} píxeles en total."
        )


_Opener = tuple[Callable[[IO[bytes], str | bytes], ImageFile.ImageFile], Callable[[bytes], bool | str] | None]


def _accepted_openers() -> list[tuple[str, _Opener]]:
    return [(name, Image.OPEN[name]) for name in ("JPEG", "PNG", "WEBP") if name in Image.OPEN]


def _other_image_format(prefix: bytes) -> bool:
    """Whether any other Pillow plugin (GIF, BMP, TIFF...) claims these bytes: a 415, not a 400."""
    Image.init()
    if prefix[4:8] == b"ftyp":  # HEIC, AVIF: ISO media files, which this Pillow may not read
        return True
    return any(accept is not None and _claims(accept, prefix) for _, accept in Image.OPEN.values())


def _claims(accept: Callable[[bytes], bool | str], prefix: bytes) -> bool:
    """Some plugins' checks read past a short prefix (BMP unpacks 4 bytes of a 1-byte file)."""
    try:
        return bool(accept(prefix))
    except _BROKEN:
        return False


def _webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size in a WEBP header (the three chunk kinds), or ``None`` if it cannot be read."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _upright(im: Image.Image) -> Image.Image:
    """Applies the EXIF orientation; a broken EXIF block leaves the picture as it was stored."""
    with contextlib.suppress(*_BROKEN):  # the rotation, if any, is done before the EXIF is rewritten
        ImageOps.exif_transpose(im, in_place=True)
    return im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):  # 16-bit grey: keep the top 8 bits
        return im.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


# Imported for their registration in Image.OPEN; named so the import is not "unused".
_PLUGINS = (JpegImagePlugin, PngImagePlugin, WebPImagePlugin)
