"""``ova models pull`` downloads a model from its upstream URL (here a local fake server, never the
internet), resumes a broken download, and refuses a file whose sha256 differs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ova.adapters.models.catalogue import ModelEntry, ModelFile
from ova.adapters.models.store import LocalModelStore
from ova.domain.errors import ModelUnavailable
from tests.fakes.file_server import Files, serve_files

BLOB = os.urandom(3_000_000)


def entry(url: str, blob: bytes = BLOB) -> ModelEntry:
    return ModelEntry(name="remote", task="stt", title="Remote test model", languages=("es",), licence="MIT",
                      files=(ModelFile("model.bin", len(blob), hashlib.sha256(blob).hexdigest(), (), url),),
                      packages=("nothing==1",))


def store(root: Path, url: str) -> LocalModelStore:
    return LocalModelStore(root, catalogue=(entry(url),), locate=lambda _: None)


def test_pull_downloads_verifies_and_then_the_file_is_used(tmp_path: Path) -> None:
    files = Files(blobs={"/m.bin": BLOB})
    seen: list[tuple[int, int]] = []
    with serve_files(files) as base:
        models = store(tmp_path, base + "/m.bin")
        report = models.pull("remote", lambda done, total: seen.append((done, total)))
    assert report.verified
    assert models.file("remote", "model.bin").read_bytes() == BLOB
    assert seen[-1] == (len(BLOB), len(BLOB))


def test_a_broken_download_resumes_where_it_stopped(tmp_path: Path) -> None:
    files = Files(blobs={"/m.bin": BLOB}, break_after={"/m.bin": 1_000_000})
    with serve_files(files) as base:
        report = store(tmp_path, base + "/m.bin").pull("remote")
    assert report.verified
    first, second = files.ranges
    assert first is None and second is not None
    assert 0 < int(second.removeprefix("bytes=").rstrip("-")) <= 1_000_000


def test_a_partial_file_left_by_an_earlier_run_is_resumed(tmp_path: Path) -> None:
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "model.bin.part").write_bytes(BLOB[:2_000_000])
    files = Files(blobs={"/m.bin": BLOB})
    with serve_files(files) as base:
        assert store(tmp_path, base + "/m.bin").pull("remote").verified
    assert files.ranges == ["bytes=2000000-"]


def test_a_server_that_ignores_ranges_sends_it_all_again(tmp_path: Path) -> None:
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "model.bin.part").write_bytes(b"junk")
    files = Files(blobs={"/m.bin": BLOB}, honour_range=False)
    with serve_files(files) as base:
        assert store(tmp_path, base + "/m.bin").pull("remote").verified


def test_a_download_with_another_checksum_is_refused_and_not_kept(tmp_path: Path) -> None:
    files = Files(blobs={"/m.bin": BLOB[:-1] + b"!"})
    with serve_files(files) as base, pytest.raises(ModelUnavailable, match="sha256"):
        store(tmp_path, base + "/m.bin").pull("remote")
    assert not any((tmp_path / "remote").iterdir())


def test_a_missing_upstream_file_is_a_clear_error(tmp_path: Path) -> None:
    with serve_files(Files()) as base, pytest.raises(ModelUnavailable, match="404"):
        store(tmp_path, base + "/absent.bin").pull("remote")


def test_a_model_already_here_is_not_downloaded_again(tmp_path: Path) -> None:
    files = Files(blobs={"/m.bin": BLOB})
    with serve_files(files) as base:
        models = store(tmp_path, base + "/m.bin")
        models.pull("remote")
        models.pull("remote")
    assert files.ranges == [None]
