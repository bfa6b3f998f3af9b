"""Where the master key comes from: ESCALATIONS_MASTER_KEY, else (embedded SQLite only) a key file
made beside the database on first run. PostgreSQL without a configured master key refuses to start:
a server deployment must hold its key outside the database it protects."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from infra.privacy.crypto import MasterKey, MasterKeyError
from infra.settings import Settings


def master_keys(settings: Settings) -> tuple[MasterKey, tuple[MasterKey, ...]]:
    """The current master key and the previous ones (still accepted for unwrapping)."""
    previous = tuple(
        MasterKey.from_base64(text)
        for text in (
            settings.privacy.previous_master_keys.get_secret_value()
            if settings.privacy.previous_master_keys
            else ""
        ).split(",")
        if text.strip()
    )
    if settings.privacy.master_key is not None:
        return MasterKey.from_base64(settings.privacy.master_key.get_secret_value()), previous
    if settings.is_postgres:
        raise MasterKeyError(
            "ESCALATIONS_MASTER_KEY is required with PostgreSQL: generate one with "
            "`escalations subjects new-master-key` and keep it in your secret store"
        )
    database = settings.eventsourcing_env()["SQLITE_DBNAME"]
    if database.startswith("file::memory:"):
        return MasterKey.generate(), previous  # the data lives as long as this process
    return key_file_master_key(key_file_for(database)), previous


def key_file_for(database: str) -> Path:
    return Path(f"{database}.master-key")


def key_file_master_key(path: Path) -> MasterKey:
    """Reads the key file, or makes it (mode 0600) if there is none. Two processes starting at
    once agree: the key is written to a private temporary file and linked into place, which
    fails for the second one, who then reads the first one's file."""
    if not path.exists():
        key = MasterKey.generate()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key.to_base64() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    try:
        return MasterKey.from_base64(path.read_text())
    except MasterKeyError as error:
        raise MasterKeyError(f"{path}: {error}") from None
