"""``make bench-voice-turn``: a whole Spanish voice turn over the WebSocket, with every local model.

A real ``ova serve`` (SQLite, the default local models, warmed up) gets a short Spanish voice note
(``tests/data/hola-madrid-es.wav``: "Hola, quisiera saber qué tiempo hace hoy en Madrid", Kokoro's voice)
as an ``audio`` frame, in a new chat each time, and the client times, from the moment it sent the note:
the words heard (the user's ``text`` bubble), the answer's text, the first spoken audio and the end of
the turn. Two ways a client may ask: the ``audio_chunks`` feature (the answer spoken a sentence at a
time: the first audio is the first ``audio_chunk``) and the published client's default (the answer and
its whole speech in one ``audio`` frame). The target of issue 13 is note → first audio ≤ 6 s for a
short question on an idle 2-core machine; the report records the load (``uptime``) before and after.

    python -m bench.voice_turn [--turns 5]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from bench.ai_ratio import ai_env, ova_server, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
NOTE = ROOT / "tests" / "data" / "hola-madrid-es.wav"
RESULTS = ROOT / "bench" / "results"


def one_turn(ws_url: str, note: str) -> dict[str, float]:
    """Seconds from sending the note to each milestone of its answer."""
    marks: dict[str, float] = {}
    with connect(ws_url, open_timeout=30, max_size=None) as socket:
        json.loads(socket.recv(timeout=30))  # connected
        started = time.perf_counter()
        socket.send(json.dumps({"type": "audio", "audio": note, "format": "wav", "language": "es"}))
        while True:
            frame: dict[str, Any] = json.loads(socket.recv(timeout=120))
            at = time.perf_counter() - started
            kind = frame["type"]
            if kind == "text" and frame.get("is_user"):
                marks.setdefault("heard_s", at)
            elif kind == "text":
                marks.setdefault("answer_s", at)
            elif kind in ("audio_chunk", "audio"):
                marks.setdefault("first_audio_s", at)
                if kind == "audio":
                    marks.setdefault("answer_s", at)
            elif kind == "error":
                raise RuntimeError(f"the turn failed: {frame}")
            elif frame == {"type": "typing", "is_typing": False}:
                marks["done_s"] = at
                return marks


def load_average() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    note = base64.b64encode(NOTE.read_bytes()).decode()
    report: dict[str, Any] = {"load_before": load_average()}
    with tempfile.TemporaryDirectory() as tmp:
        env = ai_env(Path(tmp), "local")
        subprocess.run([sys.executable, "-m", "ova", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        with ova_server("voice", env, Path(tmp) / "server.log", timeout_s=300) as server:
            wait_until_healthy(server.base, timeout_s=600)
            ws = server.base.replace("http://", "ws://")
            one_turn(ws + "/ws?features=audio_chunks", note)  # warm-up: the first generation reads the prompt
            for mode, path in (("audio_chunks", "/ws?features=audio_chunks"), ("published client", "/ws")):
                turns = [one_turn(ws + path, note) for _ in range(args.turns)]
                report[mode] = {key: round(statistics.median(t[key] for t in turns), 2) for key in turns[0]}
                report[mode]["first_audio_max_s"] = round(max(t["first_audio_s"] for t in turns), 2)
    report["load_after"] = load_average()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"voice-turn-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
