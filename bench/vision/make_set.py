"""Makes the OCR bench's photo set: ``python -m bench.vision.make_set`` (seeded; the same files each run).

Writes ``bench/data/vision/<name>.jpg`` and ``truth.json`` (text per photo, kind, language, source):

- **document**: printed pages (``texts.DOCUMENTS``) rendered as a clean scan, one of them photographed
  slightly turned;
- **sign**: a plate (``texts.SIGNS``) put into a real photo with a perspective warp and a turn, then
  the whole photo blurred, lit unevenly, with sensor noise and JPEG compression;
- **label**: the same for small product labels, medicine boxes and price tags (``texts.LABELS``), small
  in the frame;
- **no-text**: real photos without text (truth ``""``): nothing may be read there.

Backgrounds are only photos with known open licences available offline (``bench/data/vision/README.md``):
the public-domain room photos of ``../shared/data/asl-train`` and matplotlib's ``grace_hopper.jpg``
(a U.S. Navy photo, public domain). Fonts are the DejaVu faces bundled with matplotlib, so the set is
the same on any machine with the pinned matplotlib and Pillow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bench.asl.data import PHOTOS, REPO
from bench.vision.texts import DOCUMENTS, LABELS, SIGNS, Document, Plate

SEED = 15
OUT = REPO / "bench" / "data" / "vision"
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
HOPPER = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
SCENE = (1280, 960)
ASL_SOURCE = ("../shared/data/asl-train/roboflow_asl_letters/{} "
              "(Roboflow 'American Sign Language Letters', public domain)")
HOPPER_SOURCE = "matplotlib sample_data/grace_hopper.jpg (U.S. Navy photo of Grace Hopper, public domain)"


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """The paragraph broken into lines no wider than ``width`` pixels, at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def render_document(doc: Document) -> tuple[Image.Image, str]:
    """A printed page: the title in its own face, the paragraphs wrapped, dark grey on off-white paper."""
    width, margin = 1100, 90
    body, title = font(doc.font, doc.size), font(doc.title_font, doc.size + 4)
    placed: list[tuple[str, ImageFont.FreeTypeFont, int]] = []
    y = margin
    for index, paragraph in enumerate(doc.paragraphs):
        face = title if index == 0 else body
        for line in wrap(paragraph, face, width - 2 * margin):
            placed.append((line, face, y))
            y += int(face.size * 1.45)
        y += int(doc.size * 0.8)
    page = Image.new("RGB", (width, max(1000, y + margin)), (246, 244, 238))
    draw = ImageDraw.Draw(page)
    for line, face, top in placed:
        draw.text((margin, top), line, font=face, fill=(28, 28, 32))
    return page, "\n".join(line for line, _, _ in placed)


def render_plate(plate: Plate) -> Image.Image:
    """The plate alone, large (text 80 px high): a coloured card with a border, lines centred."""
    faces = [font(plate.font, 80 if i == 0 else 60) for i in range(len(plate.lines))]
    boxes = [face.getbbox(line) for face, line in zip(faces, plate.lines, strict=True)]
    pad = 50
    width = int(max(right - left for left, _, right, _ in boxes)) + 2 * pad
    heights = [int(face.size * 1.3) for face in faces]
    card = Image.new("RGBA", (width, sum(heights) + 2 * pad - 10), (*plate.paper, 255))
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((6, 6, card.width - 7, card.height - 7), radius=18, outline=(*plate.ink, 255), width=6)
    y = pad
    for face, line, box, height in zip(faces, plate.lines, boxes, heights, strict=True):
        draw.text(((width - (box[2] - box[0])) // 2 - box[0], y), line, font=face, fill=(*plate.ink, 255))
        y += height
    return card


def perspective_coefficients(target: npt.NDArray[np.float64], source: npt.NDArray[np.float64]) -> list[float]:
    """Pillow's PERSPECTIVE data mapping the ``target`` quad (output) onto the ``source`` quad (input)."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return [float(c) for c in np.linalg.solve(np.array(rows, float), source.reshape(8).astype(float))]


def place(scene: Image.Image, card: Image.Image, rng: np.random.Generator, width_fraction: float,
          max_turn: float, max_skew: float) -> None:
    """Puts ``card`` into ``scene`` at a random place, turned up to ``max_turn`` degrees and its corners
    moved up to ``max_skew`` of its size (a photo taken from the side)."""
    w = width_fraction * scene.width
    h = w * card.height / card.width
    # scaled near its size in the photo first: the perspective transform itself does not smooth
    card = card.resize((max(1, round(w * 1.1)), max(1, round(h * 1.1))), Image.Resampling.LANCZOS)
    cx = rng.uniform(w / 2 + 20, scene.width - w / 2 - 20)
    cy = rng.uniform(h / 2 + 20, scene.height - h / 2 - 20)
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    corners += rng.uniform(-max_skew, max_skew, (4, 2)) * [w, h]
    turn = np.radians(rng.uniform(-max_turn, max_turn))
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    target = corners @ rotation.T + [cx, cy]
    source = np.array([[0, 0], [card.width, 0], [card.width, card.height], [0, card.height]], float)
    warped = card.transform(scene.size, Image.Transform.PERSPECTIVE, perspective_coefficients(target, source),
                            Image.Resampling.BICUBIC)
    scene.alpha_composite(warped)


def background(file: str, rng: np.random.Generator) -> Image.Image:
    """A real photo cut to 4:3 at a random place (60–100 % of it) and scaled to the scene's size."""
    photo = Image.open(HOPPER if file == "hopper" else PHOTOS / file).convert("RGB")
    if file == "hopper":  # its name tag (text) is below y 450: only the part above it is used
        photo = photo.crop((0, 0, photo.width, 450))
    keep = rng.uniform(0.6, 1.0)
    w = int(photo.width * keep)
    h = min(photo.height, int(w * 3 / 4))
    x, y = int(rng.uniform(0, photo.width - w)), int(rng.uniform(0, photo.height - h))
    return photo.crop((x, y, x + w, y + h)).resize(SCENE, Image.Resampling.BICUBIC).convert("RGBA")


def photographed(scene: Image.Image, rng: np.random.Generator, blur: tuple[float, float]) -> Image.Image:
    """What a phone's camera makes of the scene: blur, uneven light, sensor noise (JPEG comes on save)."""
    image = scene.convert("RGB").filter(ImageFilter.GaussianBlur(rng.uniform(*blur)))
    pixels = np.asarray(image, float)
    height, width = pixels.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width]
    fx, fy = rng.uniform(-0.35, 0.35, 2)
    spot_x, spot_y = rng.uniform(0, width), rng.uniform(0, height)
    spot = np.exp(-(((xs - spot_x) / width) ** 2 + ((ys - spot_y) / height) ** 2) * 3)
    light = 0.85 + fx * (xs / width - 0.5) + fy * (ys / height - 0.5) + rng.uniform(0.1, 0.3) * spot
    pixels = pixels * light[..., None] + rng.normal(0, rng.uniform(3, 8), pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def make(out: Path = OUT, seed: int = SEED) -> list[dict[str, Any]]:
    """Writes every photo and ``truth.json`` into ``out``; returns the truth entries."""
    out.mkdir(parents=True, exist_ok=True)
    rooms = sorted(p.relative_to(PHOTOS).as_posix() for p in PHOTOS.glob("*/*.jpg"))
    entries: list[dict[str, Any]] = []

    def save(name: str, image: Image.Image, quality: int, **entry: Any) -> None:
        image.save(out / f"{name}.jpg", quality=quality)
        entries.append({"file": f"{name}.jpg", **entry, "width": image.width, "height": image.height})

    for index, doc in enumerate(DOCUMENTS):
        rng = np.random.default_rng([seed, 1, index])
        page, text = render_document(doc)
        source = "rendered page (no photo)"
        if index == 2:  # one page photographed slightly turned, on a grey desk
            page = page.rotate(float(rng.uniform(1.0, 1.5)), Image.Resampling.BICUBIC, expand=True,
                               fillcolor=(120, 118, 112))
            source = "rendered page, turned 1–1.5° (no photo)"
        page = page.filter(ImageFilter.GaussianBlur(0.5))
        save(doc.name, page, 88, text=text, kind="document", lang=doc.lang, source=source)

    for kind, plates, fraction, turn, skew, blur, quality in (
        ("sign", SIGNS, 1.0, 10.0, 0.08, (0.6, 1.4), (55, 80)),
        ("label", LABELS, 1.25, 8.0, 0.05, (0.3, 0.8), (65, 85)),
    ):
        for index, plate in enumerate(plates):
            rng = np.random.default_rng([seed, 2 if kind == "sign" else 3, index])
            file = "hopper" if index % 5 == 4 else rooms[int(rng.integers(len(rooms)))]
            scene = background(file, rng)
            place(scene, render_plate(plate), rng, plate.width * fraction, turn, skew)
            save(plate.name, photographed(scene, rng, blur), int(rng.integers(*quality)), text=plate.text,
                 kind=kind, lang=plate.lang, source=HOPPER_SOURCE if file == "hopper" else ASL_SOURCE.format(file))

    for index in range(4):
        rng = np.random.default_rng([seed, 4, index])
        if index == 3:  # the top of grace_hopper.jpg, far above the name tag
            photo = Image.open(HOPPER).convert("RGB").crop((0, 0, 512, 384)).resize(SCENE, Image.Resampling.BICUBIC)
            scene, file = photo.convert("RGBA"), "hopper"
        else:
            file = rooms[int(rng.integers(len(rooms)))]
            scene = background(file, rng)
        save(f"notext-{index + 1}", photographed(scene, rng, (0.3, 0.8)), int(rng.integers(65, 85)), text="",
             kind="no-text", lang="es", source=HOPPER_SOURCE + ", cut above the name tag" if file == "hopper"
             else ASL_SOURCE.format(file))

    (out / "truth.json").write_text(json.dumps({"seed": seed, "generator": "python -m bench.vision.make_set",
                                                "images": entries}, ensure_ascii=False, indent=1) + "\n")
    return entries


def main() -> None:
    entries = make()
    kinds: dict[str, int] = {}
    for entry in entries:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    print(f"{len(entries)} photos in {OUT}: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))


if __name__ == "__main__":
    main()
