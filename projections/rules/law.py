"""The norms the rules cite, as data with the law's version and the source's confidence.

A paragraph is encoded only as read from the statute's text or two reliable sources quoting
it (H), or one reliable secondary source (M); anything else is U and every finding citing it
says "paragraph not verified". Later decisions of IVO are illustrations with their own date,
never the norm (rules.md Principle 5).
"""

from __future__ import annotations

from ledger.legal import LegalReference
from ledger.sol_conversion import sol as sol_pair

LVU = "1990:52"
LEX_LILLA_HJARTAT_FROM = "2022-07-01"


def sol(provision: str, note: str, confidence: str = "H") -> tuple[LegalReference, ...]:
    """SoL (2001:453) `provision` until 2025-07-01 and its counterpart in socialtjänstlag
    (2025:400) from then: one row of the one conversion table (`ledger.sol_conversion`)."""
    return sol_pair(provision, note, confidence)


# LVU paragraphs read from the act's consolidated text (its list of amending acts included):
# SFS 2022:664 brought 13 b § (removal ban considered) and 21 b–c §§ (follow-up) from
# 2022-07-01.
LVU_2022_AMENDMENT = "SFS 2022:664"


def lvu(provision: str, note: str, confidence: str = "H", since: str = "") -> LegalReference:
    """A paragraph of LVU (1990:52); `since` when the duty came with an amendment."""
    return LegalReference("LVU", LVU, provision, confidence, note, in_force_from=since)


SOSFS_2014_5 = LegalReference(
    "SOSFS", "2014:5", "", "M", "documentation in the social services' handling of cases"
)

IVO_LILLA_HJARTAT = LegalReference(
    "IVO", "2020-10-13 (Norrköping)", "", "H", "IVO's decision on the Lilla Hjärtat case (seed 000)"
)
IVO_ASTORP = LegalReference(
    "IVO",
    "Åstorp, decided by 2020-06-18",
    "",
    "M",
    "IVO's decision on Åstorp as reported by the municipality on 2020-06-18 (seed 004); the "
    "decision's own date is not public",
)
