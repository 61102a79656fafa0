"""Text for a person, written by the ledger layer in English and said by the shell in the
reader's language.

The ledger layer does not read the read side's catalogs (`projections.language`); what it
finds wrong (a tampered row, a broken chain, a failing checkpoint) it writes as a `Message`:
English text, as every caller that treats it as a string sees it (JSON, logs, tests), which
also keeps its template and values. `projections.language.say` looks the template up in the
catalog and fills it with the values, each said in turn where it is a `Message` itself.
`make i18n` extracts the templates (the `Message` keyword, and `in_context` for a template
whose English means something else elsewhere).

An exception whose text is a `Message` derives from `MessageError`, so that `str(error)` is
the `Message` itself (an exception's own `str` would copy it into plain English text).
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """`template.format(**values)`, remembering `template` and `values`."""

    template: str
    values: dict[str, Any]
    context: str | None = None  # see `in_context`

    def __new__(cls, template: str, **values: Any) -> Message:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template = template
        text.values = values
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its template and values (a str subclass pickles as its text alone).
        return (_rebuild, (self.template, self.values, self.context))


def in_context(context: str, template: str, **values: Any) -> Message:
    """A `Message` looked up in the catalog under `context`: for English that is said
    differently where it means something else ("missing", a field not given, is "saknas";
    "missing", the state of a barrier, is "saknades")."""
    message = Message(template, **values)
    message.context = context
    return message


def _rebuild(template: str, values: dict[str, Any], context: str | None = None) -> Message:
    if context is None:
        return Message(template, **values)
    return in_context(context, template, **values)


class MessageError(Exception):
    """An error raised with one `Message`: `str(error)` is that `Message`, so a caller that
    passes the text on (a problem of a field, a line of the import) keeps it sayable."""

    def __str__(self) -> str:
        if len(self.args) == 1 and isinstance(self.args[0], str):
            return self.args[0]
        return super().__str__()
