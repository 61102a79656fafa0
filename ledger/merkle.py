"""The RFC 9162 (Certificate Transparency v2) Merkle tree, as pure functions (DESIGN §7).

A leaf's hash is SHA-256(0x00 ‖ data); an inner node's hash is SHA-256(0x01 ‖ left ‖ right);
the tree over n leaves splits at k, the largest power of two smaller than n (RFC 9162 §2.1.1),
and the empty tree's root is SHA-256 of nothing.

`root`, `inclusion_proof` and `consistency_proof` take the leaves' data in order (a list of
byte strings); `verify_inclusion` and `verify_consistency` are the verification algorithms of
RFC 9162 §2.1.3.2 and §2.1.4.2, step by step, and answer True or False. Sizes and indexes
count from 0 as in the RFC: `index` is the leaf's position, `size`/`old_size`/`new_size` are
numbers of leaves.

Building a `Tree` costs one pass over the leaves (n leaf hashes, n - 1 node hashes, kept
level by level in flat byte strings: 64 bytes a leaf). After that every proof and the root of
any prefix take O(log n) hashes, because every node a proof needs is a run of whole, aligned
perfect subtrees that the levels already hold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the empty tree."""

_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d)."""
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(_NODE + left + right).digest()


def _split(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """The tree over a sequence of leaf hashes, every level kept as one flat byte string.

    `levels[h]` holds the hashes of the perfect subtrees of 2**h leaves that start at
    multiples of 2**h (only whole ones: an odd last node is not carried up).
    """

    __slots__ = ("levels", "size")

    def __init__(self, leaf_hashes: bytes | bytearray | Iterable[bytes]) -> None:
        if isinstance(leaf_hashes, (bytes, bytearray)):
            level = bytes(leaf_hashes)
        else:
            level = b"".join(leaf_hashes)
        if len(level) % HASH_SIZE:
            raise ValueError("leaf hashes must be 32 bytes each")
        self.size = len(level) // HASH_SIZE
        self.levels = [level]
        sha256 = hashlib.sha256
        while len(level) >= 2 * HASH_SIZE:
            pairs = len(level) // (2 * HASH_SIZE)
            level = b"".join(
                sha256(_NODE + level[i : i + 2 * HASH_SIZE]).digest()
                for i in range(0, pairs * 2 * HASH_SIZE, 2 * HASH_SIZE)
            )
            self.levels.append(level)

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> Tree:
        """The tree over leaf data (each leaf is hashed with the 0x00 prefix)."""
        return cls(leaf_hash(leaf) for leaf in leaves)

    def leaf(self, index: int) -> bytes:
        """The hash of leaf `index`."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf {index} is not in a tree of {self.size}")
        return self._perfect(0, index)

    def _perfect(self, height: int, index: int) -> bytes:
        start = index * HASH_SIZE
        return self.levels[height][start : start + HASH_SIZE]

    def range_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range that is a node of an RFC tree over a prefix of the
        leaves: `start` a multiple of the smallest power of two >= end - start."""
        if not 0 <= start < end <= self.size:
            raise ValueError(f"no subtree [{start}, {end}) in a tree of {self.size}")
        # The node is its perfect subtrees from the left, largest first, folded from the right.
        parts: list[bytes] = []
        position = start
        width = end - start
        for height in range(width.bit_length() - 1, -1, -1):
            if width >> height & 1:
                parts.append(self._perfect(height, position >> height))
                position += 1 << height
        result = parts[-1]
        for part in reversed(parts[:-1]):
            result = node_hash(part, result)
        return result

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[0:size]): the root now, or as it was when the tree had `size` leaves."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"size {size} is not within the tree's {self.size} leaves")
        return EMPTY_ROOT if size == 0 else self.range_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, nearest sibling first."""
        size = self.size if size is None else size
        if not 0 < size <= self.size:
            raise ValueError(f"size {size} is not within the tree's {self.size} leaves")
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size}")
        siblings: list[tuple[int, int]] = []
        low, high = 0, size
        while high - low > 1:
            k = _split(high - low)
            if index < low + k:
                siblings.append((low + k, high))
                high = low + k
            else:
                siblings.append((low, low + k))
                low += k
        return [self.range_hash(a, b) for a, b in reversed(siblings)]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1 (empty when the sizes are
        equal)."""
        new_size = self.size if new_size is None else new_size
        if not 0 < new_size <= self.size:
            raise ValueError(f"size {new_size} is not within the tree's {self.size} leaves")
        if not 0 < old_size <= new_size:
            raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
        siblings: list[tuple[int, int]] = []
        low, high, m, whole = 0, new_size, old_size, True
        while m != high - low:
            k = _split(high - low)
            if m <= k:
                siblings.append((low + k, high))
                high = low + k
            else:
                siblings.append((low, low + k))
                low += k
                m -= k
                whole = False
        proof = [] if whole else [self.range_hash(low, high)]
        return proof + [self.range_hash(a, b) for a, b in reversed(siblings)]


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of the leaves' data."""
    return Tree.from_leaves(leaves).root()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` in the tree over all the leaves."""
    return Tree.from_leaves(leaves).inclusion_proof(index)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the tree over the first `old_size` leaves is a prefix of the tree over
    all of them."""
    return Tree.from_leaves(leaves).consistency_proof(old_size)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show that `leaf` (its data) is leaf `index` of the tree
    of `size` leaves whose root is `root`?"""
    return verify_inclusion_hash(leaf_hash(leaf), index, size, proof, root)


def verify_inclusion_hash(
    hash_: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """`verify_inclusion` for a leaf given by its hash."""
    if index < 0 or index >= size:  # step 1
        return False
    fn, sn = index, size - 1  # step 2
    r = hash_  # step 3
    for p in proof:  # step 4
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root  # step 5


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show that the tree of `old_size` leaves with root
    `old_root` is a prefix of the tree of `new_size` leaves with root `new_root`?

    The RFC's algorithm is for 0 < old_size < new_size. Equal sizes are consistent exactly when
    the proof is empty and the roots are equal; an old size of 0, an old size larger than the
    new one and any other proof are rejected.
    """
    if old_size <= 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if not path:  # step 1
        return False
    if old_size & (old_size - 1) == 0:  # step 2: old_size is an exact power of two
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0  # step 7
