"""A loopback TCP proxy that can cut the way to the broker and let it through again.

Cutting the proxy looks to clients exactly like a broker outage (connections reset, new ones
refused) while the broker keeps what it acknowledged, as a durable Apache Kafka broker would across
a restart. Tests use it for outages in the middle of a stream.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

# SO_LINGER on with a zero timeout: close() sends a reset, as a crashed broker's host would.
RESET_ON_CLOSE = struct.pack("ii", 1, 0)


class CuttableProxy:
    def __init__(self, listen_port: int, target_port: int) -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self._open = threading.Event()
        self._open.set()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", listen_port), reuse_port=False)
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept_loop, name="proxy-accept", daemon=True)
        self._thread.start()

    def cut(self) -> None:
        """Reset every connection and refuse new ones until `restore`."""
        self._open.clear()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
                sock.close()

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._closing.set()
        self.cut()
        self._thread.join(timeout=5)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()
