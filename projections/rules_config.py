"""Local policy for the rule pack: the thresholds a municipality may set for itself.

rules.md marks several thresholds as *local policy*. Their defaults are in `Policy`; a
municipality overrides them in the `[rules]` table of a TOML file (`ledger.toml`):

    [rules]
    protection_cutoff_hour = 15     # reports from this hour on may be assessed the next day
    late_documentation_days = 5     # own actions documented later than this are flagged
    followup_start_months = 2       # a follow-up after LVU care starts within this many months
    no_contact_months = 3           # contact with the child or family after a move home
    lex_sarah_report_days = 14      # a serious lex Sarah matter reported to IVO "snarast"
    investigation_notice_days = 7   # the person concerned told "genast" of an investigation
    placed_child_visit_months = 3   # a placed child visited and spoken with alone
    measure_due_months = 6          # a measure without its own due date carried out within

Every override is kept visible (`Policy.overrides()`), so a finding can always be traced to the
threshold it was judged against. An unknown key, a wrong type or a value out of range is a
one-line `PolicyError` naming the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from projections.language import N_

__all__ = ["DEFAULT_POLICY", "POLICY_DOCS", "Policy", "PolicyError", "load_policy"]


class PolicyError(ValueError):
    """A rules configuration that cannot be used; the message is one line."""


@dataclass(frozen=True, slots=True)
class Policy:
    """The local-policy thresholds the rules are judged against."""

    protection_cutoff_hour: int = 16
    late_documentation_days: int = 7
    followup_start_months: int = 1
    no_contact_months: int = 3
    lex_sarah_report_days: int = 14
    investigation_notice_days: int = 7
    placed_child_visit_months: int = 3
    measure_due_months: int = 6
    source: str | None = None  # the file the values came from, None for the defaults

    def __post_init__(self) -> None:
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise PolicyError(f"{name} must be an integer, not {value!r}")
            if not low <= value <= high:
                raise PolicyError(f"{name} must be between {low} and {high}, not {value}")

    def values(self) -> dict[str, int]:
        """The thresholds by name (without `source`)."""
        return {name: getattr(self, name) for name in _RANGES}

    def overrides(self) -> list[dict[str, Any]]:
        """The thresholds that differ from the defaults: key, value and default."""
        defaults = _defaults()
        return [
            {"key": name, "value": value, "default": defaults[name]}
            for name, value in self.values().items()
            if value != defaults[name]
        ]


# Sensible bounds: an hour of the day (24 = never the next day), days, months.
_RANGES: dict[str, tuple[int, int]] = {
    "protection_cutoff_hour": (0, 24),
    "late_documentation_days": (0, 365),
    "followup_start_months": (1, 12),
    "no_contact_months": (1, 24),
    "lex_sarah_report_days": (1, 90),
    "investigation_notice_days": (0, 90),
    "placed_child_visit_months": (1, 12),
    "measure_due_months": (1, 36),
}

POLICY_DOCS: dict[str, str] = {
    "protection_cutoff_hour": (
        N_("a report received at or after this local hour may be assessed the next day")
    ),
    "late_documentation_days": (
        N_(
            "the authority's own actions documented more than this many days after they "
            "happened are flagged"
        )
    ),
    "followup_start_months": N_("a follow-up after LVU care is to start within this many months"),
    "no_contact_months": (
        N_(
            "after a move home or the end of care, the social services are to have contact with "
            "the child or the family within this many months"
        )
    ),
    "lex_sarah_report_days": (
        N_('a serious lex Sarah matter is reported to IVO "snarast": within this many days')
    ),
    "investigation_notice_days": (
        N_(
            'the person concerned is told "genast" that an investigation was opened: within this '
            "many days"
        )
    ),
    "placed_child_visit_months": (
        N_(
            "a placed child is visited and spoken with alone (regelbundna besök, enskilda samtal) "
            "at least once in this many months"
        )
    ),
    "measure_due_months": (
        N_(
            "a measure decided after a lex Sarah investigation or händelseanalys without its own "
            "due date is to be carried out within this many months"
        )
    ),
}

DEFAULT_POLICY = Policy()


def _defaults() -> dict[str, int]:
    return {f.name: f.default for f in fields(Policy) if f.name in _RANGES}  # type: ignore[misc]


def load_policy(path: str | Path) -> Policy:
    """The policy in the `[rules]` table of the TOML file at `path` (defaults without one)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise PolicyError(f"{name}: no such file") from None
    except OSError as error:
        raise PolicyError(f"{name}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{name}: not valid TOML ({error})") from None
    table = data.get("rules", {})
    if not isinstance(table, dict):
        raise PolicyError(f"{name}: `rules` must be a table ([rules])")
    known = list(_RANGES)
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in _RANGES:
            raise PolicyError(
                f"{name}: [rules] unknown key {key!r} (known keys: {', '.join(known)})"
            )
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyError(
                f"{name}: [rules] {key} must be an integer, not {type(value).__name__} {value!r}"
            )
        values[key] = value
    try:
        return Policy(**values, source=name)
    except PolicyError as error:
        raise PolicyError(f"{name}: [rules] {error}") from None
