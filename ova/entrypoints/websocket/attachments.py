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
    payload = message.audio
    if payload.startswith("data:"):
        payload = payload.partition(",")[2]
    if len(payload) > (max_bytes + 2) // 3 * 4 + 4:
        raise FrameError("too_large", f"La nota de voz supera el máximo de {max_bytes // (1024 * 1024)} MB.",
                         max_bytes=max_bytes)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameError("invalid_audio", "El audio no está en base64.") from None
    if not data:
        raise FrameError("invalid_audio", "La nota de voz está vacía.")
    if len(data) > max_bytes:
        raise FrameError("too_large", f"La nota de voz supera el máximo de {max_bytes // (1024 * 1024)} MB.",
                         max_bytes=max_bytes)
    return data


def decode_image(message: ImageMessage, *, max_bytes: int) -> bytes:
    """The photo's bytes (base64, optionally as a ``data:image/...;base64,`` URL); whether they are an
    image of an accepted format is the image decoder's to say."""
    payload = message.image
    if payload.startswith("data:"):
        payload = payload.partition(",")[2]
    too_large = FrameError("too_large", f"La foto supera el máximo de {max_bytes // (1024 * 1024)} MB.",
                           max_bytes=max_bytes)
    if len(payload) > (max_bytes + 2) // 3 * 4 + 4:
        raise too_large
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FrameError("invalid_image", "La foto no está en base64.") from None
    if not data:
        raise FrameError("invalid_image", "La foto está vacía.")
    if len(data) > max_bytes:
        raise too_large
    return data
