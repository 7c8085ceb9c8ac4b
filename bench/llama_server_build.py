"""Builds llama.cpp's ``llama-server`` for ``make bench-chat-batch`` only (never for ``make run`` or
``make test``): from the llama.cpp sources inside the llama-cpp-python sdist the project pins, with
the same portable CPU flags as the Makefile's ``LLAMA_CPP_CMAKE_ARGS``, into ``.cache/llama-server/``
(git-ignored). A second run finds the binary and builds nothing.

    python -m bench.llama_server_build        # prints the binary's path
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "0.3.36"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "llama-server"
PORTABLE = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
"""The Makefile's ``LLAMA_CPP_CMAKE_ARGS`` (it passes them in that variable; this is the fallback)."""
SERVER_ONLY = ("-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_BUILD_TESTS=OFF",
               "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DLLAMA_OPENSSL=OFF",
               "-DLLAMA_BUILD_UI=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF")
"""A static server without HTTPS and without its web page (nothing is downloaded while building)."""


def sources(cache: Path = CACHE) -> Path:
    """The sdist's llama.cpp tree, downloaded once with pip and unpacked."""
    tree = cache / f"llama_cpp_python-{VERSION}" / "vendor" / "llama.cpp"
    if tree.is_dir():
        return tree
    sdist = cache / f"llama_cpp_python-{VERSION}.tar.gz"
    if not sdist.is_file():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "-d",
                        str(cache), f"llama-cpp-python=={VERSION}"], check=True)
    with tarfile.open(sdist) as archive:
        archive.extractall(cache, filter="data")
    return tree


def llama_server(cache: Path = CACHE, jobs: int | None = None) -> Path:
    """The path of a built ``llama-server``, building it first if needed (minutes on two cores)."""
    binary = cache / "build" / "bin" / "llama-server"
    if binary.is_file():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    tree = sources(cache)
    flags = shlex.split(os.environ.get("LLAMA_CPP_CMAKE_ARGS") or PORTABLE)
    subprocess.run(["cmake", "-S", str(tree), "-B", str(cache / "build"), *flags, *SERVER_ONLY], check=True)
    subprocess.run(["cmake", "--build", str(cache / "build"), "--target", "llama-server",
                    "-j", str(jobs or os.cpu_count() or 2)], check=True)
    return binary


if __name__ == "__main__":
    print(llama_server())
