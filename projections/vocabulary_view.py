"""The vocabulary as other tools read it (`ledger types --format json`)."""

from __future__ import annotations

from typing import Any

from ledger.vocabulary import EventType, LegalReference


def type_json(spec: EventType) -> dict[str, Any]:
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
        "citation": ref.short(),
        "confidence": ref.confidence,
        "note": ref.note,
        "in_force_from": ref.in_force_from or None,
        "in_force_until": ref.in_force_until or None,
    }
