"""A kept row's blob: bytes kept beside its data and handed back as they were written, bound
to the row's place as the data is (ledger/views.py), in clear and sealed rows; and
`rows_beside`, one view's rows with another's seqs in one read."""

from __future__ import annotations

import base64

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from ledger.rows import RowCipher, TamperedRow
from ledger.storage import Store
from ledger.views import VIEWS_NAME, RowCodec, ViewRow, open_views

KEY = AESCipher.create_key(32)
FINDINGS = '{\n      "case": "K-1",\n      "message": "Barnet är inte hört"\n    }'.encode()


@pytest.fixture(params=[False, True], ids=["clear", "sealed"])
def codec(request: pytest.FixtureRequest) -> RowCodec:
    if not request.param:
        return RowCodec()
    cipher = RowCipher(Environment(VIEWS_NAME, {"CIPHER_KEY": KEY}))
    return RowCodec(cipher, b"a secret for case ids")


def _opened(codec: RowCodec, stored: tuple[str, str, int, str | bytes]) -> ViewRow:
    return codec.open(*stored, binary=isinstance(stored[3], bytes))


def test_a_blob_comes_back_as_it_was_written(codec: RowCodec) -> None:
    row = ViewRow("v:answer", "K-1", 7, {"counts": {"findings": 1}}, FINDINGS)
    stored = codec.seal(row)
    assert isinstance(stored[3], bytes)
    opened = _opened(codec, stored)
    assert (opened.view, opened.case, opened.last_seq, opened.data) == (
        "v:answer",
        "K-1",
        7,
        {"counts": {"findings": 1}},
    )
    assert bytes(opened.blob) == FINDINGS  # type: ignore[arg-type]
    assert codec.open(*stored[:3], codec.text(stored[3])).blob == FINDINGS  # kept as text
    empty = _opened(codec, codec.seal(ViewRow("v:answer", "K-1", 7, {}, b"")))
    assert empty.blob == b""
    # A row without a blob reads as it always did.
    assert _opened(codec, codec.seal(ViewRow("v", "K-1", 7, [1]))).blob is None


def test_a_row_with_a_blob_read_at_another_place_is_refused(codec: RowCodec) -> None:
    view, column, last_seq, data = codec.seal(ViewRow("v:answer", "K-1", 7, {}, FINDINGS))
    assert codec.open(view, column, last_seq, data, binary=True).blob == FINDINGS
    for place in [
        ("v:answer", codec.column("K-2"), 7),
        ("v:answer", column, 8),
        ("w:answer", column, 7),
    ]:
        with pytest.raises(TamperedRow):
            codec.open(*place, data, binary=True)


def test_an_altered_or_cut_blob_is_refused(codec: RowCodec) -> None:
    stored = codec.seal(ViewRow("v:answer", "K-1", 7, {}, FINDINGS))
    data = stored[3]
    assert isinstance(data, bytes)
    altered = data[:-3] + bytes([data[-3] ^ 0x01]) + data[-2:]  # one byte of the blob
    for damaged in (altered, data[:-1], data + b" "):
        with pytest.raises(TamperedRow):
            codec.open(*stored[:3], damaged, binary=True)


def test_a_clear_blob_beside_another_rows_content_is_refused() -> None:
    codec = RowCodec()
    first = codec.seal(ViewRow("v:answer", "K-1", 7, {}, FINDINGS))
    second = codec.seal(ViewRow("v:answer", "K-1", 7, {}, FINDINGS.replace(b"inte", b"ofta")))
    assert isinstance(first[3], bytes) and isinstance(second[3], bytes)
    head, _ = first[3].split(b"\n", 1)
    _, other = second[3].split(b"\n", 1)
    with pytest.raises(TamperedRow):
        codec.open(*first[:3], head + b"\n" + other, binary=True)
    # Content that names a blob, with the blob gone; a blob after content that names none.
    with pytest.raises(TamperedRow):
        codec.open(*first[:3], head, binary=True)
    plain = codec.seal(ViewRow("v:answer", "K-1", 7, {}))
    with pytest.raises(TamperedRow):
        codec.open(*plain[:3], plain[3] + "\n" + FINDINGS.decode())


def test_a_sealed_blob_kept_as_text_is_base64() -> None:
    cipher = RowCipher(Environment(VIEWS_NAME, {"CIPHER_KEY": KEY}))
    codec = RowCodec(cipher, b"a secret for case ids")
    stored = codec.seal(ViewRow("v:answer", "K-1", 7, {}, FINDINGS))
    assert base64.b64decode(codec.text(stored[3])) == stored[3]
    assert FINDINGS not in stored[3]  # type: ignore[operator]


@pytest.fixture(params=[False, True], ids=["clear", "encrypted"])
def views_store(request: pytest.FixtureRequest, store: Store) -> Store:
    if request.param:
        if store.kind == "memory":
            pytest.skip("encryption at rest is for the stores on disk")
        return store.with_cipher(KEY)
    return store


def test_rows_beside_reads_one_views_rows_and_anothers_seqs(views_store: Store) -> None:
    views = open_views(views_store)
    try:
        views.apply(
            [
                ViewRow("r", "K-1", 3, {"report": 1}),
                ViewRow("r", "K-2", 5, {"report": 2}),
                ViewRow("r", "K-3", 9, {"report": 3}),
                ViewRow("r:answer", "K-2", 5, {"part": 2}, FINDINGS),
                ViewRow("r:answer", "K-1", 3, {"part": 1}, b""),
                ViewRow("other", "K-1", 4, None),
            ]
        )
        rows, seqs = views.rows_beside("r:answer", "r")
        assert [(r.case, r.last_seq, r.data, r.blob) for r in rows] == [
            ("K-1", 3, {"part": 1}, b""),
            ("K-2", 5, {"part": 2}, FINDINGS),
        ]
        column = views.codec.column
        assert seqs == {column("K-1"): 3, column("K-2"): 5, column("K-3"): 9}
        assert views.rows("r:answer") == rows
        assert views.rows_for("r:answer", ["K-2"]) == rows[1:]
        assert views.rows_beside("none", "r")[0] == []
    finally:
        views.close()
