"""The `ledger` command's subcommands, loaded when used.

`ledger --help` lists every command with its one-line help from the table below, so it
imports no command module: it costs little more than importing click (issue: startup). A
command's module is imported only when that command runs or shows its own help.
tests/test_commands.py holds the table to the commands themselves: every command is in it,
under the right name, with the first paragraph of its own help.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from cli.output import LedgerGroup


class LazyGroup(LedgerGroup):
    """The root group: commands come from `COMMANDS`, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, _, attribute = entry[0].partition(":")
        command: click.Command = getattr(import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # A bare Command shortens the stored help exactly as the real command would.
        rows = [
            (name, click.Command(name, help=_short_help(self, name)).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _short_help(group: click.Group, name: str) -> str:
    if name in COMMANDS:
        return COMMANDS[name][1]
    command: Any = group.commands[name]
    return command.get_short_help_str(1000)


# name: ("module:attribute", the first paragraph of the command's help)
COMMANDS: dict[str, tuple[str, str]] = {
    "access-log": (
        "cli.access:access_log",
        "Who read which case, when, with which command and why (the access log).",
    ),
    "analysis": (
        "cli.analysis:analysis",
        "The analysis of CASE (händelseanalys, lex Sarah): causes and contributing factors by "
        "cause area with the timeline entries they explain, barriers that held or failed, and "
        "measures with owner, due date, status, evidence of effect and whether they are "
        "overdue.",
    ),
    "cases": (
        "cli.views:cases",
        "List the cases: entries, time span, where each stands, reports awaiting assessment.",
    ),
    "check": (
        "cli.check:check",
        "Check CASE (or every case with --all) against the rule pack: deadlines, decision "
        "basis, documentation.",
    ),
    "checkpoint": (
        "cli.integrity:checkpoint",
        "Sign the ledger's current tree size and root, append the note to the checkpoints log "
        "and print it.",
    ),
    "correct": (
        "cli.recording:correct",
        "Correct an entry by appending an EntryCorrected event; the original stays as it was.",
    ),
    "decisions": (
        "cli.views:decisions",
        "Who decided what in CASE, on what stated basis, knowing what, with what outstanding.",
    ),
    "draft": (
        "cli.draft:draft",
        "A mutable area for rows on their way into the ledger: import a chronology spreadsheet,"
        " check it, fix it, seal it.",
    ),
    "erase": (
        "cli.erase:erase",
        "Erase a case for good by destroying its key (crypto-shredding), once its retention has"
        " ended: SoL (2001:453) 12 kap. 1 § culls a personal file five years after its last "
        "note. Only an encrypted ledger can be erased.",
    ),
    "export": (
        "cli.export:export",
        "Write CASEs (default: every case) as JSONL that `ledger import` reads back into the "
        "same views, or for Timesketch or TimelineJS.",
    ),
    "follow": (
        "cli.store:follow",
        "Keep the case index current from PostgreSQL notifications until interrupted.",
    ),
    "gaps": (
        "cli.views:gaps",
        "The hindsight view of CASE: what each decision lacked and from whom, and how late each"
        " agency's information reached the social services.",
    ),
    "generate": (
        "cli.generate:generate",
        "Write synthetic but realistic cases as JSONL, for tests, demos and benchmarks.",
    ),
    "import": (
        "cli.importing:import_",
        "Import JSONL entries (one JSON object a line) from FILEs or `-` for stdin.",
    ),
    "init": (
        "cli.store:init",
        "Create the ledger store (an SQLite file unless configured otherwise).",
    ),
    "keygen": (
        "cli.integrity:keygen",
        "Make an Ed25519 key pair for signing checkpoints (or, with --cipher, an AES key).",
    ),
    "known": (
        "cli.views:known",
        "What the social services could know about CASE at T, without hindsight.",
    ),
    "migrate": (
        "cli.migrate:migrate",
        "Copy the whole ledger to another store: every stored row (entries, access records) "
        "byte for byte in the order it was stored, the drafts, the checkpoints log; then "
        "rebuild the case index there. The target has the same tree root, and `verify` passes "
        "on it.",
    ),
    "prove": (
        "cli.integrity:prove",
        "Write a proof that one entry is in the ledger, for a reviewer to hand on: the entry, "
        "its RFC 9162 inclusion proof and the signed checkpoint that holds it (a C2SP tlog-"
        "proof inside a JSON document). Anyone with the verifier key checks it with `ledger "
        "verify-proof`, without the database.",
    ),
    "record": (
        "cli.recording:record",
        "Append one entry to CASE.",
    ),
    "reindex": (
        "cli.store:reindex",
        "Rebuild the materialised cross-case views from the whole ledger.",
    ),
    "report": (
        "cli.report:report",
        "The review document of CASE: a title block saying what it was made from, the "
        "chronology, the authority's decisions with what was known at each, the rule findings "
        "and recorded judgements, the provisions in force at the time, and the diagrams on A4 "
        "pages.",
    ),
    "retract": (
        "cli.recording:retract",
        "Retract a wrongly recorded entry by appending an EntryRetracted event.",
    ),
    "rules": (
        "cli.check:rules",
        "List the rule pack: ids, titles, severities, sources and their confidence, the periods"
        " in which each rule was in force, and the local-policy thresholds.",
    ),
    "show": (
        "cli.views:show",
        "Show one entry with all its fields and all three clocks.",
    ),
    "timeline": (
        "cli.views:timeline",
        "The chronology of CASE, optionally as known at, as of, or as recorded at T.",
    ),
    "types": (
        "cli.vocabulary:types",
        "List the event vocabulary, or show one TYPE with its fields and legal references.",
    ),
    "verify": (
        "cli.integrity:verify",
        "Check the ledger for tampering: every case's hash chain, the Merkle tree over all "
        "entries, and every signed checkpoint in the log (signature and consistency proof).",
    ),
    "verify-proof": (
        "cli.integrity:verify_proof",
        "Check a proof written by `ledger prove`, with the verifier key only (no database): the"
        " entry's content matches its hash, the inclusion path leads to the checkpoint's root, "
        "and the checkpoint is signed by the key.",
    ),
}
