"""SoL (2001:453) → socialtjänstlag (2025:400): the one conversion table every SoL reference uses.

Socialtjänstlag (2025:400) replaced SoL (2001:453) on 2025-07-01 and renumbered it. Its
transitional provisions (read in full) keep the old act only for appeals of decisions made
before that day, recovery of aid granted before it and the cost claims of old 8 kap. 1 §;
nothing for open child cases. So an act from 2025-07-01 is judged under the new law and must
cite the new law's paragraph, and an act before it the old one.

Each row names the old paragraph as it is cited in this code base, the new paragraph, the
confidence of the correspondence and where it comes from. The new paragraphs were found by
reading the new law's consolidated text beside the old one; the official conversion key
(paragrafnyckel) of prop. 2024/25:89 was not read, so a content match is at most M. A row
whose counterpart was not found has no new paragraph and confidence U: it is cited as
"SoL (2025:400)" and every output says "paragraph not verified" rather than guess.

`sol()` gives both references of one old paragraph, each with its period, so a rule or a type
cites whichever was in force at the time of the act. A paragraph missing from the table is a
programming error at import time, never a silent placeholder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ledger.legal import LegalReference

__all__ = [
    "CONVERTED_NOTE",
    "SOL_2001",
    "SOL_2025",
    "SOL_2025_FROM",
    "SOL_CONVERSION",
    "Conversion",
    "converted_from",
    "sol",
    "sol_2025",
]

SOL_2001 = "2001:453"
SOL_2025 = "2025:400"
SOL_2025_FROM = "2025-07-01"  # SoL (2001:453) is in force until, 2025:400 from, this day


def N_(message: str) -> str:
    """Marks a text for the message catalog (`make i18n` extracts from ledger/ too); the
    write side keeps it in English and the read side shows it in the reader's language."""
    return message


# The consolidated text of socialtjänstlag (2025:400) (to SFS 2025:1501), read beside the
# consolidated text of SoL (2001:453); public SFS texts.
_CONTENT = N_("2025:400 read beside 2001:453 (content match; prop. 2024/25:89's key not read)")
_NOT_FOUND = N_("no counterpart verified in 2025:400")
# A counterpart's note: its old paragraph's note, the old paragraph and the row's reading.
CONVERTED_NOTE = N_("{note} (from SoL (2001:453) {old}: {reading})")


@dataclass(frozen=True, slots=True)
class Conversion:
    """One row: an old paragraph, its new counterpart ("" when not verified), confidence,
    source (how the counterpart was found) and topic (what the paragraph is about)."""

    old: str
    new: str
    confidence: str
    source: str
    topic: str = ""

    @property
    def reading(self) -> str:
        """The source and the topic, as the counterpart's note gives them."""
        return f"{self.source}; {self.topic}" if self.topic else self.source

    def __post_init__(self) -> None:
        if self.confidence not in ("H", "M", "U"):
            raise ValueError(f"SoL {self.old}: confidence must be H, M or U")
        if (self.confidence == "U") != (not self.new):
            raise ValueError(f"SoL {self.old}: a new paragraph exactly when it is verified")


_ROWS: tuple[Conversion, ...] = (
    Conversion("1 kap. 2 §", "3 kap. 1 §", "M", _CONTENT, N_("best interest of the child")),
    Conversion("2 a kap. 10 §", "", "U", _NOT_FOUND, N_("transfer of a case to another kommun")),
    Conversion("2 kap. 7 §", "", "U", _NOT_FOUND, N_("samordnad individuell plan (SIP)")),
    Conversion("4 kap. 1 §", "", "U", _NOT_FOUND, N_("the right to bistånd")),
    Conversion("5 kap. 1 §", "18 kap. 1 §", "M", _CONTENT, N_("also 18:5 and 18:10")),
    Conversion("6 kap. 6 §", "22 kap. 2 §", "M", _CONTENT, N_("familjehem and other homes")),
    Conversion(
        "6 kap. 7 §",
        "22 kap. 10 § andra stycket",
        "M",
        _CONTENT,
        N_("support to those caring for a placed child"),
    ),
    Conversion(
        "6 kap. 7 b §",
        "22 kap. 11 §",
        "M",
        _CONTENT,
        N_("regular personal visits, conversations alone with the child"),
    ),
    Conversion(
        "6 kap. 8 § första stycket", "22 kap. 13 §", "M", _CONTENT, N_("six-monthly consideration")
    ),
    Conversion(
        "6 kap. 8 § andra stycket",
        "22 kap. 14 §",
        "M",
        _CONTENT,
        N_("transfer of custody considered (three years in the 2020:1260 wording)"),
    ),
    Conversion(
        "6 kap. 8 a §",
        "22 kap. 14 §",
        "M",
        _CONTENT,
        N_("transfer of custody considered after two years (SFS 2022:665)"),
    ),
    Conversion("11 kap. 1 §", "14 kap. 2 §", "M", _CONTENT, N_("the duty to investigate")),
    Conversion(
        "11 kap. 1 a §",
        "20 kap. 1–2 §§",
        "M",
        _CONTENT,
        N_("protection and preliminary assessment"),
    ),
    Conversion(
        "11 kap. 1 a § första stycket", "20 kap. 1 §", "M", _CONTENT, N_("protection assessment")
    ),
    Conversion(
        "11 kap. 1 a § andra stycket", "20 kap. 2 §", "M", _CONTENT, N_("preliminary assessment")
    ),
    Conversion("11 kap. 2 §", "20 kap. 3 §", "M", _CONTENT, N_("four months and extension")),
    Conversion(
        "11 kap. 2 § tredje stycket",
        "20 kap. 4 §",
        "M",
        _CONTENT,
        N_("the person concerned told that an investigation was opened"),
    ),
    Conversion("11 kap. 3 §", "9 kap. 12 §", "M", _CONTENT, N_("vårdplan and genomförandeplan")),
    Conversion("11 kap. 10 §", "20 kap. 7 §", "M", _CONTENT, N_("hearing the child")),
    Conversion(
        "11 kap. 10 § tredje stycket",
        "20 kap. 7 §",
        "M",
        _CONTENT,
        N_("conversation without the guardians' consent or presence"),
    ),
    Conversion("14 kap. 1 §", "19 kap. 1 §", "M", _CONTENT, N_("duty to report concern")),
    Conversion(
        "14 kap. 1 § tredje stycket", "20 kap. 6 §", "M", _CONTENT, N_("duty to supply information")
    ),
    Conversion("14 kap. 3 §", "27 kap. 2 §", "M", _CONTENT, N_("lex Sarah: the staff report")),
    Conversion("14 kap. 3–7 §§", "27 kap. 2–6 §§", "M", _CONTENT, N_("lex Sarah")),
    Conversion("14 kap. 7 §", "27 kap. 6 §", "M", _CONTENT, N_("lex Sarah: report to IVO")),
)


def _table(rows: tuple[Conversion, ...]) -> Mapping[str, Conversion]:
    table: dict[str, Conversion] = {}
    for row in rows:
        if row.old in table:
            raise ValueError(f"SoL (2001:453) {row.old} converted twice")
        table[row.old] = row
    return MappingProxyType(table)


SOL_CONVERSION: Mapping[str, Conversion] = _table(_ROWS)


def sol_2025(old: str, note: str) -> LegalReference:
    """The counterpart in socialtjänstlag (2025:400) of the old paragraph `old`, in force
    from 2025-07-01; KeyError when the table has no row for it."""
    row = SOL_CONVERSION[old]
    return LegalReference(
        "SoL",
        SOL_2025,
        row.new,
        row.confidence,
        CONVERTED_NOTE.format(note=note, old=old, reading=row.reading),
        in_force_from=SOL_2025_FROM,
    )


def sol(old: str, note: str, confidence: str) -> tuple[LegalReference, LegalReference]:
    """SoL (2001:453) `old` until 2025-07-01 (with the confidence of its reading) and its
    counterpart in 2025:400 from then, from the one table."""
    return (
        LegalReference("SoL", SOL_2001, old, confidence, note, in_force_until=SOL_2025_FROM),
        sol_2025(old, note),
    )


def converted_from(reference: LegalReference) -> tuple[str, Conversion] | None:
    """The old paragraph's note and the table's row a 2025:400 counterpart's note was
    composed from (`sol_2025`), so the read side can put it in the reader's words; None for
    any other reference."""
    if reference.law != "SoL" or reference.sfs != SOL_2025:
        return None
    for row in SOL_CONVERSION.values():
        tail = CONVERTED_NOTE.format(note="", old=row.old, reading=row.reading)
        if reference.note.endswith(tail):
            return reference.note[: -len(tail)], row
    return None
