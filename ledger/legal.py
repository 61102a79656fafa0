"""Legal references as data: the law, its version (SFS number), the provision, the confidence
of the reading, and the period the provision was in force.

A reference is never a hard-coded paragraph string: SoL (2001:453) was replaced and renumbered
by socialtjänstlag (2025:400) on 2025-07-01, and LVU was amended in 2021, 2022 and 2025, so a
citation depends on the time of the act it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONFIDENCES", "NOT_VERIFIED", "LegalReference"]

CONFIDENCES = ("H", "M", "U")

# What every output says of a reference not verified from the statute, rather than guess.
NOT_VERIFIED = "paragraph not verified"

# Acts cited with their SFS number in parentheses: "SoL (2001:453) 11 kap. 1 §".
_STATUTES = frozenset({"SoL", "LVU", "LUD", "FB", "FL", "OSL", "HSL"})


@dataclass(frozen=True, slots=True)
class LegalReference:
    """A legal reference stored as data, with the version of the law it cites."""

    law: str  # "SoL", "LVU", "prop.", "JO", "SOSFS", "LUD", "IVO"
    sfs: str  # the law's version/number ("2001:453", "5219-2018", ...), "" when none
    provision: str  # Swedish statute style: "11 kap. 1 a § första stycket", "6 §", ""
    confidence: str  # "H", "M" or "U"
    note: str = ""
    in_force_from: str = ""  # ISO date when relevant, else ""
    in_force_until: str = ""  # ISO date when relevant, else ""

    def __post_init__(self) -> None:
        if not self.law:
            raise ValueError("legal reference without a law")
        if self.confidence not in CONFIDENCES:
            raise ValueError(
                f"legal reference {self.law} {self.sfs}: confidence must be one of "
                f"{', '.join(CONFIDENCES)}, not {self.confidence!r}"
            )

    def short(self) -> str:
        """E.g. "SoL (2001:453) 11 kap. 1 a § första stycket", "JO 5219-2018"."""
        if self.law in _STATUTES and self.sfs:
            head = f"{self.law} ({self.sfs})"
        else:
            head = " ".join(part for part in (self.law, self.sfs) if part)
        return f"{head} {self.provision}" if self.provision else head

    def cited(self) -> str:
        """The short form, and "(paragraph not verified)" when the reading is unverified."""
        return self.short() + (f" ({NOT_VERIFIED})" if self.confidence == "U" else "")
