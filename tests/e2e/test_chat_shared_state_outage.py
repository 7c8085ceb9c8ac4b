"""A chat whose token cannot be checked because the shared state (Redis) is down is told so, and closed
with 1013 (try again later), not dropped silently with 1000."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from websockets.exceptions import ConnectionClosed

from ova.adapters.security.jwt_codec import JoseTokenCodec
from ova.domain.users import Role, User
from tests.e2e.chat_client import chat
from tests.e2e.server import SECRET, free_port, running_server, server_env


def test_a_token_that_cannot_be_checked_gets_unavailable_and_close_1013(tmp_path: Path) -> None:
    env = server_env(tmp_path, {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    env.pop("OVA_ADMIN_EMAIL")
    env.pop("OVA_ADMIN_PASSWORD")
    user = User(nombre="Ana", email="ana@example.org", rol=Role.USER, activo=True,
                fecha_registro=datetime.now(UTC), password_hash="$argon2id$v=19$hash", id=1)
    token, _ = JoseTokenCodec(secret=SECRET).encode_access(user, jti="j1", family="f1", now=datetime.now(UTC))
    with running_server(env) as base, chat(base, f"/ws?token={token}") as client:
        frame = client.receive()
        assert frame["type"] == "error" and frame["code"] == "unavailable"
        try:
            client.receive(timeout=10)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        else:
            code = -1
    assert code == 1013
