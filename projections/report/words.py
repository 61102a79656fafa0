"""The words a review document shares across its parts: how an entry is named, a finding's
status, how a judgement reads against the rules."""

from __future__ import annotations

from projections.diagram import type_term
from projections.language import N_, _, current
from projections.records import Record
from projections.rules.pack import rule

# How a recorded judgement reads against the rules.
AGREEMENT_WORDS: dict[str, str] = {
    "supports": N_("supported"),
    "contradicts": N_("contradicted"),
    "cannot_tell": N_("the records cannot tell"),
    "related": N_("on the same entries"),
    "no_rule": N_("no rule tests it"),
}

# How far a legal reference was verified (ledger.legal's confidence).
CONFIDENCE_WORDS: dict[str, str] = {
    "H": N_("read in the statute or two reliable sources"),
    "M": N_("one reliable secondary source"),
    "U": N_("paragraph not verified"),
}


def words(table: dict[str, str], code: str) -> str:
    """`code` in words from one of the tables above; an unknown code as itself."""
    found = table.get(code)
    return _(found) if found is not None else code


def entry_label(record: Record) -> str:
    """`#16 (report-1)`: the number every output uses, and the user's own label."""
    return f"#{record.seq}" + (f" ({record.ref})" if record.ref else "")


def term(record: Record) -> str:
    """What the entry is, with a capital: "Orosanmälan"."""
    text = type_term(record.spec)
    return text[:1].upper() + text[1:]


def ref_line(record: Record) -> str:
    """`#16 (report-1) 2019-12 orosanmälan`: an entry named inside another part."""
    return f"{entry_label(record)} {record.occurred.display()} {type_term(record.spec)}"


def rule_title(rule_id: str) -> str:
    """A rule's title in the reader's language (the pack keeps both)."""
    found = rule(rule_id)
    return found.title_sv if current() == "sv" else found.title_en
