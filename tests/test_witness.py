"""Witness cosignatures on checkpoints (issue 13, deliverable 9): C2SP tlog-cosignature,
Ed25519 `cosignature/v1`, made by `checkpoint --witness` and checked by `verify` and
`verify-proof` with `--witness-key`."""

from __future__ import annotations

import base64
import hashlib
import struct
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cli.main import cli
from ledger.checkpoint import NoteError, checkpoint_body, generate_key, parse_signer, sign, verify
from ledger.witness import (
    NotCosigned,
    cosign,
    cosigned_at,
    generate_witness_key,
    parse_witness,
    parse_witness_signer,
)
from tests.conftest import EXAMPLES

NOW = 1_700_000_000


def _note() -> tuple[str, str]:
    signer, verifier = generate_key("example.org/ledger")
    body = checkpoint_body("example.org/ledger", 5, bytes(32), ("access 0 " + "A" * 43 + "=",))
    return sign(body, parse_signer(signer)), verifier


def test_the_cosignature_is_the_c2sp_ed25519_cosignature_v1() -> None:
    note, _ = _note()
    signer_text, verifier_text = generate_witness_key("witness.example/w1")
    cosigned = cosign(note, parse_witness_signer(signer_text), NOW)
    assert cosigned.startswith(note)
    line = cosigned[len(note) :]
    assert line.startswith("— witness.example/w1 ") and line.endswith("\n")
    raw = base64.b64decode(line.split(" ")[2])
    # The verifier key in the signed-note text format with type 0x04.
    name, hex_id, encoded = verifier_text.split("+", 2)
    material = base64.b64decode(encoded)
    assert material[0] == 0x04 and len(material) == 33
    public = material[1:]
    expected_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public).digest()[:4]
    assert raw[:4] == expected_id and hex_id == expected_id.hex()
    assert struct.unpack(">Q", raw[4:12]) == (NOW,)
    body = note[: note.rfind("\n\n") + 1]
    message = f"cosignature/v1\ntime {NOW}\n".encode() + body.encode()
    Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], message)  # raises if not


def test_a_cosigned_note_is_still_the_ledgers_checkpoint() -> None:
    note, verifier = _note()
    signer, witness = generate_witness_key("witness.example/w1")
    cosigned = cosign(note, parse_witness_signer(signer), NOW)
    assert verify(cosigned, verifier) == verify(note, verifier)
    assert cosigned_at(cosigned, parse_witness(witness), NOW) == NOW


def test_a_missing_forged_or_future_cosignature_is_refused() -> None:
    note, _ = _note()
    signer, witness_text = generate_witness_key("witness.example/w1")
    _, other_text = generate_witness_key("witness.example/w2")
    witness = parse_witness(witness_text)
    with pytest.raises(NotCosigned):
        cosigned_at(note, witness, NOW)
    cosigned = cosign(note, parse_witness_signer(signer), NOW)
    with pytest.raises(NotCosigned):
        cosigned_at(cosigned, parse_witness(other_text), NOW)
    forged = cosigned.replace("\n5\n", "\n6\n", 1)  # another tree size, same cosignature
    with pytest.raises(NoteError, match="does not verify"):
        cosigned_at(forged, witness, NOW)
    ahead = cosign(note, parse_witness_signer(signer), NOW + 3600)
    with pytest.raises(NoteError, match="future"):
        cosigned_at(ahead, witness, NOW)
    with pytest.raises(NoteError, match="type 0x04"):
        parse_witness_signer(generate_key("k")[0])


def run(*args: str) -> Any:
    return CliRunner().invoke(
        cli, list(args), env={"LEDGER_USER": "granskare", "LEDGER_LANG": "en"}
    )


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def test_checkpoint_witness_verify_and_verify_proof(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LEDGER_DB", "LEDGER_DATABASE_URL", "LEDGER_CIPHER_KEY", "LEDGER_CHECKPOINTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "l.db")
    ok(run("--db", db, "import", "-q", str(EXAMPLES / "astorp.jsonl")))
    ok(run("keygen", "--name", "test-ledger", "--key", "k.key"))
    ok(run("keygen", "--witness", "--name", "witness.example/w1", "--key", "w1.key"))
    ok(run("keygen", "--witness", "--name", "witness.example/w2", "--key", "w2.key"))
    ok(run("--db", db, "checkpoint", "--key", "k.key"))  # before the witness existed
    ok(
        run(
            "--db",
            db,
            "record",
            "AS-2020",
            "NoteRecorded",
            "--occurred",
            "2020-07",
            "--field",
            "text=x",
        )
    )
    made = ok(run("--db", db, "checkpoint", "--key", "k.key", "--witness", "w1.key")).output
    assert "— witness.example/w1 " in made
    verified = ok(
        run("--db", db, "verify", "--verifier-key", "k.key.pub", "--witness-key", "w1.key.pub")
    )
    assert "cosigned 1 checkpoint (2)" in verified.output
    ok(run("--db", db, "verify", "--verifier-key", "k.key.pub"))  # without: as before
    other = run("--db", db, "verify", "--verifier-key", "k.key.pub", "--witness-key", "w2.key.pub")
    assert other.exit_code == 1
    assert other.output.splitlines()[0].startswith(
        "checkpoint 2: the latest checkpoint is not cosigned by witness witness.example/w2+"
    )
    ok(run("--db", db, "prove", "AS-2020#3", "-o", "p.json"))
    held = ok(
        run("verify-proof", "p.json", "--verifier-key", "k.key.pub", "--witness-key", "w1.key.pub")
    )
    assert "cosigned by witness witness.example/w1+" in held.output
    refused = run(
        "verify-proof", "p.json", "--verifier-key", "k.key.pub", "--witness-key", "w2.key.pub"
    )
    assert refused.exit_code == 1 and "not cosigned by witness" in refused.output
    # A cosignature altered in the log (and the ledger's copy): found.
    log = tmp_path / "l.db.checkpoints"
    text = log.read_text()
    line = next(x for x in text.splitlines() if x.startswith("— witness.example/w1 "))
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[-1] ^= 1
    log.write_text(
        text.replace(line, f"— witness.example/w1 {base64.b64encode(bytes(raw)).decode()}")
    )
    forged = run("--db", db, "verify", "--verifier-key", "k.key.pub", "--witness-key", "w1.key.pub")
    assert forged.exit_code == 1 and "does not verify" in forged.output
    wrong = run("--db", db, "checkpoint", "--key", "k.key", "--witness", "k.key")
    assert wrong.exit_code == 2 and "type 0x04" in wrong.output
