"""Signed notes and checkpoints (ledger/checkpoint.py), the ledger's leaves, tree and
verification (ledger/integrity.py), and the `keygen`, `checkpoint` and `verify` commands."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cli.integrity import checkpoint, keygen, verify
from cli.main import cli
from ledger import merkle
from ledger.application import CaseLedger
from ledger.checkpoint import (
    Checkpoint,
    NoteError,
    append_log,
    checkpoint_body,
    generate_key,
    parse_checkpoint,
    parse_signer,
    parse_verifier,
    read_log,
    sign,
)
from ledger.checkpoint import verify as verify_note
from ledger.importer import Source, import_sources
from ledger.integrity import (
    checkpoint_of,
    leaf_data,
    make_checkpoint,
    prove_consistency,
    tree_head,
    verify_ledger,
)
from ledger.storage import sqlite_store
from tests.conftest import ASTORP_ENTRIES, LILLA_ENTRIES, clean_env

for command in (keygen, checkpoint, verify):
    cli.add_command(command)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# golang.org/x/mod/sumdb/note's own test key and note: the formats interoperate with Go's.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

# The assertions are on the English wording (Swedish, the default, is tested on its own).
pytestmark = pytest.mark.usefixtures("english")

NOTE_LINE = '{"case":"T-1","type":"NoteRecorded","occurred":"2020-0%d","text":"note %d"}'


def notes(*numbers: int) -> Source:
    return Source("input.jsonl", [(NOTE_LINE % (n % 9 + 1, n)).encode() for n in numbers])


def import_examples(ledger: CaseLedger) -> None:
    sources = [
        Source(path.name, path.read_bytes().splitlines())
        for path in (EXAMPLES / "lilla-hjartat.jsonl", EXAMPLES / "astorp.jsonl")
    ]
    import_sources(ledger, sources)


# ---- keys and signed notes ----


def test_notes_interoperate_with_gos_note_package() -> None:
    assert parse_signer(GO_SIGNER).verifier().text() == GO_VERIFIER
    assert sign(GO_TEXT, GO_SIGNER) == GO_NOTE  # Ed25519 is deterministic
    assert verify_note(GO_NOTE, GO_VERIFIER) == GO_TEXT


def test_generated_keys_follow_the_c2sp_formats() -> None:
    signer, verifier = generate_key("example.org/ledger")
    prefix, key, name, hex_id, seed = signer.split("+", 4)
    assert (prefix, key, name) == ("PRIVATE", "KEY", "example.org/ledger")
    raw_seed = base64.b64decode(seed)
    assert raw_seed[0] == 0x01 and len(raw_seed) == 33
    public = Ed25519PrivateKey.from_private_bytes(raw_seed[1:]).public_key().public_bytes_raw()
    key_id = hashlib.sha256(b"example.org/ledger\n\x01" + public).digest()[:4]
    assert hex_id == key_id.hex()
    assert (
        verifier
        == f"example.org/ledger+{key_id.hex()}+" + base64.b64encode(b"\x01" + public).decode()
    )
    note = sign("hello\n", signer)
    text, signature = note.split("\n\n")
    assert text == "hello"
    assert signature.startswith("— example.org/ledger ")
    raw = base64.b64decode(signature.split(" ")[2])
    assert raw[:4] == key_id and len(raw) == 68


@pytest.mark.parametrize("name", ["", "has space", "has+plus", "tab\there"])
def test_key_names_must_be_usable(name: str) -> None:
    with pytest.raises(NoteError):
        generate_key(name)


def test_bad_keys_are_rejected_with_one_line() -> None:
    signer, verifier = generate_key("k")
    name, hex_id, key = verifier.split("+", 2)
    wrong_id = f"{name}+{int(hex_id, 16) ^ 1:08x}+{key}"
    for text in (
        wrong_id,
        "k+1234+AAAA",
        "nonsense",
        signer,  # a private key where a public one is wanted
        f"{name}+{hex_id}+" + base64.b64encode(b"\x02" + bytes(32)).decode(),
        f"{name}+{hex_id}+not base64!",
    ):
        with pytest.raises(NoteError) as error:
            parse_verifier(text)
        assert "\n" not in str(error.value)
    with pytest.raises(NoteError):
        parse_signer(verifier)
    with pytest.raises(NoteError):
        parse_signer(signer.replace("+k+", "+other+"))  # the id no longer fits the name


def test_a_note_verifies_only_as_signed() -> None:
    signer, verifier = generate_key("k")
    note = sign("a\nb\n", signer)
    assert verify_note(note, verifier) == "a\nb\n"
    forged = note.replace("a\nb", "a\nc")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(forged, verifier)
    _, other = generate_key("k")
    with pytest.raises(NoteError, match="no signature by key k"):
        verify_note(note, other)
    with pytest.raises(NoteError, match="no signature by key"):
        verify_note(sign("a\nb\n", generate_key("j")[0]), verifier)


def test_a_cosigned_note_verifies_with_either_key_and_empty_lines_stay_in_the_text() -> None:
    first, first_verifier = generate_key("first")
    second, second_verifier = generate_key("second")
    text = "line\n\nafter an empty line\n"
    note = sign(text, first)
    cosigned = note + sign(text, second).split("\n\n")[-1]
    assert verify_note(cosigned, first_verifier) == text
    assert verify_note(cosigned, second_verifier) == text


@pytest.mark.parametrize(
    "note",
    [
        "no blank line\n— k AAAA\n",
        "text\n\n",
        "text\n\nnot a signature\n",
        "text\n\n— k\n",
        "text\n\n— k !!!!\n",
        "text\n\n— k AAAA",
        "text\x07\n\n— k AAAA\n",
    ],
)
def test_malformed_notes_are_rejected(note: str) -> None:
    _, verifier = generate_key("k")
    with pytest.raises(NoteError):
        verify_note(note, verifier)


def test_only_text_ending_in_a_newline_can_be_signed() -> None:
    signer, _ = generate_key("k")
    with pytest.raises(NoteError):
        sign("no newline", signer)


# ---- checkpoints ----


def test_checkpoint_bodies_round_trip() -> None:
    root = hashlib.sha256(b"x").digest()
    body = checkpoint_body("example.org/ledger", 33, root)
    assert body == f"example.org/ledger\n33\n{base64.b64encode(root).decode()}\n"
    assert parse_checkpoint(body) == Checkpoint("example.org/ledger", 33, root)
    assert parse_checkpoint(body + "ext\n").extensions == ("ext",)
    assert parse_checkpoint(checkpoint_body("o", 0, merkle.EMPTY_ROOT)).size == 0


@pytest.mark.parametrize(
    "body",
    [
        "o\n33\n",
        "o\n033\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "o\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "o\n3x\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "o\n3\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "o\n3\nnot base64\n",
        "o\n3\n" + base64.b64encode(bytes(32)).decode(),
        "o\n3\n" + base64.b64encode(bytes(32)).decode() + "\n\nx\n",
        "\n3\n" + base64.b64encode(bytes(32)).decode() + "\n",
    ],
)
def test_malformed_checkpoints_are_rejected(body: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(body)


def test_checkpoint_bodies_refuse_bad_parts() -> None:
    with pytest.raises(NoteError):
        checkpoint_body("", 1, bytes(32))
    with pytest.raises(NoteError):
        checkpoint_body("two\nlines", 1, bytes(32))
    with pytest.raises(NoteError):
        checkpoint_body("o", 1, bytes(31))


# ---- the checkpoints log ----


def test_the_log_keeps_notes_in_order_separated_by_a_blank_line(tmp_path: Path) -> None:
    first, _ = generate_key("first")
    second, _ = generate_key("second")
    log = tmp_path / "ledger.db.checkpoints"
    assert read_log(log) == []
    one = sign(checkpoint_body("o", 1, bytes(32)), first)
    two = sign(checkpoint_body("o", 2, bytes(32)), first)
    two_cosigned = two + sign(checkpoint_body("o", 2, bytes(32)), second).split("\n\n")[-1]
    append_log(log, one)
    append_log(log, two_cosigned)
    assert log.read_text() == one + "\n" + two_cosigned
    logged = read_log(log)
    assert [n.text for n in logged] == [one, two_cosigned]
    assert [(n.number, n.line) for n in logged] == [(1, 1), (2, 7)]


@pytest.mark.parametrize(
    "content",
    [
        "o\n1\nAAAA\n",  # no signatures
        "o\n1\nAAAA\n\n",
        "o\n1\nAAAA\n\nnot a signature\n",
        "o\n1\nAAAA\n\n— k AAAA\n\n\n",
        "\n",
    ],
)
def test_a_malformed_log_is_an_error_with_its_line(tmp_path: Path, content: str) -> None:
    log = tmp_path / "log"
    log.write_text(content)
    with pytest.raises(NoteError, match=r"log:\d+"):
        read_log(log)


# ---- the ledger's leaves, tree and verification ----


def test_leaves_are_id_version_and_hash_in_notification_order(ledger: CaseLedger) -> None:
    import_examples(ledger)
    entries = list(ledger.all_entries())
    expected = [
        e.originator_id.bytes + e.originator_version.to_bytes(8, "big") + bytes.fromhex(e.hash)
        for e in entries
    ]
    total = LILLA_ENTRIES + ASTORP_ENTRIES
    assert [len(d) for d in expected] == [56] * total
    assert expected[0] == leaf_data(
        entries[0].originator_id, entries[0].originator_version, entries[0].hash
    )
    head = tree_head(ledger)
    assert (head.size, head.root) == (total, merkle.root(expected))
    report = verify_ledger(ledger, [], None)
    assert report.intact and report.first is None
    assert (report.entries, report.cases, report.root) == (total, 2, head.root)


def test_an_empty_ledger_is_intact(ledger: CaseLedger) -> None:
    report = verify_ledger(ledger, [], None)
    assert report.intact and report.entries == 0 and report.root == merkle.EMPTY_ROOT


def test_checkpoints_stay_consistent_as_the_ledger_grows(ledger: CaseLedger) -> None:
    signer_text, verifier = generate_key("example.org/ledger")
    signer = parse_signer(signer_text)
    log: list[str] = []
    for batch in ([1, 2, 3], [4], [5, 6, 7, 8, 9]):
        import_sources(ledger, [notes(*batch)])
        note, report = make_checkpoint(ledger, signer, log=log)
        assert report.intact and note
        log.append(note)
    sizes = [checkpoint_of(note, verifier).size for note in log]
    assert sizes == [3, 4, 9]
    report = verify_ledger(ledger, log, verifier)
    assert report.intact
    assert [c.status for c in report.checkpoints] == ["consistent"] * 3
    assert checkpoint_of(log[0], verifier).origin == "example.org/ledger"


def test_checkpoints_need_a_verifier_key(ledger: CaseLedger) -> None:
    signer, _ = generate_key("k")
    import_sources(ledger, [notes(1)])
    note, _ = make_checkpoint(ledger, parse_signer(signer))
    with pytest.raises(NoteError):
        verify_ledger(ledger, [note], None)


def test_a_checkpoint_by_another_key_or_edited_is_a_problem(ledger: CaseLedger) -> None:
    signer, verifier = generate_key("k")
    import_sources(ledger, [notes(1, 2)])
    note, _ = make_checkpoint(ledger, parse_signer(signer))
    foreign, _ = make_checkpoint(ledger, parse_signer(generate_key("k")[0]))
    edited = note.replace("\n2\n", "\n1\n", 1)
    report = verify_ledger(ledger, [note, foreign, edited], verifier)
    assert not report.intact
    assert [c.ok for c in report.checkpoints] == [True, False, False]
    assert str(report.first) == (
        f"checkpoint 2: checkpoint 2 of the log is not valid: no signature by key k+"
        f"{verifier.split('+')[1]}"
    )
    assert "does not verify" in str(report.problems[1])


def test_no_checkpoint_is_signed_over_a_ledger_that_contradicts_the_log(
    ledger: CaseLedger,
) -> None:
    signer = parse_signer(generate_key("k")[0])
    import_sources(ledger, [notes(1, 2)])
    forged = sign(checkpoint_body("k", 2, bytes(32)), signer)  # a root this ledger never had
    note, report = make_checkpoint(ledger, signer, log=[forged])
    assert note == "" and not report.intact
    assert "root mismatch" in str(report.first)


def test_a_third_party_can_check_growth_with_a_proof(ledger: CaseLedger) -> None:
    signer_text, verifier = generate_key("k")
    signer = parse_signer(signer_text)
    import_sources(ledger, [notes(1, 2, 3)])
    old_note, _ = make_checkpoint(ledger, signer)
    import_sources(ledger, [notes(4, 5)])
    new_note, _ = make_checkpoint(ledger, signer, log=[old_note])
    old, new = checkpoint_of(old_note, verifier), checkpoint_of(new_note, verifier)
    proof = prove_consistency(ledger, old.size)
    assert (proof.new_size, proof.new_root) == (new.size, new.root)
    assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof.path)


# ---- the commands ----


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize("command", ["keygen", "checkpoint", "verify"])
def test_every_help_text_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"ledger {command}" in result.output


def test_keygen_writes_a_private_signer_key_and_a_public_verifier_key(tmp_path: Path) -> None:
    key = tmp_path / "review.key"
    result = run("keygen", "--name", "review.example.org/ledger", "--key", str(key))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    signer = parse_signer(key.read_text())
    verifier_text = (tmp_path / "review.key.pub").read_text().strip()
    assert signer.verifier().text() == verifier_text
    assert verifier_text in result.stdout
    again = run("keygen", "--key", str(key))
    assert again.exit_code == 2 and "exists" in again.output
    assert (tmp_path / "review.key.pub").read_text().strip() == verifier_text
    forced = run("keygen", "--key", str(key), "--force")
    assert forced.exit_code == 0
    assert parse_signer(key.read_text()).verifier().text() != verifier_text


def test_keygen_cipher_prints_an_aes_256_key() -> None:
    result = run("keygen", "--cipher")
    assert result.exit_code == 0
    assert len(base64.b64decode(result.stdout.strip(), validate=True)) == 32
    assert run("keygen", "--cipher", "--name", "x").exit_code == 2


def test_keygen_refuses_a_bad_name(tmp_path: Path) -> None:
    result = run("keygen", "--name", "has space", "--key", str(tmp_path / "k"))
    assert result.exit_code == 2 and not (tmp_path / "k").exists()


def test_checkpoint_then_verify_on_the_examples(tmp_path: Path) -> None:
    db, key = str(tmp_path / "ledger.db"), str(tmp_path / "ledger.key")
    assert run("--db", db, "import", str(EXAMPLES / "lilla-hjartat.jsonl")).exit_code == 0
    assert run("keygen", "--name", "example.org/ledger", "--key", key).exit_code == 0
    made = run("--db", db, "checkpoint", "--key", key)
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"example.org/ledger\n{LILLA_ENTRIES}\n")
    log = tmp_path / "ledger.db.checkpoints"
    assert [n.text for n in read_log(log)] == [made.stdout]
    unchanged = run("--db", db, "checkpoint", "--key", key)
    assert unchanged.exit_code == 0 and len(read_log(log)) == 1
    assert run("--db", db, "import", str(EXAMPLES / "astorp.jsonl")).exit_code == 0
    assert run("--db", db, "checkpoint", "--key", key, "--origin", "other").exit_code == 0
    assert len(read_log(log)) == 2
    checked = run("--db", db, "verify", "--verifier-key", key + ".pub")
    assert checked.exit_code == 0, checked.output
    total = LILLA_ENTRIES + ASTORP_ENTRIES
    assert checked.stdout.startswith(f"intact: {total} entries in 2 cases; tree root ")
    assert "2 checkpoints consistent" in checked.stdout
    text = Path(key + ".pub").read_text().strip()
    as_json = run("--db", db, "verify", "--verifier-key", text, "--format", "json")
    document = json.loads(as_json.stdout)
    assert document["intact"] is True and document["first"] is None
    assert (document["entries"], document["cases"], document["case"]) == (total, 2, None)
    assert [c["size"] for c in document["checkpoints"]] == [LILLA_ENTRIES, total]
    assert {"schema_version", "generated_at", "root", "problems"} <= set(document)


def test_verify_usage_errors_exit_2(tmp_path: Path) -> None:
    db, key = str(tmp_path / "ledger.db"), str(tmp_path / "ledger.key")
    run("--db", db, "import", str(EXAMPLES / "astorp.jsonl"))
    assert run("keygen", "--key", key).exit_code == 0
    assert run("--db", db, "checkpoint", "--key", key).exit_code == 0
    no_key = run("--db", db, "verify")
    assert no_key.exit_code == 2 and "--verifier-key" in no_key.output
    assert run("--db", db, "verify", "--verifier-key", "nonsense").exit_code == 2
    assert run("--db", db, "verify", "--verifier-key", key).exit_code == 2  # the private key
    missing = run("--db", db, "verify", "--checkpoints", str(tmp_path / "none"))
    assert missing.exit_code == 2
    assert run("--db", str(tmp_path / "nothing.db"), "verify").exit_code == 2
    assert run("--db", db, "verify", "--format", "csv").exit_code == 2
    assert run("--db", db, "checkpoint", "--key", str(tmp_path / "nokey")).exit_code == 2


def test_a_malformed_checkpoints_log_is_not_green(tmp_path: Path) -> None:
    db, key = str(tmp_path / "ledger.db"), str(tmp_path / "ledger.key")
    run("--db", db, "import", str(EXAMPLES / "astorp.jsonl"))
    run("keygen", "--key", key)
    run("--db", db, "checkpoint", "--key", key)
    log = tmp_path / "ledger.db.checkpoints"
    stray = len(log.read_text().splitlines()) + 2  # after the note and a blank line
    log.write_text(log.read_text() + "\nstray text\n")
    result = run("--db", db, "verify", "--verifier-key", key + ".pub")
    assert result.exit_code == 1 and f"ledger.db.checkpoints:{stray}: malformed" in result.output


def test_verify_with_the_wrong_key_is_not_green(tmp_path: Path) -> None:
    db, key = str(tmp_path / "ledger.db"), str(tmp_path / "ledger.key")
    run("--db", db, "import", str(EXAMPLES / "astorp.jsonl"))
    run("keygen", "--key", key)
    run("--db", db, "checkpoint", "--key", key)
    _, other = generate_key("ledger")
    result = run("--db", db, "verify", "--verifier-key", other)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "checkpoint 1: checkpoint 1 of the log is not valid: no signature by key ledger+"
    )


def test_the_real_program_reports_in_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    program = (
        "from cli.main import cli, main\n"
        "from cli.integrity import keygen, checkpoint, verify\n"
        "for c in (keygen, checkpoint, verify): cli.add_command(c)\n"
        "main()\n"
    )

    def ledger_(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", program, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**clean_env(), "LEDGER_LANG": "en"},
        )

    ledger_("--db", db, "import", str(EXAMPLES / "astorp.jsonl"))
    assert ledger_("keygen").returncode == 0
    assert (tmp_path / "ledger.key").exists()
    assert ledger_("--db", db, "checkpoint").returncode == 0
    done = ledger_("--db", db, "verify", "--verifier-key", "ledger.key.pub")
    assert done.returncode == 0 and done.stdout.startswith(
        f"intact: {ASTORP_ENTRIES} entries in 1 case;"
    )
    failed = ledger_("--db", db, "verify")
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: ") and failed.stderr.count("\n") == 1


def test_verify_runs_on_an_in_memory_store_without_a_log() -> None:
    ledger = CaseLedger(sqlite_store(":memory:"))
    import_sources(ledger, [notes(1)])
    assert verify_ledger(ledger, [], None).intact
