"""Downloads one model file over HTTP into a ``.part`` file, resuming where an earlier try stopped.

A server that honours ``Range`` (Hugging Face and GitHub release downloads do) answers 206 and only
the rest is fetched; one that does not answers 200 and the file starts again. A connection that
breaks mid-way is tried again from where it broke, a few times. Checking the checksum is the
caller's job: this only moves bytes.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from ova.application.ports.model_store import Progress
from ova.domain.errors import ModelUnavailable

ATTEMPTS = 4
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def download(url: str, partial: Path, progress: Progress | None = None, *, attempts: int = ATTEMPTS) -> None:
    last: Exception | None = None
    for _ in range(attempts):
        try:
            _resume(url, partial, progress)
            return
        except (httpx.TransportError, _Incomplete) as error:  # broken or short: go on from where it stopped
            last = error
    raise ModelUnavailable(f"No se pudo descargar {url}: {last}") from last


class _Incomplete(Exception):
    pass


def _resume(url: str, partial: Path, progress: Progress | None) -> None:
    have = partial.stat().st_size if partial.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with httpx.Client(follow_redirects=True, timeout=TIMEOUT, headers={"User-Agent": "ova"}) as client, \
            client.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and have:  # nothing left: the file is whole (or wrong: the checksum says)
            return
        if response.status_code not in (200, 206):
            raise ModelUnavailable(f"No se pudo descargar {url}: HTTP {response.status_code}")
        if response.status_code == 200:
            have = 0  # the server sends the whole file again
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else 0
        done = have
        with partial.open("ab" if have else "wb") as out:
            for chunk in response.iter_bytes():  # as it arrives: what came before a break is kept
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        if total and done < total:
            raise _Incomplete(f"{done} of {total} bytes")
