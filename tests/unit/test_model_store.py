"""The model store hands out a model's files only once their sha256 has matched, joins split files
once into the cache folder, notices a file that changed, and says how to get what is missing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ova.adapters.models.catalogue import CATALOGUE, ModelEntry, ModelFile, Part
from ova.adapters.models.store import LocalModelStore
from ova.domain.errors import InvalidInput, ModelUnavailable

BIG = os.urandom(300_000)
SMALL = b'{"vocab": 1}'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


ENTRY = ModelEntry(
    name="tiny", task="chat", title="Tiny test model", languages=("es", "en"), licence="MIT",
    files=(
        ModelFile("weights.bin", len(BIG), sha(BIG), (Part("pkg_a", "data/part1"), Part("pkg_b", "data/part2"))),
        ModelFile("vocab.json", len(SMALL), sha(SMALL), (Part("pkg_b", "data/vocab.json"),)),
    ),
    packages=("pkg-a==1", "pkg-b==1"),
)


@pytest.fixture
def packages(tmp_path: Path) -> dict[str, Path]:
    """Two installed 'packages' carrying the weights in two parts and a small file."""
    a, b = tmp_path / "site" / "pkg_a", tmp_path / "site" / "pkg_b"
    (a / "data").mkdir(parents=True)
    (b / "data").mkdir(parents=True)
    (a / "data" / "part1").write_bytes(BIG[:100_000])
    (b / "data" / "part2").write_bytes(BIG[100_000:])
    (b / "data" / "vocab.json").write_bytes(SMALL)
    return {"pkg_a": a, "pkg_b": b}


def store_for(tmp_path: Path, packages: dict[str, Path], **kwargs: object) -> LocalModelStore:
    return LocalModelStore(tmp_path / "models", catalogue=(ENTRY,), locate=packages.get, **kwargs)  # type: ignore[arg-type]


def test_split_weights_are_joined_once_into_the_cache_and_verified(tmp_path: Path, packages: dict[str, Path]) -> None:
    store = store_for(tmp_path, packages)
    path = store.file("tiny", "weights.bin")
    assert path == tmp_path / "models" / "tiny" / "weights.bin"
    assert path.read_bytes() == BIG
    stamp = path.stat().st_mtime_ns
    assert store.file("tiny", "weights.bin") == path
    assert path.stat().st_mtime_ns == stamp  # not written again
    assert [p.name for p in path.parent.iterdir()] == ["weights.bin"]  # no temporary left behind


def test_a_one_piece_file_is_used_where_its_package_put_it(tmp_path: Path, packages: dict[str, Path]) -> None:
    store = store_for(tmp_path, packages)
    assert store.file("tiny", "vocab.json") == packages["pkg_b"] / "data" / "vocab.json"


def test_a_folder_holds_every_file_of_the_model(tmp_path: Path, packages: dict[str, Path]) -> None:
    folder = store_for(tmp_path, packages).folder("tiny")
    assert sorted(p.name for p in folder.iterdir()) == ["vocab.json", "weights.bin"]
    assert (folder / "vocab.json").read_bytes() == SMALL


def test_a_corrupted_part_is_never_handed_out(tmp_path: Path, packages: dict[str, Path]) -> None:
    (packages["pkg_b"] / "data" / "part2").write_bytes(b"x" + BIG[100_001:])
    store = store_for(tmp_path, packages)
    with pytest.raises(ModelUnavailable, match="sha256"):
        store.file("tiny", "weights.bin")
    assert not (tmp_path / "models" / "tiny" / "weights.bin").exists()


def test_a_cached_file_changed_after_verification_is_checked_again_and_rebuilt(
    tmp_path: Path, packages: dict[str, Path],
) -> None:
    store = store_for(tmp_path, packages)
    path = store.file("tiny", "weights.bin")
    path.write_bytes(b"tampered" + BIG[8:])
    assert store.file("tiny", "weights.bin").read_bytes() == BIG


def test_a_changed_one_piece_file_is_refused(tmp_path: Path, packages: dict[str, Path]) -> None:
    store = store_for(tmp_path, packages)
    store.file("tiny", "vocab.json")
    (packages["pkg_b"] / "data" / "vocab.json").write_bytes(b'{"vocab": 2}')
    with pytest.raises(ModelUnavailable, match="sha256"):
        store.file("tiny", "vocab.json")


def test_missing_packages_name_the_packages_and_the_pull_command(tmp_path: Path) -> None:
    store = LocalModelStore(tmp_path / "models", catalogue=(ENTRY,), locate=lambda _: None)
    with pytest.raises(ModelUnavailable) as caught:
        store.file("tiny", "weights.bin")
    assert "pkg-a==1" in caught.value.detail and "ova models pull tiny" in caught.value.detail


def test_an_unknown_model_is_invalid_input_naming_the_catalogue(tmp_path: Path, packages: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match="tiny"):
        store_for(tmp_path, packages).report("nope")


def test_the_report_says_present_then_verified_after_a_check(tmp_path: Path, packages: dict[str, Path]) -> None:
    store = store_for(tmp_path, packages, used_by={"tiny": ("chat",)})
    before = store.report("tiny")
    assert before.present and not before.verified and before.used_by == ("chat",)
    assert before.size == len(BIG) + len(SMALL)
    checked = store.report("tiny", check=True)
    assert checked.verified
    (packages["pkg_a"] / "data" / "part1").write_bytes(b"y" * 100_000)
    assert not store.report("tiny", check=True).verified


def test_a_report_of_missing_files_says_missing(tmp_path: Path) -> None:
    report = LocalModelStore(tmp_path / "m", catalogue=(ENTRY,), locate=lambda _: None).report("tiny", check=True)
    assert not report.present and not report.verified


def test_the_catalogue_pins_every_file_and_names_its_packages() -> None:
    names = [entry.name for entry in CATALOGUE]
    assert len(names) == len(set(names))
    for entry in CATALOGUE:
        assert entry.licence
        assert entry.packages or all(part.package == "ova" for file in entry.files for part in file.parts)
        assert entry.languages or entry.task not in {"chat", "stt", "tts"}
        for file in entry.files:
            assert len(file.sha256) == 64 and int(file.sha256, 16) >= 0
            assert file.size > 0 and (file.parts or file.url)


def test_pulling_a_missing_model_without_an_upstream_url_names_its_packages(tmp_path: Path) -> None:
    store = LocalModelStore(tmp_path / "models", catalogue=(ENTRY,), locate=lambda _: None)
    with pytest.raises(ModelUnavailable) as caught:
        store.pull("tiny")
    assert "no tiene dirección de descarga" in caught.value.detail and "pkg-a==1 pkg-b==1" in caught.value.detail
