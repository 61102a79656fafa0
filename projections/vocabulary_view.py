"""The vocabulary as other tools read it (`ledger types --format json`) and as people read it
(`docs/vocabulary.md`, `ledger types --format md`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ledger.vocabulary import (
    CATEGORIES,
    FIELD_KIND_DOCS,
    NOT_DOCUMENTED,
    VOCABULARY,
    EventType,
    FieldSpec,
    LegalReference,
)
from projections.codes import CATEGORY_WORDS, cited, code_words
from projections.language import _


def type_json(spec: EventType) -> dict[str, Any]:
    """One type as JSON: its terms, flags, fields and legal references."""
    return {
        "type": spec.name,
        "swedish": spec.swedish,
        "category": spec.category,
        "decision": spec.decision,
        "requires_known": spec.requires_known,
        "description": spec.description,
        "fields": [
            {
                "name": f.name,
                "kind": f.kind,
                "required": f.required,
                "choices": list(f.choices),
                "doc": f.doc,
            }
            for f in spec.fields
        ],
        "legal": [legal_json(ref) for ref in spec.legal],
    }


def legal_json(ref: LegalReference) -> dict[str, Any]:
    """A legal reference with the law's version and the period it was in force."""
    return {
        "law": ref.law,
        "sfs": ref.sfs,
        "provision": ref.provision,
        "citation": ref.cited(),
        "confidence": ref.confidence,
        "note": ref.note,
        "in_force_from": ref.in_force_from or None,
        "in_force_until": ref.in_force_until or None,
    }


def _markdown_head() -> str:
    return "\n\n".join(
        (
            "# " + _("Event vocabulary"),
            _(
                "Generated from the registry in `ledger/vocabulary.py` by `make docs` "
                "(`ledger types --format md`). Do not edit by hand: `tests/test_vocabulary.py` "
                "fails when this file differs from what the registry renders."
            ),
            _(
                "Each entry carries the envelope of DESIGN.md §4 (`occurred`, `known`, `actor`, "
                "`role`, `agency`, `on_behalf_of`, `summary`, `source`, `assessment`, `basis`, "
                "`ref`); the table lists each type's own fields. `?` marks an optional field; "
                "enumerations list their words. Legal references name the law's version (SFS "
                "number) and, where it matters, the period it was in force; confidence H = "
                "statute or two independent sources, M = one reliable secondary source, U = "
                "unverified."
            ),
        )
    )


def vocabulary_markdown(specs: Sequence[EventType]) -> str:
    """The vocabulary as a Markdown document in the reader's language: a legend, then one
    table row per type (type names, field names, kinds and codes stay as they are)."""
    kinds = "\n".join(f"- `{kind}`: {_(doc)}" for kind, doc in FIELD_KIND_DOCS.items())
    categories = ", ".join(f"`{c}` ({_(CATEGORY_WORDS[c])})" for c in CATEGORIES)
    closed = ", ".join(s.name for s in VOCABULARY.values() if not s.accepts_not_documented)
    undocumented = _(
        "Every field, required or optional and of any kind, also accepts `{code}`: the act is "
        'in the examined records but this detail is not (tables print it "{words}"; rules '
        "treat it as unknown). Not for the corrections ({closed}), which must name what they "
        "correct."
    ).format(code=NOT_DOCUMENTED, words=code_words("", NOT_DOCUMENTED), closed=closed)
    heads = (
        _("type"),
        _("Swedish"),
        _("category"),
        _("decision"),
        _("type fields"),
        _("legal reference"),
    )
    rows = ["| " + " | ".join(heads) + " |", "|---|---|---|---|---|---|"]
    for spec in specs:
        cells = (
            spec.name,
            spec.swedish,
            spec.category,
            _("yes") if spec.decision else "",
            ", ".join(_field_markdown(f) for f in spec.fields),
            "; ".join(_legal_markdown(ref) for ref in spec.legal),
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return (
        f"{_markdown_head()}\n\n"
        + _("Categories: {categories}.").format(categories=categories)
        + "\n\n"
        + _("Field kinds:")
        + f"\n\n{kinds}\n\n{undocumented}\n\n"
        + "\n".join(rows)
        + "\n"
    )


def _field_markdown(spec: FieldSpec) -> str:
    mark = "" if spec.required else "?"
    note = f"enum: {', '.join(spec.choices)}" if spec.choices else spec.kind
    return f"`{spec.name}{mark}` ({note})"


def _legal_markdown(ref: LegalReference) -> str:
    if ref.in_force_from and ref.in_force_until:
        period = ", " + _("in force {start} → {end}").format(
            start=ref.in_force_from, end=ref.in_force_until
        )
    elif ref.in_force_from:
        period = ", " + _("in force from {start}").format(start=ref.in_force_from)
    elif ref.in_force_until:
        period = ", " + _("in force until {end}").format(end=ref.in_force_until)
    else:
        period = ""
    return f"{cited(ref)} ({ref.confidence}{period})"


def _cell(text: str) -> str:
    # A bar inside a cell would end it; a newline would end the row.
    return text.replace("|", "\\|").replace("\n", " ")


# A 2025 counterpart's note is composed from its 2001 paragraph's note and the conversion
# table's reading ("… (from SoL (2001:453) …: …)"); those stay in the words they were read in.
_COMPOSED = " (from SoL (2001:453) "


def vocabulary_texts() -> list[str]:
    """The registry's texts for people, which the write side keeps in English and the read
    side shows in the reader's language: each type's description, each field's doc, each
    field kind's doc and each legal reference's own note."""
    texts: dict[str, None] = {}
    for spec in VOCABULARY.values():
        texts[spec.description] = None
        texts.update(dict.fromkeys(f.doc for f in spec.fields))
        texts.update(dict.fromkeys(r.note for r in spec.legal if _COMPOSED not in r.note))
    texts.update(dict.fromkeys(FIELD_KIND_DOCS.values()))
    return [text for text in texts if text]


# The keywords of the messages the module writes itself (ledger/message.py). Not the others:
# its legal references' notes are among the registry's texts, less the ones composed from
# other notes.
_MESSAGE_KEYWORDS = ("Message", "in_context")


def extract_vocabulary(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """A Babel extraction method (babel.cfg, for ledger/vocabulary.py): the registry's texts
    as messages of the catalog, so `make i18n` keeps them with the rest, and the `Message`s
    the module writes, extracted as from any other module."""
    from babel.messages.extract import extract_python

    for text in vocabulary_texts():
        yield 0, None, text, []
    own = [keyword for keyword in keywords if keyword in _MESSAGE_KEYWORDS]
    yield from extract_python(fileobj, own, comment_tags, options)
