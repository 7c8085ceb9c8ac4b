"""Reads a PyTorch ``state_dict`` file (the zip that ``torch.save`` writes) into numpy arrays, without torch.

A ``.pth`` file is a pickle, and unpickling runs whatever callables the file names. This reader lets
through only what a plain ``state_dict`` needs (``collections.OrderedDict``,
``torch._utils._rebuild_tensor_v2`` / ``_rebuild_parameter`` and the typed ``torch.*Storage``
markers, each replaced by a numpy stand-in) and raises ``pickle.UnpicklingError`` for any other global.
Tensor views are bounds-checked against their storage before numpy sees them.
"""

from __future__ import annotations

import collections
import pickle
import zipfile
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

_STORAGE_DTYPES: dict[str, type[np.generic]] = {
    "DoubleStorage": np.float64,
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class _StorageType:
    """Stands in for ``torch.FloatStorage`` and friends: only its dtype matters."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype


class _Storage:
    def __init__(self, array: np.ndarray[Any, Any]) -> None:
        self.array = array


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any) -> Any:
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("tensor without a storage")
    buffer = storage.array
    size, stride = tuple(int(n) for n in size), tuple(int(n) for n in stride)
    if len(size) != len(stride) or offset < 0 or any(n < 0 for n in size + stride):
        raise pickle.UnpicklingError("malformed tensor geometry")
    if 0 not in size:
        last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
        if last >= buffer.size:
            raise pickle.UnpicklingError("tensor reaches past its storage")
    elif offset > buffer.size:
        raise pickle.UnpicklingError("tensor starts past its storage")
    view = np.lib.stride_tricks.as_strided(
        buffer[offset:], shape=size, strides=tuple(s * buffer.itemsize for s in stride), writeable=False
    )
    return np.array(view)  # a compact copy that owns its memory


def _rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any, *_: Any) -> Any:
    return data


class _StateDictUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile, prefix: str, byteorder: str) -> None:
        super().__init__(file)
        self._archive = archive
        self._prefix = prefix
        self._byteorder: Literal["<", ">"] = "<" if byteorder == "little" else ">"
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return _rebuild_parameter
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(np.dtype(_STORAGE_DTYPES[name]).newbyteorder(self._byteorder))
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name} from a weights file")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 3 and pid[0] == "storage"):
            raise pickle.UnpicklingError("unsupported persistent id")
        storage_type, key = pid[1], str(pid[2])
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError("unsupported storage type")
        if key not in self._storages:
            raw = self._archive.read(f"{self._prefix}data/{key}")
            usable = len(raw) - len(raw) % storage_type.dtype.itemsize
            self._storages[key] = _Storage(np.frombuffer(raw[:usable], dtype=storage_type.dtype))
        return self._storages[key]


def load_state_dict(path: str | Path) -> dict[str, np.ndarray[Any, Any]]:
    """The named tensors of a ``torch.save``'d ``state_dict``, as numpy arrays (native byte order)."""
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n == "data.pkl" or n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"{path}: not a torch zip archive (expected one data.pkl, found {len(pickles)})")
        prefix = pickles[0][: -len("data.pkl")]
        names = set(archive.namelist())
        byteorder = archive.read(f"{prefix}byteorder").decode().strip() if f"{prefix}byteorder" in names else "little"
        with archive.open(pickles[0]) as file:
            loaded = _StateDictUnpickler(file, archive, prefix, byteorder).load()
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: holds a {type(loaded).__name__}, not a state_dict")
    result: dict[str, np.ndarray[Any, Any]] = {}
    for name, value in loaded.items():
        if not isinstance(name, str) or not isinstance(value, np.ndarray):
            raise ValueError(f"{path}: entry {name!r} is not a named tensor")
        result[name] = value.astype(value.dtype.newbyteorder("="), copy=False)
    return result
