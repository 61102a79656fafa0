"""The orjson transcoder passes eventsourcing's own transcoder test case."""

from typing import Any

from eventsourcing.persistence import Transcoder, Transcoding
from eventsourcing.tests.persistence import (
    CustomType1AsDict,
    CustomType2AsDict,
    Mydict,
    MyInt,
    MyList,
    MyStr,
    TranscoderTestCase,
)

from ledger.transcoder import OrjsonTranscoder


class MydictAsDict(Transcoding):
    type = Mydict
    name = "mydict"

    def encode(self, obj: Mydict[Any, Any]) -> dict[Any, Any]:
        return dict(obj)

    def decode(self, data: dict[Any, Any]) -> Mydict[Any, Any]:
        return Mydict(data)


class MyListAsList(Transcoding):
    type = MyList
    name = "mylist"

    def encode(self, obj: MyList[Any]) -> list[Any]:
        return list(obj)

    def decode(self, data: list[Any]) -> MyList[Any]:
        return MyList(data)


class MyStrAsStr(Transcoding):
    type = MyStr
    name = "mystr"

    def encode(self, obj: MyStr) -> str:
        return str(obj)

    def decode(self, data: str) -> MyStr:
        return MyStr(data)


class MyIntAsInt(Transcoding):
    type = MyInt
    name = "myint"

    def encode(self, obj: MyInt) -> int:
        return int(obj)

    def decode(self, data: int) -> MyInt:
        return MyInt(data)


class TestOrjsonTranscoder(TranscoderTestCase):
    def construct_transcoder(self) -> Transcoder:
        transcoder = OrjsonTranscoder()
        for transcoding in (
            CustomType1AsDict(),
            CustomType2AsDict(),
            MydictAsDict(),
            MyListAsList(),
            MyStrAsStr(),
            MyIntAsInt(),
        ):
            transcoder.register(transcoding)
        return transcoder


del TranscoderTestCase  # keep pytest from collecting the abstract base as a test


def test_tags_beside_a_top_level_one_are_still_decoded() -> None:
    """An entry's state has its timestamp tagged at the top, decoded without walking the
    rest; a tag anywhere deeper (or a key that only looks like one) still takes the walk."""
    from datetime import UTC, datetime
    from uuid import UUID

    transcoder = OrjsonTranscoder()
    when = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    for state in (
        {"timestamp": when, "fields": {"text": "a"}},
        {"timestamp": when, "fields": {"ids": (UUID(int=1), UUID(int=2))}},
        {"timestamp": when, "basis": (1, 2), "when": [when]},
        {"timestamp": when, "fields": {"_type_": "datetime_iso", "_data_": "x", "y": 1}},
        {"fields": {"text": 'a "_type_" b'}},
    ):
        assert transcoder.decode(transcoder.encode(state)) == state
