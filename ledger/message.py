"""Text for a person, written by the ledger layer in English and said by the shell in the
reader's language.

The ledger layer does not read the read side's catalogs (`projections.language`); what it
finds wrong (a tampered row, a broken chain, a failing checkpoint) it writes as a `Message`:
English text, as every caller that treats it as a string sees it (JSON, logs, tests), which
also keeps its template and values. `projections.language.say` looks the template up in the
catalog and fills it with the values, each said in turn where it is a `Message` itself.
`make i18n` extracts the templates (the `Message` keyword).
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """`template.format(**values)`, remembering `template` and `values`."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Message:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template = template
        text.values = values
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its template and values (a str subclass pickles as its text alone).
        return (_rebuild, (self.template, self.values))


def _rebuild(template: str, values: dict[str, Any]) -> Message:
    return Message(template, **values)
