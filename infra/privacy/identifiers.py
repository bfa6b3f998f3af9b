"""The keyed blind index of a person's identifiers: how an erasure finds every subject that holds
an e-mail address, a phone number or an account id without the store holding them in clear.

Each identifier is normalised (so `Ana@X.example ` and `ana@x.example` match, as do `+44 20 7946
0321` and `+442079460321`) and stored as HMAC-SHA256 under a key derived from the master key:
without the master key a digest cannot be tested against a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.validation import ERASED
from infra.privacy.crypto import MasterKey, is_sealed

KINDS = ("email", "phone", "account_id")
"""The customer fields an erasure request may name a person by."""
_NOT_DIGITS = re.compile(r"\D")


class UnusableIdentifier(ValueError):
    """The value normalises to nothing (say, a phone number with no digit)."""


def normalised(kind: str, value: str) -> str:
    if kind == "email":
        text = value.strip().casefold()
    elif kind == "phone":
        # Separators and a leading + vary with who typed it; the digits are the number.
        text = _NOT_DIGITS.sub("", value)
    elif kind == "account_id":
        text = value.strip().casefold()
    else:
        raise ValueError(f"unknown identifier kind {kind!r}; one of {', '.join(KINDS)}")
    if not text:
        raise UnusableIdentifier(f"{kind} {value!r} holds nothing to look up")
    return text


def index_key(master: MasterKey) -> bytes:
    """A key of its own, so the index never exposes the master key and the two uses never mix."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"escalations blind index v1"
    ).derive(master.secret)


def digest(key: bytes, kind: str, value: str) -> bytes:
    message = kind.encode() + b"\x00" + normalised(kind, value).encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def identifiers_of(customer: Mapping[str, Any]) -> dict[str, str]:
    """The plain identifiers a customer holds (sealed or erased values are skipped)."""
    found: dict[str, str] = {}
    for kind in KINDS:
        value = customer.get(kind)
        if isinstance(value, str) and value != ERASED and not is_sealed(value):
            try:
                normalised(kind, value)
            except UnusableIdentifier:
                continue
            found[kind] = value
    return found
