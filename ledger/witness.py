"""Witness cosignatures on checkpoints (C2SP tlog-cosignature, Ed25519 `cosignature/v1`).

A witness is a second party that vouches it saw the ledger's tree head, consistent with the
ones before: a ledger that shows one history to one reviewer and another to the next cannot
get the same witness to cosign both. A cosignature is one more signature line on the signed
checkpoint note (c2sp.org/tlog-cosignature):

    — <witness name> base64(key id ‖ u64 timestamp, big-endian ‖ Ed25519 signature)

signed over the message

    cosignature/v1
    time <timestamp, POSIX seconds, decimal>
    <the whole checkpoint body: origin, size, root, extension lines>

The key id is SHA-256(name ‖ "\\n" ‖ 0x04 ‖ 32-byte public key)[:4]; keys are written in the
signed-note text formats with type 0x04 (`ledger keygen --witness`). The ledger's own
signature check ignores lines by other keys, so a cosigned note is still the same checkpoint.

A cosignature states that as of its time the witness saw this tree head as the largest
consistent one; `ledger checkpoint --witness KEY` makes one after the checkpoint has been
verified against every earlier one. `verify --witness-key` and `verify-proof --witness-key`
check them.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.checkpoint import (
    SIGNATURE_PREFIX,
    NoteError,
    _check_name,
    _key_material,
    _split_key,
    _unb64,
)
from ledger.message import Message

COSIGNATURE_V1 = 0x04
"""The signed-note signature type of an Ed25519 cosignature/v1."""
HEADER = "cosignature/v1"
MAX_TIMESTAMP = 2**63 - 1
FUTURE_SLACK = 300  # seconds a cosignature may lie ahead of the verifier's clock


class NotCosigned(NoteError):
    """A note that carries no cosignature by the witness (not a forged one: none)."""


@dataclass(frozen=True, slots=True)
class Witness:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


@dataclass(frozen=True, slots=True)
class WitnessSigner:
    name: str
    key_id: bytes
    private_key: Ed25519PrivateKey


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key).digest()[:4]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def generate_witness_key(name: str) -> tuple[str, str]:
    """A new witness key pair as (signer key text, verifier key text)."""
    _check_name(name)
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    seed = private.private_bytes_raw()
    ident = key_id(name, public).hex()
    signer = f"PRIVATE+KEY+{name}+{ident}+{_b64(bytes([COSIGNATURE_V1]) + seed)}"
    return signer, f"{name}+{ident}+{_b64(bytes([COSIGNATURE_V1]) + public)}"


def parse_witness_signer(text: str) -> WitnessSigner:
    fields = _split_key(text, 5, "witness signer")
    if fields[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("not a witness signer key (it must start with PRIVATE+KEY+)")
    name, hex_id, encoded = fields[2:]
    wanted, seed = _key_material(name, hex_id, encoded, "witness signer", COSIGNATURE_V1)
    private = Ed25519PrivateKey.from_private_bytes(seed)
    if key_id(name, private.public_key().public_bytes_raw()) != wanted:
        raise NoteError(f"witness signer key {name}: the key id does not match the key")
    return WitnessSigner(name, wanted, private)


def parse_witness(text: str) -> Witness:
    if text.strip().startswith("PRIVATE+KEY+"):
        raise NoteError("that is a signer (private) key; give the witness's verifier key (.pub)")
    name, hex_id, encoded = _split_key(text, 3, "witness verifier")
    wanted, raw = _key_material(name, hex_id, encoded, "witness verifier", COSIGNATURE_V1)
    if key_id(name, raw) != wanted:
        raise NoteError(f"witness key {name}: the key id does not match the key")
    return Witness(name, wanted, Ed25519PublicKey.from_public_bytes(raw))


def _message(body: str, timestamp: int) -> bytes:
    return f"{HEADER}\ntime {timestamp}\n{body}".encode()


def _split(note: str) -> tuple[str, list[str]]:
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: no blank line before the signatures")
    return note[: split + 1], note[split + 2 :].splitlines()


def cosign(note: str, signer: WitnessSigner, timestamp: int) -> str:
    """The note with the witness's cosignature line appended (a signed checkpoint note)."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError("a cosignature's time must be a POSIX timestamp")
    body, _ = _split(note)
    signature = signer.private_key.sign(_message(body, timestamp))
    raw = signer.key_id + struct.pack(">Q", timestamp) + signature
    return f"{note}{SIGNATURE_PREFIX}{signer.name} {_b64(raw)}\n"


def cosigned_at(note: str, witness: Witness, now: int) -> int:
    """The time of the witness's cosignature on the note, once it verifies; NoteError when
    the note has none by this witness, or one that does not verify or lies in the future."""
    body, lines = _split(note)
    found = None
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if name != witness.name:
            continue
        raw = _unb64(encoded, f"the signature by {name}")
        if raw[:4] != witness.key_id:
            continue
        if len(raw) != 4 + 8 + 64:
            raise NoteError(f"the cosignature by {witness.label} is malformed")
        (timestamp,) = struct.unpack(">Q", raw[4:12])
        try:
            witness.public_key.verify(raw[12:], _message(body, timestamp))
        except InvalidSignature:
            raise NoteError(f"the cosignature by {witness.label} does not verify") from None
        if timestamp > MAX_TIMESTAMP or timestamp > now + FUTURE_SLACK:
            raise NoteError(f"the cosignature by {witness.label} is dated in the future")
        found = timestamp
    if found is None:
        raise NotCosigned(f"not cosigned by witness {witness.label}")
    return found


@dataclass
class WitnessCheck:
    """What one witness vouches for among a ledger's checkpoints (numbered from 1)."""

    witness: Witness
    cosigned: list[int] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def check_witnesses(
    notes: Sequence[str], witnesses: Sequence[Witness], now: int
) -> list[WitnessCheck]:
    """Every cosignature by the witnesses on the notes must verify, and the latest note
    must be cosigned by each (earlier ones may predate the witness)."""
    checks = []
    for witness in witnesses:
        check = WitnessCheck(witness)
        for number, note in enumerate(notes, start=1):
            try:
                cosigned_at(note, witness, now)
            except NotCosigned:
                continue
            except NoteError as error:
                check.problems.append((number, str(error)))
                continue
            check.cosigned.append(number)
        if notes and len(notes) not in check.cosigned and not check.problems:
            check.problems.append(
                (
                    len(notes),
                    Message(
                        "the latest checkpoint is not cosigned by witness {label}",
                        label=witness.label,
                    ),
                )
            )
        checks.append(check)
    return checks
