"""ledger/merkle.py against independent oracles: the RFC 6962/9162 reference vectors of the
Certificate Transparency projects, pymerkle's roots, trees written out by hand, and the RFC's
recursive definitions of MTH, PATH and PROOF implemented naively right here."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from ledger import merkle
from ledger.merkle import (
    EMPTY_ROOT,
    Tree,
    consistency_proof,
    inclusion_proof,
    root,
    verify_consistency,
    verify_inclusion,
)

# ---- the oracle: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 word for word ----


def H(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def L(data: bytes) -> bytes:
    return H(b"\x00" + data)


def N(left: bytes, right: bytes) -> bytes:
    return H(b"\x01" + left + right)


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return H(b"")
    if n == 1:
        return L(d[0])
    k = k_of(n)
    return N(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = k_of(n)
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def leaves_of(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


def flipped(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


# ---- known answers ----

# The leaves and roots of the RFC 6962 reference tests (certificate-transparency, and
# transparency-dev/merkle's testonly package), which RFC 9162 keeps unchanged.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H_96A2 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H_5F08 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H_6B47 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
H_0EBC = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
H_CA85 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
H_D37E = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
H_BC1A = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"


def test_the_empty_tree_hashes_nothing() -> None:
    assert root([]) == EMPTY_ROOT == H(b"")
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_certificate_transparency_vectors(size: int) -> None:
    assert root(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


def test_proofs_match_the_certificate_transparency_vectors() -> None:
    tree = Tree.from_leaves(CT_LEAVES)
    hexes = [p.hex() for p in tree.inclusion_proof(0)]
    assert hexes == [H_96A2, H_5F08, H_6B47]
    assert [p.hex() for p in tree.consistency_proof(1)] == [H_96A2, H_5F08, H_6B47]
    assert [p.hex() for p in tree.consistency_proof(6)] == [H_0EBC, H_CA85, H_D37E]
    assert [p.hex() for p in tree.consistency_proof(2, 5)] == [H_5F08, H_BC1A]
    assert [p.hex() for p in tree.inclusion_proof(5)] == [H_BC1A, H_CA85, H_D37E]


def test_trees_written_out_by_hand() -> None:
    d = [L(x) for x in leaves_of(9)]
    n01, n23, n45, n67 = N(d[0], d[1]), N(d[2], d[3]), N(d[4], d[5]), N(d[6], d[7])
    expected = {
        1: d[0],
        2: n01,
        3: N(n01, d[2]),
        7: N(N(n01, n23), N(n45, d[6])),
        8: N(N(n01, n23), N(n45, n67)),
        9: N(N(N(n01, n23), N(n45, n67)), d[8]),
    }
    for size, value in expected.items():
        assert root(leaves_of(9)[:size]) == value, size


@pytest.mark.parametrize("size", [*range(0, 40), 63, 64, 65, 127, 128, 129, 1000])
def test_roots_match_pymerkle_and_the_rfc_definition(size: int) -> None:
    data = leaves_of(size)
    expected = InmemoryTree.init_from_entries(data).get_root()
    assert root(data) == expected
    if size <= 128:
        assert mth(data) == expected


def test_the_root_of_every_prefix_matches_pymerkle() -> None:
    data = leaves_of(300)
    tree = Tree.from_leaves(data)
    oracle = InmemoryTree.init_from_entries(data)
    for size in range(0, 301):
        assert tree.root(size) == oracle.get_root(size), size


# ---- inclusion ----


@pytest.mark.parametrize("size", range(1, 21))
def test_every_inclusion_proof_verifies_and_fails_when_tampered(size: int) -> None:
    data = leaves_of(size)
    top = root(data)
    for index in range(size):
        proof = inclusion_proof(data, index)
        assert proof == path(index, data)
        assert verify_inclusion(data[index], index, size, proof, top)
        assert not verify_inclusion(data[index] + b"!", index, size, proof, top)
        assert not verify_inclusion(data[index], index, size, proof, flipped(top))
        for i in range(len(proof)):
            bad = [*proof[:i], flipped(proof[i]), *proof[i + 1 :]]
            assert not verify_inclusion(data[index], index, size, bad, top)
        if proof:
            assert not verify_inclusion(data[index], index, size, proof[:-1], top)  # short
            assert not verify_inclusion(data[index], index, size, [], top)  # empty
        assert not verify_inclusion(
            data[index], index, size, [*proof, proof[0] if proof else top], top
        )
        assert not verify_inclusion(data[index], index, size, [*proof, bytes(32)], top)  # long
        for other in range(size):
            if other != index and data[other] != data[index]:
                assert not verify_inclusion(data[index], other, size, proof, top)
        assert not verify_inclusion(data[index], index, 2 * size, proof, top)
        assert not verify_inclusion(data[index], size, size, proof, top)  # index out of range
        assert not verify_inclusion(data[index], -1, size, proof, top)


def test_inclusion_against_an_older_tree() -> None:
    data = leaves_of(20)
    tree = Tree.from_leaves(data)
    for size in range(1, 21):
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert proof == path(index, data[:size])
            assert verify_inclusion(data[index], index, size, proof, tree.root(size))


def test_a_single_leaf_tree_needs_an_empty_proof() -> None:
    assert inclusion_proof([b"x"], 0) == []
    assert verify_inclusion(b"x", 0, 1, [], L(b"x"))
    assert not verify_inclusion(b"x", 0, 1, [L(b"x")], L(b"x"))
    assert not verify_inclusion(b"x", 0, 0, [], L(b"x"))


def test_bad_requests_for_proofs_are_errors() -> None:
    data = leaves_of(5)
    with pytest.raises(ValueError):
        inclusion_proof(data, 5)
    with pytest.raises(ValueError):
        inclusion_proof([], 0)
    with pytest.raises(ValueError):
        consistency_proof(data, 0)
    with pytest.raises(ValueError):
        consistency_proof(data, 6)
    with pytest.raises(ValueError):
        Tree.from_leaves(data).root(6)
    with pytest.raises(ValueError):
        Tree(b"\x00" * 31)


# ---- consistency ----


@pytest.mark.parametrize("new_size", range(1, 21))
def test_every_consistency_proof_verifies_and_fails_when_tampered(new_size: int) -> None:
    data = leaves_of(new_size)
    new_root = root(data)
    for old_size in range(1, new_size + 1):
        old_root = root(data[:old_size])
        proof = consistency_proof(data, old_size)
        assert proof == subproof(old_size, data, True)
        assert verify_consistency(old_size, new_size, old_root, new_root, proof)
        assert not verify_consistency(old_size, new_size, flipped(old_root), new_root, proof)
        assert not verify_consistency(old_size, new_size, old_root, flipped(new_root), proof)
        for i in range(len(proof)):
            bad = [*proof[:i], flipped(proof[i]), *proof[i + 1 :]]
            assert not verify_consistency(old_size, new_size, old_root, new_root, bad)
        assert not verify_consistency(old_size, new_size, old_root, new_root, [*proof, bytes(32)])
        if old_size == new_size:
            assert proof == []
            assert not verify_consistency(old_size, new_size, old_root, new_root, [old_root])
            continue
        assert proof
        assert not verify_consistency(old_size, new_size, old_root, new_root, [])  # empty
        assert not verify_consistency(old_size, new_size, old_root, new_root, proof[:-1])
        assert not verify_consistency(new_size, old_size, new_root, old_root, proof)  # old > new
        assert not verify_consistency(old_size, 2 * new_size, old_root, new_root, proof)
        if old_size > 1:
            assert not verify_consistency(old_size - 1, new_size, old_root, new_root, proof)


def test_consistency_from_the_empty_tree_is_rejected() -> None:
    data = leaves_of(4)
    assert not verify_consistency(0, 4, EMPTY_ROOT, root(data), [])
    assert not verify_consistency(0, 4, EMPTY_ROOT, root(data), [root(data)])
    assert not verify_consistency(-1, 4, EMPTY_ROOT, root(data), [])


def test_consistency_between_older_trees() -> None:
    data = leaves_of(20)
    tree = Tree.from_leaves(data)
    for new_size in range(1, 21):
        for old_size in range(1, new_size + 1):
            proof = tree.consistency_proof(old_size, new_size)
            assert proof == subproof(old_size, data[:new_size], True)
            assert verify_consistency(
                old_size, new_size, tree.root(old_size), tree.root(new_size), proof
            )


def test_a_changed_leaf_breaks_consistency_with_the_old_root() -> None:
    data = leaves_of(20)
    for changed in range(10):
        edited = list(data)
        edited[changed] = b"forged"
        for old_size in range(changed + 1, 11):
            proof = consistency_proof(edited, old_size)
            assert not verify_consistency(
                old_size, 20, root(data[:old_size]), root(edited), proof
            ), (changed, old_size)


# ---- cost ----


def test_proofs_take_logarithmically_many_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    size = (1 << 16) + 5
    tree = Tree(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(size))
    calls = 0
    real = merkle.node_hash

    def counting(left: bytes, right: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real(left, right)

    monkeypatch.setattr(merkle, "node_hash", counting)
    for old_size in (1, 3, 1000, 40_000, size - 1):
        calls = 0
        tree.consistency_proof(old_size)
        assert calls <= 17 * 17, old_size
    calls = 0
    tree.inclusion_proof(size - 1)
    tree.root(size - 2)
    assert calls <= 2 * 17 * 17


# ---- properties ----

leaf_lists = st.lists(st.binary(max_size=12), min_size=1, max_size=150)


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_inclusion_proofs_verify_for_any_tree(data: list[bytes], draw: st.DataObject) -> None:
    index = draw.draw(st.integers(0, len(data) - 1))
    proof = inclusion_proof(data, index)
    assert verify_inclusion(data[index], index, len(data), proof, root(data))
    assert len(proof) <= max(1, len(data) - 1).bit_length()


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_consistency_proofs_verify_for_any_tree(data: list[bytes], draw: st.DataObject) -> None:
    old_size = draw.draw(st.integers(1, len(data)))
    proof = consistency_proof(data, old_size)
    assert verify_consistency(old_size, len(data), root(data[:old_size]), root(data), proof)
    assert proof == subproof(old_size, data, True)


def flip_bit(proof: list[bytes], at: int, bit: int) -> list[bytes]:
    value = bytearray(proof[at])
    value[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:at], bytes(value), *proof[at + 1 :]]


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_a_tampered_proof_never_verifies(data: list[bytes], draw: st.DataObject) -> None:
    old_size = draw.draw(st.integers(1, len(data)))
    proof = consistency_proof(data, old_size)
    if proof:
        bad = flip_bit(
            proof, draw.draw(st.integers(0, len(proof) - 1)), draw.draw(st.integers(0, 255))
        )
        old_root, new_root = root(data[:old_size]), root(data)
        assert not verify_consistency(old_size, len(data), old_root, new_root, bad)
    index = draw.draw(st.integers(0, len(data) - 1))
    path_ = inclusion_proof(data, index)
    assume(path_)
    bad = flip_bit(path_, draw.draw(st.integers(0, len(path_) - 1)), draw.draw(st.integers(0, 255)))
    assert not verify_inclusion(data[index], index, len(data), bad, root(data))


@settings(max_examples=100, deadline=None)
@given(leaf_lists, leaf_lists)
def test_a_tree_is_consistent_with_every_prefix_and_nothing_else(
    first: list[bytes], more: list[bytes]
) -> None:
    grown = first + more
    proof = consistency_proof(grown, len(first))
    assert verify_consistency(len(first), len(grown), root(first), root(grown), proof)
    other = [b"x" + first[0], *first[1:]]
    assert not verify_consistency(len(first), len(grown), root(other), root(grown), proof)
