"""The OCR bench's pure parts: character error, invented characters, the committed set and the harness."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path

import pytest
from PIL import Image

from bench.vision.evaluate import SET, Item, by_kind, load_set, meets_target, read_all
from bench.vision.readers import TesseractCliReader, composition_root_readers
from bench.vision.scoring import (
    CharErrors,
    char_errors,
    invented_chars,
    normalise_whitespace,
    percentile,
    pooled_cer,
)
from ova.adapters.ai.fakes.text_reading import FakeTextReader
from ova.domain.vision import RgbImage


def test_one_wrong_letter_in_four_is_a_quarter() -> None:
    errors = char_errors("casa", "cosa")
    assert (errors.edits, errors.reference_chars, errors.cer) == (1, 4, 0.25)


def test_missing_and_extra_letters_are_edits_too() -> None:
    assert char_errors("paso", "pas").edits == 1
    assert char_errors("paso", "pasoo").edits == 1
    assert char_errors("paso", "").cer == 1.0


def test_a_lost_accent_or_tilde_is_an_error_even_ignoring_case() -> None:
    errors = char_errors("Años después, ¿qué?", "Anos despues, qué?")
    assert errors.edits == 3
    assert errors.edits_ignoring_case == 3


def test_case_is_forgiven_only_by_the_case_insensitive_rate() -> None:
    errors = char_errors("Prohibido el paso", "PROHIBIDO EL PASO")
    assert errors.edits == 14
    assert errors.edits_ignoring_case == 0
    assert errors.cer_ignoring_case == 0.0


def test_case_insensitive_rate_keeps_spanish_capitals_apart_from_other_letters() -> None:
    assert char_errors("AÑO", "año").edits_ignoring_case == 0
    assert char_errors("AÑO", "ano").edits_ignoring_case == 1


def test_line_breaks_and_runs_of_spaces_are_not_errors() -> None:
    assert normalise_whitespace("  Salida de\n\temergencia  \n") == "Salida de emergencia"
    errors = char_errors("SALIDA DE\nEMERGENCIA", "SALIDA  DE EMERGENCIA\n")
    assert errors.edits == 0
    assert errors.reference_chars == len("SALIDA DE EMERGENCIA")


def test_a_missing_space_between_words_is_still_an_error() -> None:
    assert char_errors("Calle de Alcalá", "Calle deAlcalá").edits == 1


def test_every_non_space_character_on_a_photo_without_text_is_invented() -> None:
    assert invented_chars("") == 0
    assert invented_chars(" \n\t") == 0
    assert invented_chars("a b\n|") == 3


def test_a_photo_without_text_has_no_rate_of_its_own() -> None:
    errors = char_errors("", "algo")
    assert errors.reference_chars == 0
    assert math.isnan(errors.cer)
    assert math.isnan(errors.cer_ignoring_case)


def test_the_pooled_rate_weighs_long_texts_more_than_short_ones() -> None:
    short, long = CharErrors(1, 0, 2), CharErrors(1, 1, 98)
    assert pooled_cer([short, long]) == pytest.approx(0.02)
    assert pooled_cer([short, long], ignore_case=True) == pytest.approx(0.01)
    assert math.isnan(pooled_cer([]))


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == pytest.approx(4.8)
    assert percentile([7.0], 0.95) == 7.0


def test_the_committed_set_has_every_kind_in_both_languages_and_all_its_photos() -> None:
    items = load_set(SET)
    kinds = {kind: [i for i in items if i.kind == kind] for kind in ("document", "sign", "label", "no-text")}
    assert len(items) >= 24
    assert all(len(kinds[k]) >= 6 for k in ("document", "label")) and len(kinds["sign"]) >= 8
    assert len(kinds["no-text"]) >= 3 and all(i.text == "" for i in kinds["no-text"])
    for kind in ("document", "sign", "label"):
        assert {i.lang for i in kinds[kind]} == {"es", "en"}
        assert all(i.text.strip() for i in kinds[kind])
    assert set("ñáéíóúü¡¿") <= set("".join(i.text for i in kinds["document"]))
    assert all((SET / i.file).is_file() and i.source for i in items)


def test_the_committed_photos_are_the_size_of_phone_photos() -> None:
    truth = json.loads((SET / "truth.json").read_text())
    for entry in truth["images"]:
        with Image.open(SET / entry["file"]) as image:
            assert image.format == "JPEG"
            assert (image.width, image.height) == (entry["width"], entry["height"])
            assert 0.7e6 <= image.width * image.height <= 3e6


async def test_the_harness_scores_each_photo_and_counts_what_is_invented(tmp_path: Path) -> None:
    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "plain.png")
    sign = Image.new("RGB", (64, 48), (200, 30, 30))
    sign.paste((255, 255, 255), (10, 10, 50, 30))
    sign.save(tmp_path / "sign.png")
    items = [Item("sign.png", "PROHIBIDO\nEL PASO", "sign", "es", "test"),
             Item("plain.png", "", "no-text", "es", "test"),
             Item("sign.png", "", "no-text", "es", "test")]

    readings = await read_all(FakeTextReader(), items, tmp_path)
    summary = by_kind(readings)

    assert [r.errors.edits for r in readings] == [0, 0, len("PROHIBIDO EL PASO")]
    assert [r.invented for r in readings] == [0, 0, len("PROHIBIDOELPASO")]
    assert summary["sign"]["mean_cer"] == 0.0
    assert summary["no-text"]["invented_chars"] == len("PROHIBIDOELPASO")
    assert math.isnan(summary["no-text"]["mean_cer"])


async def test_the_baseline_reads_tesseracts_lines_with_spa_eng_and_psm_3(tmp_path: Path) -> None:
    script = tmp_path / "tesseract"
    script.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\nprintf "PROHIBIDO\\n\\n  EL PASO \\n"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    reader = TesseractCliReader(executable=str(script))

    read = await reader.read(RgbImage(4, 2, bytes(4 * 2 * 3)), lang="es")

    assert read.text == "PROHIBIDO\nEL PASO"
    assert all(line.box.width == 4 and line.box.height == 2 for line in read.lines)
    assert (tmp_path / "args").read_text().split()[1:] == ["stdout", "-l", "spa+eng", "--psm", "3"]
    assert reader.model == "tesseract-cli-psm3"


def test_targets_are_issue_15s_cer_per_kind_nothing_invented_and_p95_time() -> None:
    def kind(cer: float, invented: int = 0, p95: float = 1.0) -> dict[str, float]:
        return {"mean_cer": cer, "invented_chars": invented, "time_p95_s": p95}

    assert meets_target("document", kind(0.029)) == (True, True)
    assert meets_target("document", kind(0.031)) == (False, True)
    assert meets_target("sign", kind(0.12, p95=1.6)) == (True, False)
    assert meets_target("no-text", kind(math.nan, invented=1)) == (False, True)
    assert meets_target("no-text", kind(math.nan)) == (True, True)
    assert meets_target("scene", kind(0.5)) is None


def test_the_app_s_fake_reader_is_never_a_row_of_the_bench() -> None:
    assert not [r for r in composition_root_readers() if r.model.startswith("fake")]
