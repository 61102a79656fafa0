"""The rows of the store: only the ledger's own topics are read, and ciphertext is bound to
the row it was written for.

eventsourcing's mapper resolves any `module:qualname` topic to a class, so a row written by
hand under `ledger.case:Case.EntryRecorded` would decode as a case entry while everything
that selects by topic (the Merkle tree, checkpoints, `verify`) passes it by. `RowMapper`
reads only the exact topics the ledger writes.

eventsourcing's AES-GCM cipher seals a row's state alone, so a ciphertext copied into another
case, another seq or under another topic still decrypts. `RowCipher` gives AES-GCM the row's
place (stream id, version, topic) as associated data: moved anywhere else it fails to
decrypt. Rows sealed before this (no associated data) still read; a bound ciphertext never
passes as one of those, since its tag was computed over its place.

A case's entries are sealed with the case's own key (ledger/case_keys.py), every other row
with the ledger key, so destroying one case's key (`ledger erase`) leaves every other row
readable. Entries of a case stored before case keys existed stay under the ledger key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)

from ledger.access import ACCESS_TOPIC
from ledger.case import Case
from ledger.case_keys import BadCaseKey, KeyRing
from ledger.custody import CHECKPOINT_TOPIC
from ledger.erasure import ERASURE_TOPIC
from ledger.message import Message, MessageError

ENTRY_TOPIC = Case.EntryRecorded.TOPIC
_ENTRY_CLASS_VERSION = getattr(Case.EntryRecorded, "class_version", 1)
LEDGER_TOPICS = frozenset({ENTRY_TOPIC, ACCESS_TOPIC, CHECKPOINT_TOPIC, ERASURE_TOPIC})
"""Every topic the ledger writes; a row under any other topic is not the ledger's."""

_NONCE, _TAG = 12, 16


class TamperedRow(MessageError, ValueError):
    """A stored row the ledger cannot have written as it stands (run `ledger verify`)."""


@dataclass(frozen=True, slots=True)
class RowPlace:
    """Where a row lies: its associated data, and which key seals it (an entry: its case's
    key, ledger/case_keys.py; any other row: the ledger key)."""

    stream: UUID
    version: int
    topic: str

    @property
    def data(self) -> bytes:
        """The associated data that binds a ciphertext to its row."""
        return b"ledger row\x00%s\x00%d\x00%s" % (
            str(self.stream).encode(),
            self.version,
            self.topic.encode(),
        )


def row_place(originator_id: Any, version: int, topic: str) -> RowPlace:
    stream = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    return RowPlace(stream, version, topic)


class RowCipher(AESCipher):
    """eventsourcing's AES-GCM cipher (same nonce ‖ tag ‖ ciphertext layout), with the row's
    place as associated data, and each case's entries sealed with the case's own key once
    `ring` is set (the application sets it: the keys live in its database)."""

    ring: KeyRing | None = None

    def _key(self, place: RowPlace | bytes, *, create: bool) -> tuple[bytes, bytes]:
        """The key for a row and its associated data."""
        if not isinstance(place, RowPlace):
            return self.key, place  # a kept view's row: the ledger key
        if self.ring is not None and place.topic == ENTRY_TOPIC:
            case_key = self.ring.key(place.stream, create=create)
            if case_key is not None:
                return case_key, place.data
        return self.key, place.data

    def encrypt_row(self, plaintext: bytes, place: RowPlace | bytes) -> bytes:
        key, associated = self._key(place, create=True)
        nonce = self.random_bytes(_NONCE)
        sealed = AESGCM(key).encrypt(nonce, plaintext, associated)
        return nonce + sealed[-_TAG:] + sealed[:-_TAG]

    def decrypt_row(self, ciphertext: bytes, place: RowPlace | bytes) -> bytes:
        nonce, tag = ciphertext[:_NONCE], ciphertext[_NONCE : _NONCE + _TAG]
        if len(tag) != _TAG:
            raise ValueError("damaged ciphertext: too short")
        try:
            key, associated = self._key(place, create=False)
        except BadCaseKey as error:
            raise ValueError(str(error)) from None
        try:
            return AESGCM(key).decrypt(nonce, ciphertext[_NONCE + _TAG :] + tag, associated)
        except InvalidTag:
            if key is not self.key:
                raise ValueError("the row does not open with its case's key") from None
            # A row sealed before rows were bound to their place (AESCipher, no associated
            # data); anything else fails here too.
            return self.decrypt(ciphertext)


class RowMapper(Mapper[UUID]):
    """eventsourcing's mapper, reading only the ledger's topics and sealing each row's state
    to its place. The encoding itself is the library's, done by a mapper without a cipher."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        if cipher is not None and not isinstance(cipher, RowCipher):
            raise TypeError(f"the ledger seals rows with RowCipher, not {type(cipher).__name__}")
        super().__init__(transcoder, compressor, cipher)
        self.row_cipher: RowCipher | None = cipher
        self.clear = Mapper[UUID](transcoder, compressor)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        stored = self.clear.to_stored_event(domain_event)
        if self.row_cipher is None:
            return stored
        place = row_place(stored.originator_id, stored.originator_version, stored.topic)
        return StoredEvent(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=self.row_cipher.encrypt_row(stored.state, place),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        topic = stored_event.topic
        if not isinstance(stored_event.state, bytes | bytearray | memoryview):
            # SQLite keeps what a statement run behind the ledger's back writes: text, a
            # number, NULL. Refused as unreadable, as bytes that do not decode are.
            raise MapperDeserialisationError(
                f"the row of stream {stored_event.originator_id} version "
                f"{stored_event.originator_version} holds {type(stored_event.state).__name__}, "
                "not bytes"
            )
        if topic not in LEDGER_TOPICS:
            raise TamperedRow(
                Message(
                    "stream {stream} version {version}: topic {topic} is not one the ledger writes",
                    stream=str(stored_event.originator_id),
                    version=stored_event.originator_version,
                    topic=repr(topic),
                )
            )
        if self.row_cipher is not None:
            place = row_place(stored_event.originator_id, stored_event.originator_version, topic)
            try:
                state = self.row_cipher.decrypt_row(stored_event.state, place)
            except ValueError as error:
                raise MapperDeserialisationError(
                    f"cannot decrypt the row of stream {stored_event.originator_id} version "
                    f"{stored_event.originator_version} (altered, moved or another key): {error}"
                ) from error
            stored_event = StoredEvent(
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                topic=topic,
                state=state,
            )
        return self.clear.to_domain_event(stored_event)

    def entry_state(self, stream: UUID, version: int, state: bytes) -> dict[str, Any] | None:
        """What `to_domain_event` makes the attributes (`__dict__`) of the entry stored at
        (stream, version) with `state`, for passes over many entries that need no event
        object: decrypted as it would be, decoded by the transcoder's quick path for a state
        whose only tagged value is its timestamp. None when that path does not apply or
        anything fails: `to_domain_event` then reads the row, and raises what it raises."""
        decode = getattr(self.transcoder, "decode_stamped", None)
        if (
            decode is None
            or self.compressor is not None
            or _ENTRY_CLASS_VERSION != 1
            or type(state) is not bytes
        ):
            return None
        if self.row_cipher is not None:
            try:
                state = self.row_cipher.decrypt_row(state, RowPlace(stream, version, ENTRY_TOPIC))
            except ValueError:
                return None
        value: dict[str, Any] | None = decode(state)
        if value is None or "class_version" in value:
            return None
        value["originator_id"] = stream
        value["originator_version"] = version
        return value
