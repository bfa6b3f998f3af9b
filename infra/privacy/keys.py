"""The subject keys: one data key per data subject, stored wrapped by the master key.

One abstract store and one implementation per backend (`keys_sqlite`, `keys_postgres`). The keys
live in their own table of the event store's database (`subject_keys`), reached through the
recorder's own connection pool. There is no in-process key cache: every read asks the table, so a
key deleted by any process is gone for every process at once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.privacy.crypto import MasterKey, MasterKeyError, SubjectKey
from infra.privacy.identifiers import digest, identifiers_of, index_key

TABLE = "subject_keys"
INDEX_TABLE = "subject_identifiers"
"""The blind index: (digest, subject_id, master_key_id), see infra/privacy/identifiers.py."""
STATE_TABLE = "subject_index_state"
"""One row per completed backfill: the notification position it covered."""


@dataclass(frozen=True)
class KeyRow:
    subject_id: str
    key_id: bytes
    master_key_id: str
    wrapped_key: bytes


class SubjectKeys(ABC):
    def __init__(self, master: MasterKey, previous: Sequence[MasterKey] = ()) -> None:
        self.master = master
        self._masters = {key.key_id: key for key in (*previous, master)}
        self._index_keys = {key.key_id: index_key(key) for key in (*previous, master)}

    # ------------------------------------------------------------------ public

    def get(self, subject_id: str) -> SubjectKey | None:
        row = self._select(subject_id)
        return None if row is None else self._unwrap(row)

    def get_or_create(self, subject_id: str) -> SubjectKey:
        """The subject's key, made and committed first if there is none. Two writers racing for
        a new subject both get the one key that won the insert."""
        fresh = SubjectKey.generate()
        row = KeyRow(
            subject_id, fresh.key_id, self.master.key_id, self.master.wrap(subject_id, fresh)
        )
        return self._unwrap(self._insert_or_select(row, datetime.now(UTC)))

    def delete(self, subject_id: str) -> bool:
        """Deletes the key's row; True if there was one. Its bytes may still be in the store's
        files or pages until `shred` says they are gone."""
        return self._delete(subject_id)

    @abstractmethod
    def shred(self) -> str | None:
        """Makes the bytes of every key deleted so far unrecoverable from the store's files or
        pages. None when that is done; otherwise why not yet (a reader still holds them), so the
        caller can say the erasure is pending and try again later."""

    def rewrap(self) -> int:
        """Re-wraps every key wrapped by a previous master key with the current one; after this
        the previous master key can be destroyed. Returns how many keys were re-wrapped."""
        count = 0
        for row in self._wrapped_by_other_than(self.master.key_id):
            key = self._unwrap(row)
            replaced = self._replace_wrapping(
                row, self.master.key_id, self.master.wrap(row.subject_id, key)
            )
            count += int(replaced)
        return count

    # ------------------------------------------------------------ blind index

    def index(self, subject_id: str, customer: Mapping[str, Any]) -> None:
        """Indexes the customer's identifiers under the current master key (idempotently)."""
        key = self._index_keys[self.master.key_id]
        digests = [digest(key, kind, v) for kind, v in identifiers_of(customer).items()]
        if digests:
            self._insert_digests(subject_id, self.master.key_id, digests)

    def subjects_holding(self, kind: str, value: str) -> list[str]:
        """Every subject indexed with this identifier, under any configured master key."""
        digests = {
            master_id: digest(key, kind, value) for master_id, key in self._index_keys.items()
        }
        return sorted(set(self._select_subjects(list(digests.items()))))

    def forget_identifiers(self, subject_id: str) -> None:
        """Drops the subject's digests: after an erasure nobody can test an identifier against
        them, even with the master key."""
        self._delete_digests(subject_id)

    # --------------------------------------------------------------- backends

    @abstractmethod
    def _insert_digests(
        self, subject_id: str, master_key_id: str, digests: list[bytes]
    ) -> None: ...

    @abstractmethod
    def _select_subjects(self, digests: list[tuple[str, bytes]]) -> list[str]: ...

    @abstractmethod
    def _delete_digests(self, subject_id: str) -> None: ...

    @abstractmethod
    def drop_digests_not_under(self, master_key_id: str) -> None:
        """After a re-index under the current master key, the digests under older ones go."""

    @abstractmethod
    def backfilled_through(self) -> int | None:
        """The notification position the last backfill of the index covered, None if never."""

    @abstractmethod
    def mark_backfilled(self, position: int) -> None: ...

    @abstractmethod
    def create_table(self) -> None: ...

    @abstractmethod
    def _select(self, subject_id: str) -> KeyRow | None: ...

    @abstractmethod
    def _insert_or_select(self, row: KeyRow, created_at: datetime) -> KeyRow: ...

    @abstractmethod
    def _delete(self, subject_id: str) -> bool: ...

    @abstractmethod
    def _wrapped_by_other_than(self, master_key_id: str) -> list[KeyRow]: ...

    @abstractmethod
    def _replace_wrapping(self, row: KeyRow, master_key_id: str, wrapped_key: bytes) -> bool:
        """Only if the row is still the one read (same key id), so a concurrent erasure wins."""

    # ---------------------------------------------------------------- helpers

    def _unwrap(self, row: KeyRow) -> SubjectKey:
        master = self._masters.get(row.master_key_id)
        if master is None:
            raise MasterKeyError(
                f"the key of subject {row.subject_id} is wrapped by master key "
                f"{row.master_key_id}, which is not configured; set it in "
                "ESCALATIONS_PREVIOUS_MASTER_KEYS and run `escalations subjects rewrap`"
            )
        return master.unwrap(row.subject_id, row.key_id, bytes(row.wrapped_key))
