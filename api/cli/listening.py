"""Claim the listening socket before the server says anything, so a busy port is one clear error
that names the setting to change, not a traceback after a line claiming to listen."""

from __future__ import annotations

import errno
import socket

import typer

from api.cli.common import console

PORT_HINT = "use --port N, ESCALATIONS_PORT=N, or `make demo PORT=N`"


def claim(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or exit 2 with what to change."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        _refuse(f"cannot listen on {host!r}: {error.strerror}; set --host or ESCALATIONS_HOST")
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: quick restarts
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            _refuse(f"port {port} on {host} is already in use by another program; {PORT_HINT}")
        if error.errno == errno.EACCES:
            _refuse(f"port {port} on {host} needs privileges this user lacks; {PORT_HINT}")
        _refuse(f"cannot listen on {host}:{port}: {error.strerror}; {PORT_HINT}")
    sock.set_inheritable(True)
    return sock


def _refuse(message: str) -> None:
    console.print(f"[red]Not serving: {message}.[/]", soft_wrap=True, highlight=False)
    raise typer.Exit(2)
