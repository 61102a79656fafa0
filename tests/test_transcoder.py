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
