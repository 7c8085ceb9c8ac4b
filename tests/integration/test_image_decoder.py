from __future__ import annotations

import contextlib
import io
import struct
import warnings
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from ova.adapters.ai.images import PillowImageDecoder
from ova.adapters.ai.pool import InferencePool
from ova.domain.errors import MediaTooLarge, UnreadableMedia, UnsupportedMedia

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000


@pytest.fixture
def decoder() -> PillowImageDecoder:
    return PillowImageDecoder(max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, pool=InferencePool("images", workers=2))


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def halves(width: int, height: int) -> Image.Image:
    """Red on the left half, blue on the right."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few dozen bytes whose header announces ``width × height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


def pixel(pixels: bytes, width: int, x: int, y: int) -> tuple[int, int, int]:
    i = (y * width + x) * 3
    return pixels[i], pixels[i + 1], pixels[i + 2]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
async def test_jpeg_png_and_webp_are_decoded_to_rgb(decoder: PillowImageDecoder, fmt: str) -> None:
    image = await decoder.decode(encode(halves(64, 32), fmt, quality=95))
    assert (image.width, image.height, image.source_format) == (64, 32, fmt)
    assert len(image.pixels) == 64 * 32 * 3
    red, _, blue = pixel(image.pixels, 64, 8, 16)
    assert red > 200 and blue < 60


async def test_a_multi_picture_jpeg_from_a_phone_counts_as_jpeg(decoder: PillowImageDecoder) -> None:
    data = encode(halves(32, 16), "MPO", save_all=True, append_images=[Image.new("RGB", (32, 16))])
    image = await decoder.decode(data)
    assert (image.width, image.height, image.source_format) == (32, 16, "JPEG")


async def test_exif_orientation_is_applied(decoder: PillowImageDecoder) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turn 90° clockwise to show
    tiny = await decoder.decode(encode(Image.new("RGB", (2, 1)), "JPEG", exif=exif.tobytes()))
    assert (tiny.width, tiny.height) == (1, 2)
    image = await decoder.decode(encode(halves(64, 32), "PNG", exif=exif.tobytes()))
    assert (image.width, image.height) == (32, 64)
    assert pixel(image.pixels, 32, 16, 8) == (255, 0, 0)  # what was on the left is now on top
    assert pixel(image.pixels, 32, 16, 56) == (0, 0, 255)


@pytest.mark.parametrize("data", [b"", b"just some text, not a picture\n", bytes(range(256)) * 8])
async def test_empty_or_non_image_data_is_unreadable(decoder: PillowImageDecoder, data: bytes) -> None:
    with pytest.raises(UnreadableMedia) as error:
        await decoder.decode(data)
    assert error.value.code == "unreadable_media"


async def test_a_truncated_jpeg_is_unreadable(decoder: PillowImageDecoder) -> None:
    noisy = Image.effect_noise((256, 256), 64).convert("RGB")
    data = encode(noisy, "JPEG")
    with pytest.raises(UnreadableMedia):
        await decoder.decode(data[: len(data) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
async def test_other_image_formats_are_unsupported(decoder: PillowImageDecoder, fmt: str) -> None:
    with pytest.raises(UnsupportedMedia) as error:
        await decoder.decode(encode(Image.new("RGB", (16, 16)), fmt))
    assert "JPEG, PNG y WEBP" in error.value.detail


async def test_more_bytes_than_the_limit_is_too_large(decoder: PillowImageDecoder) -> None:
    with pytest.raises(MediaTooLarge):
        await decoder.decode(b"\xff\xd8\xff" + b"\x00" * MAX_BYTES)


@pytest.mark.parametrize("side", [20_000, 10_000, 6_400])  # past Pillow's error, past its warning, past ours only
async def test_a_small_png_announcing_a_huge_picture_is_refused_from_its_header(
    decoder: PillowImageDecoder, side: int
) -> None:
    data = png_claiming(side, side)
    assert len(data) < 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DecompressionBombWarning either
        with pytest.raises(MediaTooLarge):
            await decoder.decode(data)


@pytest.mark.parametrize("side", [16_384, 8_000])  # past Pillow's own limit, past ours only
async def test_a_webp_announcing_a_huge_canvas_is_refused_before_opening(
    decoder: PillowImageDecoder, side: int
) -> None:
    size = (side - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + size + size
    data = b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x
    with pytest.raises(MediaTooLarge):
        await decoder.decode(data)


async def test_the_pixel_limit_counts_width_times_height() -> None:
    decoder = PillowImageDecoder(max_bytes=MAX_BYTES, max_pixels=100 * 100, pool=InferencePool("images"))
    assert (await decoder.decode(encode(Image.new("RGB", (100, 100)), "PNG"))).width == 100
    with pytest.raises(MediaTooLarge):
        await decoder.decode(encode(Image.new("RGB", (101, 100)), "PNG"))


@pytest.mark.parametrize(
    ("image", "fmt"),
    [
        (Image.new("RGBA", (4, 4), (255, 0, 0, 255)), "PNG"),
        (Image.new("LA", (4, 4), (255, 255)), "PNG"),
        (Image.new("L", (4, 4), 255), "PNG"),
        (Image.new("1", (4, 4), 1), "PNG"),
        (Image.new("RGB", (4, 4), (255, 0, 0)).convert("P"), "PNG"),
        (Image.new("CMYK", (4, 4), (0, 0, 0, 0)), "JPEG"),
        (Image.new("L", (4, 4), 255), "JPEG"),
        (Image.new("RGBA", (4, 4), (255, 0, 0, 255)), "WEBP"),
    ],
    ids=["rgba", "grey-alpha", "grey", "bilevel", "palette", "cmyk-jpeg", "grey-jpeg", "rgba-webp"],
)
async def test_every_mode_comes_back_as_8_bit_rgb(decoder: PillowImageDecoder, image: Image.Image, fmt: str) -> None:
    decoded = await decoder.decode(encode(image, fmt, lossless=True))
    assert len(decoded.pixels) == 4 * 4 * 3
    red, green, blue = pixel(decoded.pixels, 4, 2, 2)
    assert red > 240  # white or red: the bright value survives the conversion
    assert green == blue


async def test_transparent_pixels_become_white(decoder: PillowImageDecoder) -> None:
    decoded = await decoder.decode(encode(Image.new("RGBA", (2, 2), (0, 0, 0, 0)), "PNG"))
    assert pixel(decoded.pixels, 2, 0, 0) == (255, 255, 255)


async def test_16_bit_grey_keeps_its_brightness(decoder: PillowImageDecoder) -> None:
    decoded = await decoder.decode(encode(Image.new("I;16", (2, 2), 0x8000), "PNG"))
    assert pixel(decoded.pixels, 2, 1, 1) == (128, 128, 128)


@pytest.mark.parametrize("data", [b"\xff", b"BM", b"\x00", b"II*", b"\x89P", b"RIFF", b"GIF8"])
def test_tiny_fragments_of_image_headers_are_unreadable_not_a_crash(decoder: PillowImageDecoder, data: bytes) -> None:
    with pytest.raises((UnreadableMedia, UnsupportedMedia)):
        decoder.decode_now(data)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64) | st.builds(lambda tail: b"\xff\xd8\xff" + tail, st.binary(max_size=64))
       | st.builds(lambda tail: b"\x89PNG\r\n\x1a\n" + tail, st.binary(max_size=64)))
def test_any_bytes_decode_or_raise_a_media_error(data: bytes) -> None:
    decoder = PillowImageDecoder(max_bytes=1024 * 1024, max_pixels=1_000_000, pool=InferencePool("fuzz"))
    with contextlib.suppress(UnreadableMedia, UnsupportedMedia, MediaTooLarge):
        decoder.decode_now(data)
