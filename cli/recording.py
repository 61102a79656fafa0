"""Recording one entry by hand, and correcting or retracting one: each an appended entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from cli.context import State, case_history, case_reference, entry_at, pass_state
from cli.output import LedgerCommand, UserError
from projections.language import _, say

if TYPE_CHECKING:
    from ledger.application import CaseLedger
    from ledger.case import Outcome
    from ledger.entry import Draft
    from ledger.references import Reference


@click.command(cls=LedgerCommand)
@click.argument("case")
@click.argument("type_name", metavar="TYPE")
@click.option("--occurred", metavar="T", help="When it happened (e.g. 2019-12, ~2020-01-07).")
@click.option("--known", metavar="T", help="When the social services knew (default: occurred).")
@click.option("--ref", metavar="LABEL", help="Your label for this entry, unique in the case.")
@click.option("--actor", help="Who did it (a pseudonymous label).")
@click.option("--role", help="The actor's role, e.g. socialsekreterare.")
@click.option("--agency", help="The actor's agency, e.g. 'Socialtjänsten Norrköping'.")
@click.option("--on-behalf-of", help="The body that owns a delegated decision.")
@click.option("--summary", help="What happened, factually and plainly.")
@click.option("--source", help="Where this comes from: journal id, case number, URL.")
@click.option("--assessment", is_flag=True, help="The entry is a judgement, not a fact.")
@click.option("--basis", multiple=True, metavar="REF", help="A reference it relied on (repeat).")
@click.option(
    "--field",
    "-f",
    "fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="A type field (repeat); see `ledger types TYPE`.",
)
@click.option(
    "--json",
    "json_file",
    type=click.File("rb"),
    metavar="FILE",
    help="Read the entry as one JSON object from FILE or `-` (stdin); options win.",
)
@pass_state
def record(
    state: State,
    case: str,
    type_name: str,
    json_file: Any,
    fields: tuple[str, ...],
    basis: tuple[str, ...],
    assessment: bool,
    **envelope: str | None,
) -> None:
    """Append one entry to CASE.

    \b
    Example:
        ledger record NK-LH ProtectionAssessmentMade --occurred 2019-12 \\
          --field report=@report-1 --field immediate_protection_needed=false --assessment
        echo '{"occurred":"2020-01","concern":"…","reporter_category":"bvc"}' \\
          | ledger record NK-LH ConcernReportReceived --json -
    """
    import orjson
    from eventsourcing.persistence import IntegrityError

    from ledger.entry import field_from_text
    from ledger.strict_json import DUPLICATE_KEY, duplicate_key
    from ledger.vocabulary import UnknownEventType, event_type

    obj: dict[str, Any] = {}
    if json_file is not None:
        try:
            raw = json_file.read()
            loaded = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise UserError(_("--json: not valid JSON ({problem})").format(problem=error)) from None
        if not isinstance(loaded, dict):
            raise UserError(_("--json: expected one JSON object"))
        if (twice := duplicate_key(raw, loaded)) is not None:
            raise UserError(
                _("--json: field {field}: {problem}").format(
                    field=repr(twice), problem=say(DUPLICATE_KEY)
                )
            )
        obj.update(loaded)
    obj.update({"case": case, "type": type_name})
    obj.update({k: v for k, v in envelope.items() if v is not None})
    if assessment:
        obj["assessment"] = True
    if basis:
        obj["basis"] = list(basis)
    try:
        spec = event_type(type_name)
    except UnknownEventType as error:
        raise UserError(say(str(error))) from None
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(_("--field {item}: expected NAME=VALUE").format(item=repr(item)))
        obj[name] = field_from_text(spec, name, value)
    ledger = state.ledger(create=True)

    def reading() -> None:
        # Recording reads the case (its labels, its entries' content) and a refusal says what
        # it found there: that is a read, logged once the entry itself has passed.
        if ledger.has_case(case):
            state.log_read("record", case)

    try:
        draft, outcome = _record_one(ledger, case, obj, reading)
    except IntegrityError as conflict:
        raise UserError(str(conflict)) from None
    seq = outcome.seqs[0]
    label = f" (@{draft.ref})" if draft.ref else ""
    if outcome.recorded:
        click.echo(_("recorded {entry}").format(entry=f"{case}#{seq}{label}"))
    else:
        click.echo(
            _("already stored as {entry}; nothing recorded").format(entry=f"{case}#{seq}{label}")
        )


def correction_options(reason_help: str) -> Callable[[Any], Any]:
    """The options a correction or a retraction takes: why, when, who, from where."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(
            (
                click.option("--reason", required=True, help=reason_help),
                click.option("--occurred", metavar="T", help="When it was made (default: now)."),
                click.option(
                    "--known",
                    metavar="T",
                    help="When the social services knew (default: occurred).",
                ),
                click.option("--actor", help="Who made it."),
                click.option("--source", help="Where it comes from."),
            )
        ):
            func = decorator(func)
        return func

    return decorate


def _record_one(
    ledger: CaseLedger,
    case: str,
    obj: dict[str, Any],
    reading: Callable[[], None] | None = None,
) -> tuple[Draft, Outcome]:
    """Validate one entry and record it; what the entry or the case rejects is a UserError.
    `reading` runs once the entry has passed on its own, before the case is read."""
    from ledger.case import CaseRejected
    from ledger.entry import InvalidEntry, draft_from_object

    try:
        draft = draft_from_object(obj)
        if reading is not None:
            reading()
        return draft, ledger.record(case, [draft])
    except InvalidEntry as invalid:
        raise UserError("; ".join(say(str(p)) for p in invalid.problems)) from None
    except CaseRejected as rejected:
        raise UserError("; ".join(say(str(p)) for _index, p in rejected.problems)) from None


def _append_correction(
    state: State,
    ref: Reference,
    obj: dict[str, Any],
    occurred: str | None,
    known: str | None,
    actor: str | None,
    source: str | None,
) -> None:
    """Record a correction or retraction of the entry `ref` (already found in its case), made
    at the given clocks (now, unless told) by `actor`, from `source`."""
    assert ref.case is not None
    target = f"#{ref.seq}" if ref.seq is not None else f"@{ref.label}"
    obj = {"case": ref.case, "target": target, **obj, **_correction_clocks(occurred, known)}
    obj.update({k: v for k, v in (("actor", actor), ("source", source)) if v})
    draft, outcome = _record_one(state.ledger(), ref.case, obj)
    entry = _("{entry} ({type} of {target})").format(
        entry=f"{ref.case}#{outcome.seqs[0]}", type=draft.type, target=ref
    )
    if outcome.recorded:
        click.echo(_("recorded {entry}").format(entry=entry))
    else:
        click.echo(_("already stored as {entry}").format(entry=entry))


def _correction_clocks(occurred: str | None, known: str | None) -> dict[str, str]:
    from datetime import UTC

    from ledger.timeparse import to_stockholm

    # The correction itself is made now unless told otherwise (minute precision, Stockholm);
    # a correction documented as known earlier was made by then.
    now = to_stockholm(datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M")
    clocks = {"occurred": occurred or known or now}
    if known:
        clocks["known"] = known
    return clocks


@click.command(cls=LedgerCommand)
@click.argument("reference", metavar="REF")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    metavar="FIELD=VALUE",
    help="A corrected value (repeat). Envelope fields or the entry's type fields.",
)
@correction_options("Why the entry is corrected.")
@pass_state
def correct(
    state: State,
    reference: str,
    changes: tuple[str, ...],
    reason: str,
    occurred: str | None,
    known: str | None,
    actor: str | None,
    source: str | None,
) -> None:
    """Correct an entry by appending an EntryCorrected event; the original stays as it was.

    Views "as known at T" apply the correction only from its `known` time on.

    \b
    Example:
        ledger correct NK-LH@pa-1 --set occurred=2019-12-27 --reason "date from the journal" \\
          --known 2020-02-20
    """
    from ledger.entry import change_from_text
    from ledger.vocabulary import event_type

    texts: dict[str, str] = {}
    for item in changes:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(_("--set {item}: expected FIELD=VALUE").format(item=repr(item)))
        texts[name] = value
    ref, target_type = _find_target(state, reference, "correct")
    spec = event_type(target_type)
    parsed = {name: change_from_text(spec, name, text) for name, text in texts.items()}
    obj = {"type": "EntryCorrected", "changes": parsed, "reason": reason}
    _append_correction(state, ref, obj, occurred, known, actor, source)


def _find_target(state: State, reference: str, command: str) -> tuple[Reference, str]:
    """The entry a correction points at, and its type; a one-line error if there is none.
    Finding it reads the case, and what is said about it (no such entry, a field its type
    lacks) tells of its content: the read is logged first."""
    ref = case_reference(reference)
    assert ref.case is not None
    history = case_history(state, ref.case)
    state.log_read(command, ref.case)
    return ref, entry_at(history, ref, reference).type


@click.command(cls=LedgerCommand)
@click.argument("reference", metavar="REF")
@correction_options("Why the entry was wrongly recorded.")
@pass_state
def retract(
    state: State,
    reference: str,
    reason: str,
    occurred: str | None,
    known: str | None,
    actor: str | None,
    source: str | None,
) -> None:
    """Retract a wrongly recorded entry by appending an EntryRetracted event.

    The entry stays in the ledger (and in views as known before the retraction), marked.

    \b
    Example:
        ledger retract NK-LH#19 --reason "recorded in the wrong case"
    """
    ref, _ = _find_target(state, reference, "retract")
    obj = {"type": "EntryRetracted", "reason": reason}
    _append_correction(state, ref, obj, occurred, known, actor, source)
