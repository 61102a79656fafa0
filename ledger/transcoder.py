"""An orjson-based transcoder for eventsourcing's mapper.

eventsourcing's own `JSONTranscoder` walks objects in Python through `json`; orjson serialises
the plain dicts, lists and strings that make up nearly every ledger event in C. The only work
left in Python is for values orjson would otherwise flatten or reject: tuples (orjson writes
them as lists, which would not round-trip) and types registered through a `Transcoding`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

_DUMPS_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME
# What `_tag` must look inside or tag itself: orjson writes these natively.
_WALKED = frozenset({dict, list, tuple, UUID})


class TupleAsList(Transcoding):
    type = tuple
    name = "tuple_as_list"

    def encode(self, obj: tuple[Any, ...]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        return tuple(data)


class OrjsonTranscoder(Transcoder):
    """Encodes with orjson; tagged values use eventsourcing's `{"_type_", "_data_"}` form."""

    def __init__(self) -> None:
        self.types: dict[type, Transcoding] = {}
        self.names: dict[str, Transcoding] = {}
        for transcoding in (TupleAsList(), UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            self.register(transcoding)

    def register(self, transcoding: Transcoding) -> None:
        self.types[transcoding.type] = transcoding
        self.names[transcoding.name] = transcoding

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._tag(obj), default=self._default, option=_DUMPS_OPTIONS)
        except orjson.JSONEncodeError as error:
            # orjson wraps what `default` raised; callers expect eventsourcing's own error.
            if isinstance(error.__cause__, TranscodingNotRegisteredError):
                raise error.__cause__ from None
            raise

    def decode(self, data: bytes) -> Any:
        value = orjson.loads(data)
        tags = data.count(b'"_type_"')
        if not tags:
            return value
        if type(value) is dict and self._untag_top(value, tags):
            return value
        return self._untag(value)

    def decode_stamped(self, data: bytes) -> dict[str, Any] | None:
        """`decode` for an event state whose one tagged value is its top-level `timestamp`
        (every stored entry): the same dict, without looking for tags anywhere else. None,
        having decoded nothing, for any other state, which `decode` explains; and for a
        state holding a \\u escape, where a key could spell `_type_` without its bytes
        showing it (`decode` would then walk it)."""
        if data.count(b'"_type_"') != 1 or (b"\\" in data and b"\\u" in data):
            return None
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        if type(value) is not dict:
            return None
        stamp = value.get("timestamp")
        if type(stamp) is not dict or len(stamp) != 2:
            return None
        name, text = stamp.get("_type_"), stamp.get("_data_")
        if type(name) is not str or type(text) is not str or name not in self.names:
            return None
        try:
            value["timestamp"] = self.names[name].decode(text)
        except Exception:  # whatever it is, `decode` raises it to the mapper
            return None
        return value

    def _untag_top(self, value: dict[str, Any], tags: int) -> bool:
        """Decode, in place, the tagged values directly under `value` whose data holds no
        container (an entry's timestamp), when those are all the tags `data` holds: then
        nothing deeper needs the recursive walk, which costs more than the JSON parse.
        Returns False, having changed nothing, when some tag lies deeper."""
        found = []
        for key, item in value.items():
            if (
                type(item) is dict
                and len(item) == 2
                and type(item.get("_type_")) is str
                and type(item.get("_data_")) is str
                and item["_type_"] in self.names
            ):
                found.append(key)
        if len(found) != tags:
            return False  # a tag deeper down, or one not registered: the walk explains it
        for key in found:
            item = value[key]
            value[key] = self.names[item["_type_"]].decode(item["_data_"])
        return True

    def _tag(self, obj: Any) -> Any:
        # Only containers and the registered types orjson would write natively (tuple,
        # UUID) are tagged here; orjson hands every other type to `_default` by itself.
        # Containers are copied only where something inside them changes: event states are
        # mostly plain strings, and rebuilding them would cost more than encoding them.
        kind = type(obj)
        if kind is dict:
            changed = None
            for key, value in obj.items():
                if type(value) in _WALKED:
                    tagged = self._tag(value)
                    if tagged is not value:
                        if changed is None:
                            changed = dict(obj)
                        changed[key] = tagged
            return obj if changed is None else changed
        if kind is list:
            items = None
            for index, value in enumerate(obj):
                if type(value) in _WALKED:
                    tagged = self._tag(value)
                    if tagged is not value:
                        if items is None:
                            items = list(obj)
                        items[index] = tagged
            return obj if items is None else items
        if kind in self.types:
            return self._default(obj)
        return obj

    def _default(self, obj: Any) -> Any:
        transcoding = self.types.get(type(obj))
        if transcoding is None:
            msg = (
                f"Object of type {type(obj)} is not serializable. Please define "
                "and register a custom transcoding for this type."
            )
            raise TranscodingNotRegisteredError(msg)
        return {"_type_": transcoding.name, "_data_": self._tag(transcoding.encode(obj))}

    def _untag(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return [self._untag(item) for item in value]
        if kind is not dict:
            return value
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            name = value["_type_"]
            try:
                transcoding = self.names[name]
            except (KeyError, TypeError):
                msg = (
                    f"Data serialized with name '{name}' is not deserializable. "
                    "Please register a custom transcoding for this type."
                )
                raise TranscodingNotRegisteredError(msg) from None
            return transcoding.decode(self._untag(value["_data_"]))
        return {key: self._untag(item) for key, item in value.items()}
