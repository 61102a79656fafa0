"""The norms the rules cite, as data with the law's version and the source's confidence.

A paragraph is encoded only as read from the statute's text or two reliable sources quoting
it (H), or one reliable secondary source (M); anything else is U and every finding citing it
says "paragraph not verified". Later decisions of IVO are illustrations with their own date,
never the norm (rules.md Principle 5).
"""

from __future__ import annotations

from ledger.vocabulary import LegalReference

SOL_2001 = "2001:453"
SOL_2001_UNTIL = "2025-07-01"
SOL_2025 = "2025:400"
LVU = "1990:52"
LEX_LILLA_HJARTAT_FROM = "2022-07-01"

# Acts from 2025-07-01 fall under socialtjänstlag (2025:400), which renumbered the old act.
# Its paragraphs below were found by reading the new law's consolidated text beside the old
# one (public consolidated SFS texts); the official conversion key of prop. 2024/25:89 was not
# read, hence confidence M rather than H.
_SOL_2025_SOURCE = "socialtjänstlag (2025:400), consolidated text, compared with SoL (2001:453)"


def sol_2025(provision: str, note: str, confidence: str = "M") -> LegalReference:
    """A paragraph of socialtjänstlag (2025:400), in force from 2025-07-01."""
    return LegalReference(
        "SoL",
        SOL_2025,
        provision,
        confidence,
        f"{note} ({_SOL_2025_SOURCE})",
        in_force_from=SOL_2001_UNTIL,
    )


def sol(provision: str, note: str, confidence: str = "H") -> LegalReference:
    """A paragraph of SoL (2001:453), in force until 2025-07-01."""
    return LegalReference(
        "SoL", SOL_2001, provision, confidence, note, in_force_until=SOL_2001_UNTIL
    )


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
