"""Table cells are wrapped as textwrap wraps them, whichever way the lines are found."""

from __future__ import annotations

import textwrap

from hypothesis import example, given, settings
from hypothesis import strategies as st

from projections.formats import _wrap_cell


def _textwrap(text: str, width: int) -> list[str]:
    """The cell's lines as textwrap alone makes them (what every cell got before)."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width=max(1, width)) or [""]


# Words of letters (Swedish ones too), with now and then a hyphen, a tab, a line break, a
# double or outer space, or a word longer than the line.
_WORDS = st.lists(
    st.text(alphabet="abcåäöÅ_-.,()#:12²\t\n\xa0\u2003\x1f\x85", min_size=0, max_size=14),
    min_size=0,
    max_size=30,
)


@settings(max_examples=3000, deadline=None)
@given(words=_WORDS, sep=st.sampled_from([" ", " ", " ", "  "]), width=st.integers(0, 40))
@example(words=["Skyddsbedömning", "#4", "(e4)"], sep=" ", width=15)
@example(words=["a", "b"], sep=" ", width=1)
@example(words=["", "ab", "cd"], sep=" ", width=3)
def test_a_cell_wraps_as_textwrap_wraps_it(words: list[str], sep: str, width: int) -> None:
    text = sep.join(words)
    assert _wrap_cell(text, width) == _textwrap(text, width)


def test_a_finding_s_explanation_fills_its_column() -> None:
    text = (
        "Skyddsbedömning #4 (e4) (2022-09-06) bedömde att omedelbart skydd inte behövdes "
        "utan att barnet setts (child_seen: nej)."
    )
    assert _wrap_cell(text, 57) == [
        "Skyddsbedömning #4 (e4) (2022-09-06) bedömde att",
        "omedelbart skydd inte behövdes utan att barnet setts",
        "(child_seen: nej).",
    ]
    assert _wrap_cell(text, 57) == _textwrap(text, 57)
    rule = "protection-assessed-without-seeing-child fann att"  # broken at its hyphens
    assert (
        _wrap_cell(rule, 20)
        == _textwrap(rule, 20)
        == ["protection-assessed-", "without-seeing-child", "fann att"]
    )
