"""The ledger state a diagram or report was made from, so a reader can verify it later.

The numbers come from the ledger's integrity functions (the command line reads them with
`ledger.integrity.tree_head` and the checkpoints log); here they are only worded.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from projections.language import _


@dataclass(frozen=True, slots=True)
class LatestCheckpoint:
    number: int  # 1 for the first note of the log
    size: int  # entries the checkpoint covers
    root: bytes


@dataclass(frozen=True, slots=True)
class LedgerState:
    case_entries: int  # the case's entries in the ledger
    tree_size: int  # every entry of the ledger, the Merkle tree's size
    tree_root: bytes
    checkpoint: LatestCheckpoint | None

    @property
    def root_text(self) -> str:
        """The root as the checkpoints write it (base64)."""
        return base64.b64encode(self.tree_root).decode()

    def checkpoint_text(self) -> str:
        if self.checkpoint is None:
            return _("no checkpoint signed")
        return _("no. {number}, {size} entries, root {root}").format(
            number=self.checkpoint.number,
            size=self.checkpoint.size,
            root=base64.b64encode(self.checkpoint.root).decode(),
        )

    def caption(self) -> tuple[str, ...]:
        """Short lines for a diagram's head: entries, tree root, latest checkpoint."""
        return (
            _("Ledger: {entries} entries in the case, {size} in the ledger").format(
                entries=self.case_entries, size=self.tree_size
            )
            + " · "
            + _("tree root {root}").format(root=self.root_text),
            _("latest checkpoint: {checkpoint}").format(checkpoint=self.checkpoint_text()),
        )
