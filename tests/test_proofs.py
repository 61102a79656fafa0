"""`ledger prove` and `ledger verify-proof`: a proof a reviewer hands on, checked with the
verifier key alone, away from the database; every altered part of it fails."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eventsourcing.cryptography import AESCipher

from cli.main import cli

from .conftest import EXAMPLES, LILLA_ENTRIES, POSTGRES_URL

# The assertions are on the English wording (Swedish, the default, is tested on its own).
pytestmark = pytest.mark.usefixtures("english")


class Ledger:
    def __init__(self, db: str, cipher: str | None, home: Path) -> None:
        self.db = db
        self.env = {"LEDGER_USER": "granskare", "LEDGER_CIPHER_KEY": cipher}
        self.key = str(home / "review.key")
        self.log = str(home / "ledger.checkpoints")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", self.db, *args], env=self.env)

    def checkpoint(self) -> None:
        if not Path(self.key).exists():
            made = CliRunner().invoke(
                cli, ["keygen", "--name", "review.example/ledger", "--key", self.key]
            )
            assert made.exit_code == 0
        result = self.run("checkpoint", "--key", self.key, "--checkpoints", self.log)
        assert result.exit_code == 0, result.output

    def prove(self, reference: str, output: Path) -> Result:
        return self.run("prove", reference, "--checkpoints", self.log, "-o", str(output))


@pytest.fixture(params=["sqlite", "sqlite-encrypted", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Ledger:
    cipher = AESCipher.create_key(32) if request.param.endswith("encrypted") else None
    if request.param.startswith("sqlite"):
        db = str(tmp_path / "l.db")
    else:
        db = f"{POSTGRES_URL}?schema={request.getfixturevalue('postgres_schema')}"
    made = Ledger(db, cipher, tmp_path)
    imported = made.run("import", str(EXAMPLES / "lilla-hjartat.jsonl"))
    assert imported.exit_code == 0
    return made


def verify_offline(proof: Path, key: str, where: Path) -> Result:
    """verify-proof in a directory of its own, with no ledger settings at all."""
    where.mkdir(exist_ok=True)
    old = Path.cwd()
    os.chdir(where)
    try:
        return CliRunner().invoke(
            cli,
            ["verify-proof", str(proof), "--verifier-key", key],
            env={"LEDGER_DB": None, "LEDGER_DATABASE_URL": None, "LEDGER_CIPHER_KEY": None},
        )
    finally:
        os.chdir(old)


def test_a_proof_is_checked_with_the_verifier_key_alone(ledger: Ledger, tmp_path: Path) -> None:
    proof = tmp_path / "nk-lh-3.proof.json"
    refused = ledger.prove("NK-LH#3", proof)
    assert refused.exit_code == 2
    assert "no checkpoint holds NK-LH#3 yet" in refused.output and not proof.exists()
    ledger.checkpoint()
    made = ledger.prove("NK-LH#3", proof)
    assert made.exit_code == 0, made.output
    assert proof.stat().st_mode & 0o777 == 0o600
    document = json.loads(proof.read_text(encoding="utf-8"))
    assert document["tlog_proof"].startswith("c2sp.org/tlog-proof@v1\nextra ")
    assert "\nindex 2\n" in document["tlog_proof"]
    offline = tmp_path / "elsewhere"
    result = verify_offline(proof, ledger.key + ".pub", offline)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"proof holds: NK-LH#3 is entry 3 of the {LILLA_ENTRIES} entries of the checkpoint "
        "signed by review.example/ledger"
    )
    assert ("its case id is keyed" in result.output) == bool(ledger.env["LEDGER_CIPHER_KEY"])
    assert list(offline.iterdir()) == []  # no database was opened or made
    log = json.loads(ledger.run("access-log", "NK-LH", "--format", "json").stdout)
    assert "prove" in [r["command"] for r in log["entries"]]


def _altered(document: dict, part: str) -> dict:
    altered = json.loads(json.dumps(document))
    text = altered["tlog_proof"]
    head, _, note = text.partition("\n\n")
    lines = head.split("\n")
    if part == "entry":
        altered["entry"]["summary"] = "Nothing happened."
    elif part == "hash":
        altered["entry"]["summary"] = "Nothing happened."
        from ledger.chain import entry_hash

        altered["hash"] = entry_hash(altered["entry"])
    elif part == "path":
        lines[-1] = base64.b64encode(b"\x00" * 32).decode()
        altered["tlog_proof"] = "\n".join(lines) + "\n\n" + note
    elif part == "index":
        lines[2] = "index 3"
        altered["tlog_proof"] = "\n".join(lines) + "\n\n" + note
    elif part == "checkpoint":
        body, _, signatures = note.partition("\n\n")
        origin, size, *rest = body.split("\n")
        note = "\n".join([origin, str(int(size) + 1), *rest]) + "\n\n" + signatures
        altered["tlog_proof"] = head + "\n\n" + note
    elif part == "seq":
        altered["seq"] = 4
        altered["entry"]["seq"] = 4
    return altered


@pytest.mark.parametrize(
    ("part", "reason"),
    [
        ("entry", "the entry's content does not match its hash"),
        ("hash", "the proof's leaf is not this entry's"),
        ("path", "the inclusion path does not lead to the root"),
        ("index", "the inclusion path does not lead to the root"),
        ("checkpoint", "the checkpoint: the signature by review.example/ledger does not verify"),
        ("seq", "the entry's content does not match its hash"),
    ],
)
def test_every_altered_part_fails(tmp_path: Path, part: str, reason: str) -> None:
    ledger = Ledger(str(tmp_path / "l.db"), None, tmp_path)
    assert ledger.run("import", str(EXAMPLES / "lilla-hjartat.jsonl")).exit_code == 0
    ledger.checkpoint()
    proof = tmp_path / "p.json"
    assert ledger.prove("NK-LH#3", proof).exit_code == 0
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(_altered(json.loads(proof.read_text()), part)))
    result = verify_offline(forged, ledger.key + ".pub", tmp_path / "elsewhere")
    assert result.exit_code == 1, result.output
    assert f"the proof does not hold: {reason}" in result.output


def test_another_key_and_a_later_entry(tmp_path: Path) -> None:
    ledger = Ledger(str(tmp_path / "l.db"), None, tmp_path)
    assert ledger.run("import", str(EXAMPLES / "lilla-hjartat.jsonl")).exit_code == 0
    ledger.checkpoint()
    other = tmp_path / "other.key"
    assert CliRunner().invoke(cli, ["keygen", "--key", str(other)]).exit_code == 0
    proof = tmp_path / "p.json"
    assert ledger.prove("NK-LH#1", proof).exit_code == 0
    result = verify_offline(proof, str(other) + ".pub", tmp_path / "elsewhere")
    assert result.exit_code == 1 and "no signature by key ledger+" in result.output
    assert ledger.run("import", str(EXAMPLES / "astorp.jsonl")).exit_code == 0
    later = ledger.run("prove", "AS-2020#1", "--checkpoints", ledger.log)
    assert later.exit_code == 2 and "no checkpoint holds" in later.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    unreadable = verify_offline(bad, ledger.key + ".pub", tmp_path / "elsewhere")
    assert unreadable.exit_code == 2
