"""Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes (Ed25519).

A checkpoint body (c2sp.org/tlog-checkpoint) is three lines, each ending in a newline:

    <origin>
    <tree size in decimal>
    <base64 of the 32-byte RFC 9162 root hash>

A signed note (c2sp.org/signed-note) is the body, a blank line, and one signature line per
key: "— <key name> <base64(4-byte key id ‖ 64-byte Ed25519 signature over the body)>". The
key id is the first four bytes of SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ 32-byte public key).

Keys are text in the formats of Go's golang.org/x/mod/sumdb/note, so other tools read them:

    signer:   PRIVATE+KEY+<name>+<8 hex digits of the key id>+<base64(0x01 ‖ 32-byte seed)>
    verifier: <name>+<8 hex digits of the key id>+<base64(0x01 ‖ 32-byte public key)>

The checkpoints log is not part of the ledger (the Merkle tree covers case entries only): it
is a UTF-8 text file of checkpoint notes in the order they were made, one blank line between
two notes. The framing is unambiguous because a checkpoint body has no empty line and a
signature block has no empty line, so the file alternates: body lines, a blank line,
signature lines, a blank line, body lines, ... A note is appended in one write.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ED25519 = 0x01
"""The signed-note signature type of Ed25519."""

SIGNATURE_PREFIX = "— "
MAX_SIGNATURES = 100
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SPACE = re.compile(r"\s")


class NoteError(ValueError):
    """A key, note or checkpoint that cannot be used; the message is one line."""


@dataclass(frozen=True, slots=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    def text(self) -> str:
        return verifier_text(self.name, self.public_key)


@dataclass(frozen=True, slots=True)
class Signer:
    name: str
    key_id: bytes
    private_key: Ed25519PrivateKey

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.private_key.public_key())


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        return checkpoint_body(self.origin, self.size, self.root, self.extensions)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not base64") from None


def _check_name(name: str) -> None:
    if not name or _SPACE.search(name) or "+" in name or _CONTROL.search(name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes_raw()


def verifier_text(name: str, public_key: Ed25519PublicKey) -> str:
    raw = _raw_public(public_key)
    return f"{name}+{key_id(name, raw).hex()}+{_b64(bytes([ED25519]) + raw)}"


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key pair as (signer key text, verifier key text)."""
    _check_name(name)
    private = Ed25519PrivateKey.generate()
    raw_public = _raw_public(private.public_key())
    seed = private.private_bytes_raw()
    signer = f"PRIVATE+KEY+{name}+{key_id(name, raw_public).hex()}+{_b64(bytes([ED25519]) + seed)}"
    return signer, verifier_text(name, private.public_key())


def _split_key(text: str, parts: int, what: str) -> list[str]:
    fields = text.strip().split("+", parts - 1)  # the base64 key may itself hold '+'
    if len(fields) != parts:
        raise NoteError(f"not a {what} key (expected {parts} '+'-separated fields)")
    return fields


def _key_material(
    name: str, hex_id: str, encoded: str, what: str, kind: int = ED25519
) -> tuple[bytes, bytes]:
    _check_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError(f"{what} key id {hex_id!r} is not 8 lowercase hex digits")
    raw = _unb64(encoded, f"{what} key")
    if len(raw) != 33 or raw[0] != kind:
        raise NoteError(f"{what} key is not an Ed25519 key (type 0x{kind:02x}, 32 bytes)")
    return bytes.fromhex(hex_id), raw[1:]


def parse_signer(text: str) -> Signer:
    """A signer key text: PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>."""
    fields = _split_key(text, 5, "signer")
    if fields[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("not a signer key (it must start with PRIVATE+KEY+)")
    name, hex_id, encoded = fields[2:]
    wanted, seed = _key_material(name, hex_id, encoded, "signer")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    if key_id(name, _raw_public(private.public_key())) != wanted:
        raise NoteError(f"signer key {name}: the key id does not match the key")
    return Signer(name, wanted, private)


def parse_verifier(text: str) -> Verifier:
    """A verifier key text: <name>+<hex id>+<base64(0x01 ‖ public key)>."""
    if text.strip().startswith("PRIVATE+KEY+"):
        raise NoteError("that is a signer (private) key; give the verifier key (.pub)")
    name, hex_id, encoded = _split_key(text, 3, "verifier")
    wanted, raw = _key_material(name, hex_id, encoded, "verifier")
    if key_id(name, raw) != wanted:
        raise NoteError(f"verifier key {name}: the key id does not match the key")
    return Verifier(name, wanted, Ed25519PublicKey.from_public_bytes(raw))


def _check_text(text: str, what: str) -> None:
    if _CONTROL.search(text):
        raise NoteError(f"{what} contains control characters")


def sign(body: str, signer_key: str | Signer) -> str:
    """The signed note: body, a blank line, the signature line."""
    signer = parse_signer(signer_key) if isinstance(signer_key, str) else signer_key
    if not body.endswith("\n"):
        raise NoteError("a note's text must end in a newline")
    _check_text(body, "the note text")
    signature = signer.private_key.sign(body.encode())
    return f"{body}\n{SIGNATURE_PREFIX}{signer.name} {_b64(signer.key_id + signature)}\n"


def verify(note: str, verifier_key: str | Verifier) -> str:
    """The note's text, when a signature by the verifier's key verifies; else NoteError.

    Signatures by other keys are ignored (a note may be cosigned); a signature by this key
    that does not verify rejects the note, as does a note with none by this key.
    """
    verifier = parse_verifier(verifier_key) if isinstance(verifier_key, str) else verifier_key
    _check_text(note, "the note")
    if not note.endswith("\n"):
        raise NoteError("malformed note: it must end in a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, signatures = note[: split + 1], note[split + 2 :]
    lines = signatures.splitlines()
    if not lines:
        raise NoteError("malformed note: no signatures")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    verified = False
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not space or not name or " " in encoded:
            raise NoteError(f"malformed signature line {line[:40]!r}")
        raw = _unb64(encoded, f"the signature by {name}")
        if len(raw) < 5:
            raise NoteError(f"malformed signature by {name}")
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue
        try:
            verifier.public_key.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise NoteError(f"the signature by {name} does not verify") from None
        verified = True
    if not verified:
        raise NoteError(f"no signature by key {verifier.name}+{verifier.key_id.hex()}")
    return text


def checkpoint_body(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    """origin, tree size and base64 root hash, each on its own line."""
    if not origin or "\n" in origin:
        raise NoteError("a checkpoint origin must be one non-empty line")
    _check_text(origin, "the origin")
    if size < 0:
        raise NoteError("a tree size cannot be negative")
    if len(root) != 32:
        raise NoteError("a root hash is 32 bytes")
    if any(not line or "\n" in line for line in extensions):
        raise NoteError("extension lines must be non-empty single lines")
    return "".join(f"{line}\n" for line in (origin, str(size), _b64(root), *extensions))


def parse_checkpoint(body: str) -> Checkpoint:
    """The origin, size and root of a checkpoint body (extension lines kept, unread)."""
    if not body.endswith("\n"):
        raise NoteError("malformed checkpoint: the text must end in a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise NoteError("malformed checkpoint: expected origin, size and root, non-empty lines")
    origin, size_text, root_text, *extensions = lines
    if not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise NoteError(f"malformed checkpoint: tree size {size_text[:30]!r}")
    root = _unb64(root_text, "the checkpoint's root hash")
    if len(root) != 32:
        raise NoteError("malformed checkpoint: the root hash is not 32 bytes")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


# ---- the checkpoints log ----


@dataclass(frozen=True, slots=True)
class LoggedNote:
    number: int  # 1 for the first note in the file
    line: int  # the line its body starts on
    text: str


def read_log(path: str | Path) -> list[LoggedNote]:
    """The notes of a checkpoints log in file order; [] when there is no file."""
    try:
        content = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise NoteError(f"{path}: the checkpoints log is not UTF-8") from None
    notes: list[LoggedNote] = []
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        start = i
        while i < len(lines) and lines[i]:
            i += 1
        if i == start or i >= len(lines):
            raise NoteError(f"{path}:{start + 1}: malformed checkpoints log (expected a note)")
        i += 1  # the blank line between body and signatures
        signatures = i
        while i < len(lines) and lines[i]:
            if not lines[i].startswith(SIGNATURE_PREFIX):
                raise NoteError(f"{path}:{i + 1}: malformed checkpoints log (not a signature)")
            i += 1
        if i == signatures:
            raise NoteError(f"{path}:{i + 1}: malformed checkpoints log (no signature)")
        text = "\n".join(lines[start:i]) + "\n"
        notes.append(LoggedNote(len(notes) + 1, start + 1, text))
        i += 1  # the blank line between notes
    return notes


def append_log(path: str | Path, note: str) -> None:
    """Append one note to the log (created if missing), in one write, synced to disk."""
    if not note.endswith("\n") or "\n\n" not in note:
        raise NoteError("not a signed note")
    path = Path(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    fd = os.open(path, flags, 0o644)
    try:
        separator = b"\n" if os.fstat(fd).st_size else b""
        os.write(fd, separator + note.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
