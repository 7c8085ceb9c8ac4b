"""The local models' files on this machine: found in the packages that carry them or in the cache
folder (``OVA_MODELS_DIR``), joined there once when split, and never handed out before their sha256
has matched.

Checking a checksum reads the whole file (about a second per GB), so a match is remembered in
``<cache>/verified.json`` with the file's size, modification time and inode: an unchanged file is not
read again, a changed one is. Two processes may join the same file at once; each writes its own
temporary file and the last atomic rename wins, so nobody ever sees a half-written one.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ova.adapters.models.catalogue import CATALOGUE, ModelEntry, ModelFile
from ova.adapters.models.download import download
from ova.application.ports.model_store import ModelFileReport, ModelReport, Progress
from ova.domain.errors import InvalidInput, ModelUnavailable

CHUNK = 8 << 20
MARKS = "verified.json"


def package_folder(package: str) -> Path | None:
    """The folder of an installed package, found without importing it (some import what we do not install)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


class LocalModelStore:
    """``root``: the cache folder. ``used_by``: model name → the capabilities configured to run it.
    ``locate``: finds a package's folder (tests give a fake one)."""

    def __init__(
        self, root: Path, *, catalogue: tuple[ModelEntry, ...] = CATALOGUE,
        used_by: Mapping[str, tuple[str, ...]] | None = None,
        locate: Callable[[str], Path | None] = package_folder,
        fetch: Callable[[str, Path, Progress | None], None] = download,
    ) -> None:
        self.root = root
        self._entries = {entry.name: entry for entry in catalogue}
        self._used_by = dict(used_by or {})
        self._locate = locate
        self._fetch = fetch
        self._lock = threading.RLock()

    def names(self) -> list[str]:
        return list(self._entries)

    def entry(self, name: str) -> ModelEntry:
        try:
            return self._entries[name]
        except KeyError:
            raise InvalidInput(
                f"Modelo desconocido: {name!r}. Modelos del catálogo: {', '.join(self._entries)}.", field="model"
            ) from None

    # -- what the adapters ask -------------------------------------------------------------------

    def file(self, name: str, file_name: str) -> Path:
        """A verified path to one file of a model: the cached copy, the package's own file when it is
        one piece, or the pieces joined into the cache now. ``ModelUnavailable`` when it is missing
        or its checksum does not match."""
        entry = self.entry(name)
        file = entry.file(file_name)
        with self._lock:
            return self._ensure(entry, file, in_cache=False)

    def folder(self, name: str) -> Path:
        """The cache folder holding every file of a model, each verified (for loaders that want a
        directory, such as faster-whisper's)."""
        entry = self.entry(name)
        with self._lock:
            for file in entry.files:
                self._ensure(entry, file, in_cache=True)
        return self.root / entry.name

    def _ensure(self, entry: ModelEntry, file: ModelFile, *, in_cache: bool) -> Path:
        cached = self.root / entry.name / file.name
        if cached.is_file():
            if self._verified(cached, file):
                return cached
            cached.unlink()  # ours, and wrong (truncated, edited): rebuilt below
        sources = self._parts(file)
        if sources is None:
            raise ModelUnavailable(
                f"Faltan los archivos del modelo {entry.name!r}: instala sus paquetes "
                f"({' '.join(entry.packages)}) o descárgalo con `ova models pull {entry.name}`."
            )
        if len(sources) == 1 and not in_cache:
            if self._verified(sources[0], file):
                return sources[0]
            raise self._mismatch(entry, file)
        return self._join(entry, file, sources, cached)

    def _join(self, entry: ModelEntry, file: ModelFile, sources: list[Path], cached: Path) -> Path:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{cached.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        digest = hashlib.sha256()
        try:
            with temporary.open("wb") as out:
                for source in sources:
                    for chunk in _chunks(source):
                        digest.update(chunk)
                        out.write(chunk)
            if digest.hexdigest() != file.sha256:
                raise self._mismatch(entry, file)
            os.replace(temporary, cached)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        self._remember(cached, file)
        return cached

    def _parts(self, file: ModelFile) -> list[Path] | None:
        paths: list[Path] = []
        for part in file.parts:
            folder = self._locate(part.package)
            if folder is None or not (folder / part.path).is_file():
                return None
            paths.append(folder / part.path)
        return paths or None

    @staticmethod
    def _mismatch(entry: ModelEntry, file: ModelFile) -> ModelUnavailable:
        return ModelUnavailable(
            f"El archivo {file.name} del modelo {entry.name!r} no es el esperado (sha256 distinto): "
            f"reinstala sus paquetes o descárgalo de nuevo con `ova models pull {entry.name}`."
        )

    # -- what the operator asks ------------------------------------------------------------------

    def report(self, name: str, *, check: bool = False) -> ModelReport:
        entry = self.entry(name)
        with self._lock:
            files = tuple(self._file_report(entry, file, check) for file in entry.files)
        return ModelReport(
            name=entry.name, task=entry.task, languages=entry.languages, licence=entry.licence, size=entry.size,
            files=files, used_by=self._used_by.get(entry.name, ()), packages=entry.packages,
            urls=tuple(file.url for file in entry.files if file.url),
        )

    def _file_report(self, entry: ModelEntry, file: ModelFile, check: bool) -> ModelFileReport:
        """Without ``check`` a file counts as verified when its match is remembered; with it, the file a
        use would take is hashed once, and a damaged cached copy is removed (the next use rebuilds it)."""
        cached = self.root / entry.name / file.name
        note = ""
        sources = self._parts(file)
        if check and cached.is_file():
            if _sha256([cached]) == file.sha256:
                self._remember(cached, file)
                return ModelFileReport(name=file.name, size=file.size, sha256=file.sha256, present=True,
                                       verified=True)
            cached.unlink()
            note = "la copia de la caché estaba dañada y se ha borrado"
        first = [cached] if cached.is_file() else sources or []
        if check and first:
            verified = _sha256(first) == file.sha256
            if verified and len(first) == 1:
                self._remember(first[0], file)
        else:
            verified = len(first) == 1 and self._marked(first[0], file)
        return ModelFileReport(name=file.name, size=file.size, sha256=file.sha256, present=bool(first),
                               verified=verified, note=note)

    def pull(self, name: str, progress: Progress | None = None) -> ModelReport:
        entry = self.entry(name)
        for file in entry.files:
            with self._lock:
                try:
                    self._ensure(entry, file, in_cache=False)
                    continue  # already here and right
                except ModelUnavailable:
                    pass
            if file.url is None:
                raise ModelUnavailable(
                    f"El archivo {file.name} del modelo {entry.name!r} no tiene dirección de descarga: "
                    f"instala sus paquetes ({' '.join(entry.packages)})."
                )
            cached = self.root / entry.name / file.name
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(cached.name + ".part")
            self._fetch(file.url, partial, progress)
            if partial.stat().st_size != file.size or _sha256([partial]) != file.sha256:
                partial.unlink()
                raise self._mismatch(entry, file)
            os.replace(partial, cached)
            with self._lock:
                self._remember(cached, file)
        return self.report(name)

    # -- remembered checksums --------------------------------------------------------------------

    def _verified(self, path: Path, file: ModelFile) -> bool:
        if self._marked(path, file):
            return True
        if path.stat().st_size != file.size or _sha256([path]) != file.sha256:
            return False
        self._remember(path, file)
        return True

    def _marked(self, path: Path, file: ModelFile) -> bool:
        mark = self._marks().get(str(path.resolve()))
        return mark is not None and mark == [*_stamp(path), file.sha256]

    def _remember(self, path: Path, file: ModelFile) -> None:
        marks = self._marks()
        marks[str(path.resolve())] = [*_stamp(path), file.sha256]
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".{MARKS}.{os.getpid()}.{threading.get_ident()}.tmp"
        temporary.write_text(json.dumps(marks, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.root / MARKS)

    def _marks(self) -> dict[str, list[object]]:
        try:
            loaded = json.loads((self.root / MARKS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}


def _stamp(path: Path) -> list[object]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        for chunk in _chunks(path):
            digest.update(chunk)
    return digest.hexdigest()
