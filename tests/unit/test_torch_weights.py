"""The torch-free state_dict reader: real weights load, and a file naming anything else is refused."""

from __future__ import annotations

import importlib.util
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ova.adapters.ai.local.torch_weights import load_state_dict


def _smart_gestures_weights() -> Path:
    spec = importlib.util.find_spec("smart_gestures")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "alphabet" / "asl_model" / "models" / "asl_alphabet_model.pth"


def _text(value: str) -> bytes:
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def _int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def _ints(values: tuple[int, ...]) -> bytes:
    return b"(" + b"".join(_int(v) for v in values) + b"t"


_ORDERED_DICT = b"ccollections\nOrderedDict\n)R"


def _tensor_pickle(numel: int, offset: int, size: tuple[int, ...], stride: tuple[int, ...]) -> bytes:
    """What ``torch.save({"w": tensor})`` writes (protocol 2), spelled out opcode by opcode."""
    storage = b"(" + _text("storage") + b"ctorch\nFloatStorage\n" + _text("0") + _text("cpu") + _int(numel) + b"tQ"
    tensor = b"ctorch._utils\n_rebuild_tensor_v2\n(" + storage + _int(offset) + _ints(size) + _ints(stride)
    tensor += b"\x89" + _ORDERED_DICT + b"tR"
    return b"\x80\x02" + _ORDERED_DICT + b"(" + _text("w") + tensor + b"u."


def _write_archive(path: Path, pickled: bytes, storage: bytes = b"") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/data.pkl", pickled)
        archive.writestr("model/byteorder", "little")
        archive.writestr("model/data/0", storage)
    return path


def test_the_smart_gestures_weights_load_as_numpy_arrays() -> None:
    weights = load_state_dict(_smart_gestures_weights())

    assert {name: w.shape for name, w in weights.items()} == {
        "0.weight": (256, 63),
        "0.bias": (256,),
        "3.weight": (256, 256),
        "3.bias": (256,),
        "6.weight": (35, 256),
        "6.bias": (35,),
    }
    assert all(w.dtype == np.float32 and np.isfinite(w).all() for w in weights.values())
    assert float(np.abs(weights["0.weight"]).sum()) > 0


def test_a_strided_tensor_is_rebuilt_with_its_offset_and_strides(tmp_path: Path) -> None:
    values = np.arange(8, dtype="<f4")
    path = _write_archive(tmp_path / "t.pth", _tensor_pickle(8, 1, (3, 2), (1, 3)), values.tobytes())

    weights = load_state_dict(path)

    assert weights["w"].tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]


def test_a_tensor_reaching_past_its_storage_is_refused(tmp_path: Path) -> None:
    path = _write_archive(tmp_path / "t.pth", _tensor_pickle(4, 2, (2, 2), (2, 1)), np.zeros(4, "<f4").tobytes())

    with pytest.raises(pickle.UnpicklingError, match="past its storage"):
        load_state_dict(path)


def test_a_file_naming_os_system_is_refused_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = f"touch {marker}"
    malicious = b"cos\nsystem\n(" + _text(command) + b"tR."
    path = _write_archive(tmp_path / "evil.pth", malicious)

    with pytest.raises(pickle.UnpicklingError, match=r"os\.system"):
        load_state_dict(path)
    assert not marker.exists()


def test_a_file_that_unpickles_to_something_other_than_tensors_is_refused(tmp_path: Path) -> None:
    path = _write_archive(tmp_path / "list.pth", pickle.dumps({"w": [1, 2, 3]}, protocol=2))

    with pytest.raises(ValueError, match="not a named tensor"):
        load_state_dict(path)
