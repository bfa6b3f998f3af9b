"""AES-256-GCM for personal fields and for the subject keys themselves.

Two layers: each data subject has a data key that encrypts that person's fields; each data key is
stored wrapped (encrypted) by the master key, which never enters the database. Deleting a data key
makes every field encrypted under it unreadable, wherever a copy of the ciphertext went.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 16
SEALED_PREFIX = "pd1:"
"""Marks a sealed personal field in stored JSON (personal data, format 1)."""


class MasterKeyError(ValueError):
    """The master key is missing, malformed, or not the one the keys were wrapped with."""


@dataclass(frozen=True)
class MasterKey:
    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise MasterKeyError(f"the master key must be {KEY_BYTES} bytes (base64 of them)")

    @property
    def key_id(self) -> str:
        """Names the master key next to each wrapped key, so a rotation knows what to re-wrap."""
        return hashlib.sha256(b"escalations master key id\x00" + self.secret).hexdigest()[:16]

    @staticmethod
    def generate() -> MasterKey:
        return MasterKey(AESGCM.generate_key(bit_length=KEY_BYTES * 8))

    @staticmethod
    def from_base64(text: str) -> MasterKey:
        try:
            secret = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyError("the master key is not valid base64") from None
        return MasterKey(secret)

    def to_base64(self) -> str:
        return base64.b64encode(self.secret).decode()

    def wrap(self, subject_id: str, key: SubjectKey) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = _wrapping_aad(subject_id, key.key_id)
        return nonce + AESGCM(self.secret).encrypt(nonce, key.secret, aad)

    def unwrap(self, subject_id: str, key_id: bytes, wrapped: bytes) -> SubjectKey:
        nonce, sealed = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
        try:
            secret = AESGCM(self.secret).decrypt(nonce, sealed, _wrapping_aad(subject_id, key_id))
        except InvalidTag:
            raise MasterKeyError(
                f"the key of subject {subject_id} does not open with this master key; "
                "was ESCALATIONS_MASTER_KEY changed without a rotation?"
            ) from None
        return SubjectKey(key_id=key_id, secret=secret)


def _wrapping_aad(subject_id: str, key_id: bytes) -> bytes:
    # Binds a wrapped key to its row: a wrapped key copied to another subject does not open.
    return b"subject-key\x00" + subject_id.encode() + b"\x00" + key_id


@dataclass(frozen=True)
class SubjectKey:
    """One data subject's data key. `key_id` changes if a key is ever made again for the same
    subject after an erasure, so the old ciphertexts stay erased."""

    key_id: bytes
    secret: bytes

    @staticmethod
    def generate() -> SubjectKey:
        return SubjectKey(
            key_id=os.urandom(KEY_ID_BYTES), secret=AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        )

    def seal(self, subject_id: str, field: str, value: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.secret).encrypt(nonce, value.encode(), _field_aad(subject_id, field))
        token = base64.urlsafe_b64encode(self.key_id + nonce + sealed).decode()
        return SEALED_PREFIX + token

    def open(self, subject_id: str, field: str, token: str) -> str | None:
        """The plain value, or None when the token was sealed under another key of this subject
        (an erased one) or does not authenticate."""
        key_id, nonce, sealed = split_token(token)
        if key_id != self.key_id:
            return None
        try:
            return (
                AESGCM(self.secret).decrypt(nonce, sealed, _field_aad(subject_id, field)).decode()
            )
        except InvalidTag:
            return None


def _field_aad(subject_id: str, field: str) -> bytes:
    # Binds a ciphertext to its subject and field: it cannot be moved to another person or field.
    return b"personal-field\x00" + subject_id.encode() + b"\x00" + field.encode()


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def split_token(token: str) -> tuple[bytes, bytes, bytes]:
    raw = base64.urlsafe_b64decode(token[len(SEALED_PREFIX) :])
    return (
        raw[:KEY_ID_BYTES],
        raw[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES],
        raw[KEY_ID_BYTES + NONCE_BYTES :],
    )
