"""Proofs a reviewer can hand on: one entry, its inclusion in the Merkle tree, the signed
checkpoint of that tree, checkable with the verifier key alone (no database).

A proof is a JSON document:

    {"schema_version": 1, "case": "NK-LH", "seq": 3,
     "entry": {... what the entry's hash covers: its stored fields, seq, recorded_at ...},
     "hash": "<the entry's chain hash, hex>",
     "tlog_proof": "c2sp.org/tlog-proof@v1\\nextra ...\\nindex 2\\n<hashes>\\n\\n<checkpoint>"}

`tlog_proof` is the C2SP tlog-proof text (c2sp.org/tlog-proof): the leaf index, the RFC 9162
inclusion path (nearest sibling first, base64, one a line), and the signed checkpoint note,
with `extra` holding the leaf's 56 bytes (case id ‖ seq ‖ hash; ledger/integrity.py). Checking
it: the entry's content hashes to `hash`; the leaf names that hash, the case's seq and (for a
ledger without a cipher) the case's id; the path leads from the leaf to the checkpoint's root;
the checkpoint is signed by the verifier key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.case import case_id
from ledger.chain import entry_hash
from ledger.checkpoint import NoteError, Verifier, parse_checkpoint, verify
from ledger.erasure import erasure_of
from ledger.integrity import leaf_data, leaves
from ledger.merkle import Tree, leaf_hash, verify_inclusion

if TYPE_CHECKING:
    from ledger.application import CaseLedger

__all__ = ["PROOF_HEADER", "ProofError", "Proved", "make_proof", "verify_proof"]

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
SCHEMA_VERSION = 1


class ProofError(ValueError):
    """A proof that cannot be made, or that does not hold; the message is one line."""


@dataclass(frozen=True, slots=True)
class Proved:
    """What a proof that holds shows."""

    case: str
    seq: int
    index: int  # 0-based leaf index
    size: int
    origin: str
    case_id_checked: bool  # False: a keyed case id, not derivable from the key offline


def make_proof(ledger: CaseLedger, case: str, seq: int, notes: Sequence[str]) -> dict[str, Any]:
    """The proof of entry `case#seq` under the newest of `notes` (signed checkpoints, oldest
    first) whose tree holds it, and whose root the ledger's tree still has at that size."""
    wanted = ledger.case_id(case)
    erased = erasure_of(ledger, case)
    entry: Any
    if erased is not None:
        # Its entries cannot be shown any more; its erasure record can (proofs of its
        # entries made before the erasure still hold).
        if seq != erased.seq:
            raise ProofError(
                f"{case}#{seq}: the case was erased on {erased.day}; only its erasure record "
                f"({case}#{erased.seq}) can be proved now, and proofs made before still hold"
            )
        entry = erased
    else:
        entries = {e.originator_version: e for e in ledger.history(case)}
        if seq not in entries:
            raise ProofError(f"no entry {case}#{seq}")
        entry = entries[seq]
    found = bytearray()
    index = None
    for stream, version, leaf in leaves(ledger):
        if stream == wanted and version == seq:
            index = len(found) // 32
        found += leaf_hash(leaf)
    assert index is not None
    tree = Tree(found)
    for note in reversed(notes):
        checkpoint = parse_checkpoint(note[: note.rfind("\n\n") + 1])
        if checkpoint.size <= index:
            continue
        if checkpoint.size > tree.size or tree.root(checkpoint.size) != checkpoint.root:
            raise ProofError(
                f"the ledger no longer matches its checkpoint of size {checkpoint.size}; "
                "run `ledger verify`"
            )
        path = tree.inclusion_proof(index, checkpoint.size)
        leaf = leaf_data(wanted, seq, entry.hash)
        text = "".join(
            f"{line}\n"
            for line in (
                PROOF_HEADER,
                f"extra {base64.b64encode(leaf).decode()}",
                f"index {index}",
                *(base64.b64encode(h).decode() for h in path),
            )
        )
        return {
            "schema_version": SCHEMA_VERSION,
            "case": case,
            "seq": seq,
            "entry": entry.hashed_payload(),
            "hash": entry.hash,
            "tlog_proof": f"{text}\n{note}",
        }
    raise ProofError(
        f"no checkpoint holds {case}#{seq} yet (it is entry {index + 1}); "
        "make one with `ledger checkpoint`"
    )


def verify_proof(document: Any, verifier: Verifier) -> Proved:
    """Check a proof with nothing but the verifier key; `ProofError` says what fails."""
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        raise ProofError("not a ledger proof (schema_version 1)")
    case, seq, entry, hash_hex, text = (
        document.get(k) for k in ("case", "seq", "entry", "hash", "tlog_proof")
    )
    if not (isinstance(case, str) and isinstance(seq, int) and isinstance(entry, dict)):
        raise ProofError("the proof lacks its case, seq or entry")
    if not isinstance(hash_hex, str) or not isinstance(text, str):
        raise ProofError("the proof lacks its hash or tlog_proof")
    extra, index, path, note = _parse_tlog_proof(text)
    try:
        body = verify(note, verifier)
        checkpoint = parse_checkpoint(body)
    except NoteError as error:
        raise ProofError(f"the checkpoint: {error}") from None
    if entry_hash(entry) != hash_hex:
        raise ProofError("the entry's content does not match its hash (altered)")
    if entry.get("case") != case or entry.get("seq") != seq:
        raise ProofError("the entry is not the case and seq the proof names")
    if len(extra) != 56 or extra[24:].hex() != hash_hex:
        raise ProofError("the proof's leaf is not this entry's")
    if int.from_bytes(extra[16:24], "big") != seq:
        raise ProofError("the proof's leaf is another seq")
    leaf_case = UUID(bytes=extra[:16])
    id_checked = leaf_case == case_id(case)
    if not verify_inclusion(extra, index, checkpoint.size, path, checkpoint.root):
        raise ProofError(
            f"the inclusion path does not lead to the root of the checkpoint of size "
            f"{checkpoint.size}"
        )
    return Proved(case, seq, index, checkpoint.size, checkpoint.origin, id_checked)


def _parse_tlog_proof(text: str) -> tuple[bytes, int, list[bytes], str]:
    head, blank, note = text.partition("\n\n")
    lines = head.split("\n")
    if not blank or not lines or lines[0] != PROOF_HEADER:
        raise ProofError(f"tlog_proof: not a {PROOF_HEADER} text")
    lines = lines[1:]
    extra = b""
    try:
        if lines and lines[0].startswith("extra "):
            extra = base64.b64decode(lines.pop(0)[6:], validate=True)
        if not lines or not lines[0].startswith("index "):
            raise ProofError("tlog_proof: no index line")
        index_text = lines.pop(0)[6:]
        if not index_text.isdigit() or (index_text != "0" and index_text.startswith("0")):
            raise ProofError("tlog_proof: malformed index")
        path = [base64.b64decode(line, validate=True) for line in lines]
    except binascii.Error:
        raise ProofError("tlog_proof: a line is not base64") from None
    if any(len(h) != 32 for h in path):
        raise ProofError("tlog_proof: a path hash is not 32 bytes")
    return extra, int(index_text), path, note
