"""Seals the personal fields of a customer on the way into the store, opens them on the way out.

The domain keeps plain dicts in memory; only the stored form changes. On write, each personal field
of the customer on `Escalation.Opened` and on an escalation snapshot is replaced by an AES-GCM token
under the data subject's key (made first if the subject has none); `subject_id` stays in clear, so
an erasure can find the subject's escalations. On read, tokens are opened with the subject's key, or
read as `ERASED` when that key is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent

from domain.escalation import Escalation
from domain.snapshot import CompactSnapshot
from domain.validation import ERASED, PERSONAL_FIELDS
from infra.privacy.crypto import is_sealed
from infra.privacy.keys import SubjectKeys

# Where a customer sits in each stored event type that can hold one. A test checks that no other
# event class has a customer field, so a new one cannot be stored in clear by accident.
CUSTOMER_PATHS: dict[type[Any], tuple[str, ...]] = {
    Escalation.Opened: ("customer",),
    CompactSnapshot: ("state", "customer"),
}


class PersonalDataMapper(Mapper[UUID]):
    keys: SubjectKeys | None = None
    """Set by the application once its recorder exists; the keys live in the same database."""
    pseudonymous: bool = False
    """Read customers as their subject id only, without looking up any key: for followers that
    never show personal data (views, the Kafka relay), so they cost no key lookup per customer
    and never hold a plain field in memory."""

    def without_personal_data(self) -> PersonalDataMapper:
        """A mapper for reading only, which gives every customer as `{"subject_id": ...}`."""
        reader = PersonalDataMapper(self.transcoder, self.compressor, self.cipher)
        reader.pseudonymous = True
        return reader

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if self.pseudonymous:
            raise TypeError("a pseudonymous mapper only reads; write with the application's own")
        path = _path_of(domain_event)
        if path is not None:
            customer = _get(vars(domain_event), path)
            if _needs_sealing(customer):
                if isinstance(domain_event, Escalation.Opened):
                    # Where a person's identifiers enter: index them before they are sealed, so
                    # an erasure by e-mail, phone or account id finds this subject.
                    self._keys.index(str(customer["subject_id"]), customer)
                domain_event = _with(domain_event, path, self.seal(customer))
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        path = _path_of(domain_event)
        if path is not None:
            customer = _get(vars(domain_event), path)
            # The event was made just now from the stored state: nothing else holds it.
            if self.pseudonymous and isinstance(customer, Mapping):
                pseudonym = {"subject_id": customer.get("subject_id")}
                _get(vars(domain_event), path[:-1])[path[-1]] = pseudonym
            elif isinstance(customer, Mapping) and any(map(is_sealed, customer.values())):
                _get(vars(domain_event), path[:-1])[path[-1]] = self.open(customer)
        return domain_event

    def seal(self, customer: Mapping[str, Any]) -> dict[str, Any]:
        subject_id = str(customer["subject_id"])
        # A read first: most writes (snapshots, a subject's later cases) find the key there, and
        # only a new subject costs the write that creates one, committed before this event.
        key = self._keys.get(subject_id) or self._keys.get_or_create(subject_id)
        sealed = dict(customer)
        for field in PERSONAL_FIELDS:
            value = customer.get(field)
            if isinstance(value, str) and value != ERASED and not is_sealed(value):
                sealed[field] = key.seal(subject_id, field, value)
        return sealed

    def open(self, customer: Mapping[str, Any]) -> dict[str, Any]:
        subject_id = str(customer["subject_id"])
        key = self._keys.get(subject_id)
        opened = dict(customer)
        for field, value in customer.items():
            if is_sealed(value):
                plain = key.open(subject_id, field, value) if key is not None else None
                opened[field] = ERASED if plain is None else plain
        return opened

    def subject_of(self, stored_event: StoredEvent) -> str | None:
        """The data subject an Opened event names, read without opening any personal field."""
        state = self.transcoder.decode(self._plain_state(stored_event))
        customer = state.get("customer")
        return str(customer["subject_id"]) if isinstance(customer, Mapping) else None

    def _plain_state(self, stored_event: StoredEvent) -> bytes:
        state = stored_event.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return state

    @property
    def _keys(self) -> SubjectKeys:
        if self.keys is None:
            raise RuntimeError(
                "PersonalDataMapper.keys is not set: build the app with infra.bootstrap"
            )
        return self.keys


def _path_of(domain_event: object) -> tuple[str, ...] | None:
    for event_class, path in CUSTOMER_PATHS.items():
        if isinstance(domain_event, event_class):
            return path
    return None


def _needs_sealing(customer: object) -> bool:
    if not isinstance(customer, Mapping) or not customer.get("subject_id"):
        return False
    return any(
        isinstance(customer.get(field), str)
        and customer[field] != ERASED
        and not is_sealed(customer[field])
        for field in PERSONAL_FIELDS
    )


def _get(state: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = state
    for name in path:
        value = value.get(name) if isinstance(value, Mapping) else None
    return value


def _with(domain_event: Any, path: tuple[str, ...], customer: dict[str, Any]) -> Any:
    """A copy of the (frozen) event with the customer replaced; the original is left as it was,
    because the aggregate that triggered it may still hold it."""
    state = dict(vars(domain_event))
    if len(path) == 2:
        state[path[0]] = {**state[path[0]], path[1]: customer}
    else:
        state[path[0]] = customer
    clone = object.__new__(type(domain_event))
    object.__setattr__(clone, "__dict__", state)
    return clone
