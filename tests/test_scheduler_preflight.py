"""--scheduler pointed at something that is not Dask fails fast with exit 2 (red-team finding
10): a listener that says nothing hung the run, and one that answers with other bytes made Dask
try to allocate exabytes. A real Dask scheduler greets a client at once, which is checked."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from repo import SMALL, runner

from run_sim import app


def _server(reply: bytes | None):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)
            if reply is not None:
                connection.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return listener


@pytest.mark.parametrize(
    "reply", [None, b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 64], ids=["silent", "http"]
)
def test_a_scheduler_address_that_is_not_dask_exits_2_quickly(tmp_path, reply):
    listener = _server(reply)
    address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    started = time.monotonic()
    try:
        result = runner.invoke(
            app,
            [
                "run",
                str(SMALL),
                "--quiet",
                "--no-report",
                "--out",
                str(tmp_path / "d"),
                "--scheduler",
                address,
            ],
        )
    finally:
        listener.close()
    assert time.monotonic() - started < 30
    assert result.exit_code == 2, result.output
    assert "does not answer like a Dask scheduler" in result.output
    assert not (tmp_path / "d").exists()
