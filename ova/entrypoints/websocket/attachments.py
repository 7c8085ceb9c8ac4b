"""The bytes a voice note or a photo carries: base64, optionally as a ``data:`` URL, within a limit.

Whether the bytes are audio or an image of an accepted format is the speech model's or the image
decoder's to say; here they are only decoded and measured.
"""

from __future__ import annotations

import base64
import binascii

from ova.entrypoints.websocket.client_frames import AudioMessage, FrameError, ImageMessage


def decode_audio(message: AudioMessage, *, max_bytes: int) -> bytes:
    """The voice note's bytes (base64, optionally as a ``data:audio/...;base64,`` URL)."""
    return _decoded(message.audio, max_bytes=max_bytes, code="invalid_audio", what="La nota de voz",
                    not_base64="El audio no está en base64.")


def decode_image(message: ImageMessage, *, max_bytes: int) -> bytes:
    """The photo's bytes (base64, optionally as a ``data:image/...;base64,`` URL); whether they are an
    image of an accepted format is the image decoder's to say."""
    return _decoded(message.image, max_bytes=max_bytes, code="invalid_image", what="La foto",
                    not_base64="La foto no está en base64.")


def _decoded(payload: str, *, max_bytes: int, code: str, what: str, not_base64: str) -> bytes:
    """``payload``'s bytes, refused as ``too_large`` past ``max_bytes`` (before decoding when its
    base64 alone says so), as ``code`` when it is not base64 or holds nothing; ``what`` names the
    attachment in the refusals."""
    if payload.startswith("data:"):
        payload = payload.partition(",")[2]
    if len(payload) > (max_bytes + 2) // 3 * 4 + 4:
        raise _too_large(what, max_bytes)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameError(code, not_base64) from None
    if not data:
        raise FrameError(code, f"{what} está vacía.")
    if len(data) > max_bytes:
        raise _too_large(what, max_bytes)
    return data


def _too_large(what: str, max_bytes: int) -> FrameError:
    return FrameError("too_large", f"{what} supera el máximo de {max_bytes // (1024 * 1024)} MB.", max_bytes=max_bytes)
