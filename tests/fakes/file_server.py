"""A stand-in for a model hub's download URL: serves byte strings over HTTP with ``Range`` support,
and can break a connection part-way to test resuming. Records every request's ``Range`` header."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs


@attrs.define
class Files:
    blobs: dict[str, bytes] = attrs.field(factory=dict)
    break_after: dict[str, int] = attrs.field(factory=dict)
    """path → bytes sent before the connection is cut, once (then the entry is removed)."""
    ranges: list[str | None] = attrs.field(factory=list)
    honour_range: bool = True


@contextmanager
def serve_files(files: Files) -> Iterator[str]:
    """Runs the server on a free port; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            blob = files.blobs.get(self.path)
            header = self.headers.get("Range")
            files.ranges.append(header)
            if blob is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = 0
            if header and files.honour_range:
                start = int(header.removeprefix("bytes=").split("-")[0])
                if start >= len(blob):
                    self.send_response(416)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(blob) - 1}/{len(blob)}")
            else:
                self.send_response(200)
            body = blob[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = files.break_after.pop(self.path, None)
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
