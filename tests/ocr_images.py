"""Photos with text for the OCR tests, rendered with Pillow and a DejaVu font (printed, like a notice)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ova.domain.vision import RgbImage

FONT_FOLDERS = (Path("/usr/share/fonts/truetype/dejavu"),)


def dejavu(name: str = "DejaVuSans.ttf") -> Path:
    """A DejaVu font file: the system's, or the copy matplotlib bundles."""
    for folder in FONT_FOLDERS:
        if (folder / name).is_file():
            return folder / name
    import matplotlib  # only when the system has no DejaVu

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def as_rgb(picture: Image.Image) -> RgbImage:
    picture = picture.convert("RGB")
    return RgbImage(width=picture.width, height=picture.height, pixels=picture.tobytes(), source_format="PNG")


def notice(lines: list[str], *, size: int = 44, width: int = 1200, background: str = "white",
           ink: str = "black", font: str = "DejaVuSans.ttf") -> RgbImage:
    """``lines`` printed one under the other on a plain page."""
    face = ImageFont.truetype(str(dejavu(font)), size)
    picture = Image.new("RGB", (width, 80 + len(lines) * size * 2), background)
    draw = ImageDraw.Draw(picture)
    for index, line in enumerate(lines):
        draw.text((60, 40 + index * size * 2), line, fill=ink, font=face)
    return as_rgb(picture)


def sign_in(photo: RgbImage, text: str, *, at: tuple[int, int], size: int = 44, angle: float = 5.0,
            background: tuple[int, int, int] = (200, 20, 20), ink: str = "white") -> RgbImage:
    """A sign (bold ``text`` on a coloured plate, tilted ``angle`` degrees) pasted on a photo."""
    face = ImageFont.truetype(str(dejavu("DejaVuSans-Bold.ttf")), size)
    plate = Image.new("RGB", (int(face.getlength(text)) + size, size * 2), background)
    ImageDraw.Draw(plate).text((size // 2, size // 3), text, fill=ink, font=face)
    plate = plate.rotate(angle, expand=True, fillcolor=(90, 90, 90))
    picture = Image.frombytes("RGB", (photo.width, photo.height), photo.pixels)
    picture.paste(plate, at)
    return as_rgb(picture)
