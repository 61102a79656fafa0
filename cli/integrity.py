"""`ledger keygen`, `ledger checkpoint` and `ledger verify`: tamper evidence (DESIGN §7).

Listed in cli/commands.py, like cli/check.py. The ledger modules are imported inside the
commands.

The checkpoints log is a text file (format in ledger/checkpoint.py): `--checkpoints FILE`,
else $LEDGER_CHECKPOINTS, else `<db>.checkpoints` next to an SQLite ledger and one file per
database in the user's state directory for PostgreSQL. The ledger keeps a copy of every
checkpoint in its own database too (ledger/custody.py).
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.context import State, output_option, pass_state, unknown_case
from cli.output import LedgerCommand, UserError, emit
from projections.language import _, say

if TYPE_CHECKING:
    from ledger.checkpoint import LoggedNote, Signer, Verifier
    from ledger.integrity import Report
    from ledger.witness import Witness, WitnessCheck, WitnessSigner

DEFAULT_KEY = "ledger.key"
DEFAULT_NAME = "ledger"

checkpoints_option = click.option(
    "--checkpoints",
    "log_file",
    metavar="FILE",
    envvar="LEDGER_CHECKPOINTS",
    default=None,
    # Read before -o, so that -o can refuse to overwrite it.
    is_eager=True,
    help="The checkpoints log (default: $LEDGER_CHECKPOINTS, else <db>.checkpoints beside an "
    "SQLite ledger, for PostgreSQL ~/.local/state/ledger/HOST-PORT-DB[-SCHEMA].checkpoints).",
)


def checkpoints_path(state: State, given: str | None) -> Path:
    if given:
        return Path(given)
    store = state.store()
    if store.kind == "sqlite":
        return Path(store.location + ".checkpoints")
    if store.kind == "postgres":
        return postgres_log(store.settings)
    raise UserError(_("an in-memory ledger has no checkpoints log; give --checkpoints FILE"))


def postgres_log(settings: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Path:
    """A PostgreSQL ledger's checkpoints log: one per database (and schema), in the user's
    state directory, never the working directory, where every ledger run from there would
    share one."""
    environ = os.environ if environ is None else environ
    home = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    parts = [
        settings["POSTGRES_HOST"],
        settings["POSTGRES_PORT"],
        settings["POSTGRES_DBNAME"],
        settings.get("POSTGRES_SCHEMA", ""),
    ]
    name = "-".join(re.sub(r"[^A-Za-z0-9._]", "_", part) for part in parts if part)
    return Path(home) / "ledger" / f"{name}.checkpoints"


def _read_log(path: Path) -> list[LoggedNote]:
    from ledger.checkpoint import NoteError, read_log

    try:
        return read_log(path)
    except NoteError as error:
        raise _Tampered(str(error)) from None
    except OSError as error:
        raise UserError(f"{path}: {error.strerror}") from None


class _Tampered(click.ClickException):
    """Integrity material that is itself broken: one line, exit status 1."""

    exit_code = 1


def _signer(key_file: str) -> Signer:
    from ledger.checkpoint import NoteError, parse_signer

    try:
        text = Path(key_file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            _("--key {file}: no such file (make a key with `ledger keygen --key {file}`)").format(
                file=key_file
            )
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(_cannot_read("--key", key_file, error)) from None
    try:
        return parse_signer(text)
    except NoteError as error:
        raise UserError(f"--key {key_file}: {error}") from None


def _key_text(option: str, value: str) -> str:
    """A key given as a file name, or as its text."""
    path = Path(value)
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else value
    except OSError as error:
        raise UserError(f"{option} {value}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(
            _("{option} {file}: not a key file").format(option=option, file=value)
        ) from None


def _witness_signer(value: str) -> WitnessSigner:
    from ledger.checkpoint import NoteError
    from ledger.witness import parse_witness_signer

    if not Path(value).is_file():
        raise UserError(_no_such_file("--witness", value))
    try:
        return parse_witness_signer(_key_text("--witness", value))
    except NoteError as error:
        raise UserError(f"--witness {value}: {error}") from None


def _witness(value: str) -> Witness:
    from ledger.checkpoint import NoteError
    from ledger.witness import parse_witness

    try:
        return parse_witness(_key_text("--witness-key", value))
    except NoteError as error:
        raise UserError(f"--witness-key: {error}") from None


def _no_such_file(option: str, name: str) -> str:
    return _("{option} {file}: no such file").format(option=option, file=name)


def _cannot_read(option: str, name: str, error: Exception) -> str:
    return _("{option} {file}: cannot read it ({reason})").format(
        option=option, file=name, reason=error
    )


witness_key_option = click.option(
    "--witness-key",
    "witness_keys",
    metavar="FILE|TEXT",
    multiple=True,
    help="A witness's verifier key (`ledger keygen --witness`, the .pub): its cosignatures "
    "are checked, and the latest checkpoint must carry one. Repeat for several witnesses.",
)


def _verifier(value: str) -> Verifier:
    from ledger.checkpoint import NoteError, parse_verifier

    text = value
    path = Path(value)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(_cannot_read("--verifier-key", value, error)) from None
    elif "+" not in value:
        raise UserError(
            _("{option} {file}: no such file, and not a verifier key").format(
                option="--verifier-key", file=value
            )
        )
    try:
        return parse_verifier(text)
    except NoteError as error:
        raise UserError(f"--verifier-key: {error}") from None


@click.command(cls=LedgerCommand)
@click.option(
    "--name",
    default=DEFAULT_NAME,
    show_default=True,
    help="The key's name, also the checkpoints' origin line; a schema-less URL such as "
    "example.org/ledger is recommended. No spaces or '+'.",
)
@click.option(
    "--key",
    "key_file",
    metavar="FILE",
    default=DEFAULT_KEY,
    show_default=True,
    help="Where to write the signer (private) key; the verifier key goes to FILE.pub.",
)
@click.option("--force", is_flag=True, help="Replace an existing key file.")
@click.option(
    "--cipher",
    is_flag=True,
    help="Instead: print a new base64 AES-256 key for LEDGER_CIPHER_KEY (encryption at rest).",
)
@click.option(
    "--witness",
    is_flag=True,
    help="A witness's key pair, for cosigning checkpoints (C2SP tlog-cosignature, type 0x04).",
)
@click.pass_context
def keygen(
    ctx: click.Context, name: str, key_file: str, force: bool, cipher: bool, witness: bool
) -> None:
    """Make an Ed25519 key pair for signing checkpoints (or, with --cipher, an AES key).

    The signer key is written to FILE, readable by you only; keep it away from the ledger's
    host if you can. The verifier key is written to FILE.pub and printed: hand it to whoever
    should be able to check checkpoints. Keys use the C2SP signed-note text formats.

    \b
    Example:
        ledger keygen --name review.example.org/ledger --key review.key
        ledger keygen --witness --name ivo.example.org/witness --key witness.key
        export LEDGER_CIPHER_KEY=$(ledger keygen --cipher)
    """
    if cipher:
        for option in ("name", "key_file", "force"):
            if ctx.get_parameter_source(option) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(_("--cipher makes an AES key; it takes no other options"))
        from eventsourcing.cryptography import AESCipher

        click.echo(AESCipher.create_key(32))
        return
    from ledger.checkpoint import NoteError, generate_key
    from ledger.witness import generate_witness_key

    try:
        signer, verifier = (generate_witness_key if witness else generate_key)(name)
    except NoteError as error:
        raise UserError(f"--name: {error}") from None
    path = Path(key_file)
    public = Path(key_file + ".pub")
    if not force:
        for existing in (path, public):
            if existing.exists():
                raise UserError(_("{file} exists; use --force to replace it").format(file=existing))
    if not path.parent.is_dir():
        raise UserError(
            _("--key {file}: the directory {directory} does not exist").format(
                file=key_file, directory=path.parent
            )
        )
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(signer + "\n")
    public.write_text(verifier + "\n", encoding="utf-8")
    click.echo(verifier)
    click.echo(
        _("signer key written to {path} (keep it secret); verifier key to {public}").format(
            path=path, public=public
        ),
        err=True,
    )


@click.command(cls=LedgerCommand)
@click.option(
    "--key",
    "key_file",
    metavar="FILE",
    envvar="LEDGER_SIGNING_KEY",
    default=DEFAULT_KEY,
    show_default=True,
    help="The signer key file from `ledger keygen` (or $LEDGER_SIGNING_KEY).",
)
@click.option(
    "--origin", metavar="TEXT", default=None, help="The origin line (default: the key's name)."
)
@click.option(
    "--witness",
    "witness_files",
    metavar="FILE",
    multiple=True,
    help="A witness's signer key (`ledger keygen --witness`): it cosigns the checkpoint "
    "(C2SP tlog-cosignature). Repeat for several witnesses.",
)
@checkpoints_option
@pass_state
def checkpoint(
    state: State,
    key_file: str,
    origin: str | None,
    log_file: str | None,
    witness_files: tuple[str, ...],
) -> None:
    """Sign the ledger's current tree size and root, append the note to the checkpoints log
    and print it.

    The ledger is verified first, against the checkpoints already in the log: nothing is
    signed when it fails (exit status 1), since a checkpoint must never contradict an
    earlier one (the log's checkpoints must be signed by this key: a new key starts a new
    log). Hand the printed note to others: with the verifier key it later proves that the
    ledger only grew.

    \b
    With --witness, each witness cosigns the checkpoint once it has been verified against
    every earlier one: it states that it saw this tree head as the ledger's latest.

    \b
    Example:
        ledger checkpoint --key review.key --origin review.example.org/ledger
        ledger checkpoint --key review.key --witness witness.key
    """
    from ledger.checkpoint import NoteError, append_log
    from ledger.custody import keep_notes, kept_leaves, kept_notes, to_catch_up
    from ledger.integrity import checkpoint_of, make_checkpoint

    signer = _signer(key_file)
    witnesses = [_witness_signer(f) for f in witness_files]
    path = checkpoints_path(state, log_file)
    notes = _read_log(path)
    ledger = state.ledger()
    logged = [n.text for n in notes]
    # A ledger checkpointed before it kept copies of its checkpoints gets them first.
    keep_notes(ledger, to_catch_up(kept_notes(ledger), logged))
    try:
        note, report = make_checkpoint(ledger, signer, origin, logged)
    except NoteError as error:
        raise UserError(f"--origin: {error}") from None
    if not report.intact:
        from projections.verification import problem_text

        assert report.first is not None
        raise _Tampered(_("nothing signed: {problem}").format(problem=problem_text(report.first)))
    if report.entries == 0:
        raise UserError(_("the ledger has no entries yet; there is nothing to checkpoint"))
    if notes and checkpoint_of(notes[-1].text, signer.verifier()) == checkpoint_of(
        note, signer.verifier()
    ):
        click.echo(notes[-1].text, nl=False)
        click.echo(
            _("unchanged since checkpoint {n} in {path}; nothing appended").format(
                n=len(notes), path=path
            ),
            err=True,
        )
        return
    if witnesses:
        from ledger.witness import cosign

        now = int(time.time())
        for witness in witnesses:
            note = cosign(note, witness, now)
    # The ledger's own copy first, then the exported log; beside it the leaves it added.
    kept = len(kept_leaves(ledger))
    keep_notes(ledger, [note], report.leaves[kept : 32 * report.entries])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        append_log(path, note)
    except OSError as error:
        raise UserError(f"{path}: {error.strerror}") from None
    click.echo(note, nl=False)
    click.echo(_("checkpoint {n} appended to {path}").format(n=len(notes) + 1, path=path), err=True)


@click.command(cls=LedgerCommand)
@click.option(
    "--verifier-key",
    "verifier_key",
    metavar="FILE|TEXT",
    envvar="LEDGER_VERIFIER_KEY",
    default=None,
    help="The verifier key (a FILE.pub from `ledger keygen`, or its text); needed when the "
    "log has checkpoints ($LEDGER_VERIFIER_KEY).",
)
@checkpoints_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="Output format: lines for people, or JSON.",
)
@click.option(
    "--against",
    "against_files",
    metavar="FILE",
    multiple=True,
    help="A checkpoints log kept by someone else (a reviewer, a witness): each of its "
    "checkpoints must be consistent with the ledger too. Repeatable.",
)
@witness_key_option
@output_option
@pass_state
def verify(
    state: State,
    verifier_key: str | None,
    log_file: str | None,
    fmt: str,
    against_files: tuple[str, ...],
    output: str | None,
    witness_keys: tuple[str, ...] = (),
) -> None:
    """Check the ledger for tampering: every case's hash chain, the Merkle tree over all
    entries, and every signed checkpoint in the log (signature and consistency proof).

    Exit status 0 when intact; 1 when anything is wrong, with the first bad event named on
    the first line, e.g. `NK-LH#3: hash mismatch`; 2 for usage errors.

    \b
    Example:
        ledger verify --verifier-key review.key.pub
        ledger verify --verifier-key review.key.pub --format json | jq .first
        ledger verify --verifier-key review.key.pub --against their.checkpoints
    """
    from ledger.custody import kept_notes
    from ledger.integrity import verify_ledger

    if log_file is not None and not Path(log_file).is_file():
        raise UserError(_no_such_file("--checkpoints", log_file))
    path = checkpoints_path(state, log_file) if log_file or state.store().kind != "memory" else None
    notes = _read_log(path) if path is not None else []
    verifier = _verifier(verifier_key) if verifier_key else None
    against: list[tuple[str, str]] = []
    for name in against_files:
        if not Path(name).is_file():
            raise UserError(_no_such_file("--against", name))
        against += [(f"{name} checkpoint {n.number}", n.text) for n in _read_log(Path(name))]
    if against and verifier is None:
        raise UserError(_("--against: give --verifier-key FILE.pub to check its checkpoints"))
    ledger = state.ledger()
    held = max(len(notes), len(kept_notes(ledger)))
    if held and verifier is None:
        raise UserError(
            _(
                "the ledger and {file} hold {n} checkpoint(s): give --verifier-key FILE.pub "
                "(or set LEDGER_VERIFIER_KEY) to check them"
            ).format(file=path, n=held)
        )
    exists = path is not None and path.exists()
    report = verify_ledger(
        ledger, [n.text for n in notes], verifier, log_exists=exists, against=against
    )
    # The kept views (case index, rule results) rebuilt from the entries and compared: the
    # comparison needs the projections, which the ledger's own verification must not import.
    from projections.kept.audit import view_problems

    report.problems.extend(view_problems(ledger, state.views()))
    report.views_checked = True
    witnessed = _check_witnesses(ledger, notes, witness_keys, report)
    if fmt == "json":
        emit(_json(report, path, witnessed), output)
    else:
        from projections.verification import verify_text

        drafts = sum(1 for _ in ledger.drafts.every_row())
        emit(verify_text(report, path, drafts, witnessed), output)
    if not report.intact:
        click.get_current_context().exit(1)


def _check_witnesses(
    ledger: Any, notes: list[LoggedNote], witness_keys: tuple[str, ...], report: Report
) -> list[WitnessCheck] | None:
    """The witnesses' cosignatures on every checkpoint `verify` checked; their problems go
    into the report (a forged cosignature, or a latest checkpoint a witness did not sign)."""
    if not witness_keys:
        return None
    from ledger.custody import kept_notes, notes_to_check
    from ledger.integrity import Problem
    from ledger.witness import check_witnesses

    witnesses = [_witness(key) for key in witness_keys]
    checked = notes_to_check(kept_notes(ledger), [n.text for n in notes])
    if not checked:
        raise UserError(_("--witness-key: the ledger has no checkpoints for a witness to cosign"))
    found = check_witnesses(checked, witnesses, int(time.time()))
    for check in found:
        report.problems.extend(Problem(what, checkpoint=number) for number, what in check.problems)
    return found


def _b64(raw: bytes | None) -> str | None:
    return base64.b64encode(raw).decode() if raw is not None else None


def _json(report: Report, path: Path | None, witnessed: list[WitnessCheck] | None) -> bytes:
    from ledger.timeparse import to_stockholm
    from projections.formats import to_json
    from projections.serialize import document

    checkpoints: list[dict[str, Any]] = [
        {
            "number": c.number,
            "origin": c.origin,
            "size": c.size,
            "root": _b64(c.root),
            "consistent": c.ok,
            "status": c.status,
        }
        for c in report.checkpoints
    ]
    return to_json(
        document(
            None,  # type: ignore[arg-type]
            intact=report.intact,
            first=report.first.to_json() if report.first else None,
            entries=report.entries,
            cases=report.cases,
            tree_size=report.entries,
            root=_b64(report.root),
            access_records=report.access_records,
            access_root=_b64(report.access_root),
            checkpoints_log=str(path) if path is not None else None,
            checkpoints=checkpoints,
            problems=[p.to_json() for p in report.problems],
            more_problems=report.more_problems,
            erased=[
                {
                    "case": e.case,
                    "seq": e.seq,
                    "erased_at": to_stockholm(e.timestamp).isoformat(),
                    "user": e.user,
                    "reason": e.reason,
                    "entries": len(e.rows),
                    "before_retention": e.before_retention,
                }
                for e in report.erased
            ],
            **(
                {
                    "witnesses": [
                        {
                            "witness": check.witness.label,
                            "cosigned": check.cosigned,
                            "problems": [what for _, what in check.problems],
                        }
                        for check in witnessed
                    ]
                }
                if witnessed is not None
                else {}
            ),
        )
    )


@click.command(cls=LedgerCommand)
@click.argument("reference", metavar="CASE#SEQ")
@checkpoints_option
@output_option
@pass_state
def prove(state: State, reference: str, log_file: str | None, output: str | None) -> None:
    """Write a proof that one entry is in the ledger, for a reviewer to hand on: the entry,
    its RFC 9162 inclusion proof and the signed checkpoint that holds it (a C2SP tlog-proof
    inside a JSON document). Anyone with the verifier key checks it with `ledger
    verify-proof`, without the database.

    The newest checkpoint holding the entry is used; make one first with `ledger checkpoint`.
    Reading the entry is recorded in the access log.

    \b
    Example:
        ledger prove NK-LH#3 -o nk-lh-3.proof.json
    """
    from ledger.custody import kept_notes, notes_to_check
    from ledger.proofs import ProofError, make_proof
    from ledger.references import BadReference, parse_reference
    from projections.formats import to_json

    try:
        ref = parse_reference(reference)
    except BadReference as error:
        raise UserError(say(str(error))) from None
    if ref.case is None or ref.seq is None:
        raise UserError(
            _("{reference}: name the entry as CASE#SEQ, e.g. NK-LH#3").format(
                reference=repr(reference)
            )
        )
    path = checkpoints_path(state, log_file) if log_file or state.store().kind != "memory" else None
    logged = [n.text for n in _read_log(path)] if path is not None else []
    ledger = state.ledger()
    notes = notes_to_check(kept_notes(ledger), logged)
    if not ledger.has_case(ref.case):
        raise UserError(unknown_case(ref.case))
    state.log_read("prove", ref.case)
    try:
        proof = make_proof(ledger, ref.case, ref.seq, notes)
    except ProofError as error:
        raise UserError(str(error)) from None
    emit(to_json(proof), output)


@click.command("verify-proof", cls=LedgerCommand)
@click.argument("proof_file", metavar="PROOF.json", type=click.Path(dir_okay=False))
@click.option(
    "--verifier-key",
    "verifier_key",
    metavar="FILE|TEXT",
    envvar="LEDGER_VERIFIER_KEY",
    required=True,
    help="The ledger's verifier key (a FILE.pub from `ledger keygen`, or its text).",
)
@witness_key_option
def verify_proof(proof_file: str, verifier_key: str, witness_keys: tuple[str, ...]) -> None:
    """Check a proof written by `ledger prove`, with the verifier key only (no database):
    the entry's content matches its hash, the inclusion path leads to the checkpoint's root,
    and the checkpoint is signed by the key.

    Exit status 0 when the proof holds, 1 when it does not (with the reason), 2 for an
    unreadable file.

    \b
    Example:
        ledger verify-proof nk-lh-3.proof.json --verifier-key review.key.pub
    """
    import orjson

    from ledger.proofs import ProofError
    from ledger.proofs import verify_proof as check

    try:
        document = orjson.loads(Path(proof_file).read_bytes())
    except OSError as error:
        raise UserError(f"{proof_file}: {error.strerror}") from None
    except orjson.JSONDecodeError:
        raise UserError(
            _("{file}: not JSON (expected a proof from `ledger prove`)").format(file=proof_file)
        ) from None
    verifier = _verifier(verifier_key)
    try:
        proved = check(document, verifier)
    except ProofError as error:
        raise _Tampered(
            _("{file}: the proof does not hold: {problem}").format(file=proof_file, problem=error)
        ) from None
    witnesses = [_witness(key) for key in witness_keys]
    if witnesses:
        from ledger.checkpoint import NoteError
        from ledger.witness import cosigned_at

        note = str(document.get("tlog_proof", "")).partition("\n\n")[2]
        for witness in witnesses:
            try:
                cosigned_at(note, witness, int(time.time()))
            except NoteError as error:
                raise _Tampered(
                    _("{file}: the proof's checkpoint: {problem}").format(
                        file=proof_file, problem=error
                    )
                ) from None
    holds = _(
        "proof holds: {entry} is entry {index} of the {size} entries of the checkpoint "
        "signed by {origin}"
    ).format(
        entry=f"{proved.case}#{proved.seq}",
        index=proved.index + 1,
        size=proved.size,
        origin=proved.origin,
    )
    if not proved.case_id_checked:
        holds += " " + _("(its case id is keyed: tied by the entry's hash)")
    for witness in witnesses:
        holds += "; " + _("cosigned by witness {label}").format(label=witness.label)
    click.echo(holds)
