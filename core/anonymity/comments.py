"""Comments (rule 9): where each verbatim comment may surface, and in what order.

A comment is shown once, at the smallest cell around its writer's home unit that has at least
K_COMMENT respondents, without naming the writer's own (smaller) unit. Comment cells are
themselves complementarily suppressed at K_COMMENT: if a parent listed the comments of its
residual region while a child listed its own, the parent's list would come from the residual's
few people only. So every comment's possible writers number at least K_COMMENT.

Order carries no information: comments are sorted canonically (destroying storage order) and
then shuffled by a keyed hash seeded from the whole input, so the same input gives the same
order and nothing else does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from core.anonymity.coarsen import count_display
from core.anonymity.inputs import AUDIENCE_THEMES, CommentInput
from core.anonymity.record import CommentRelease, ThemeCount
from core.anonymity.suppression import suppress
from core.anonymity.thresholds import Thresholds
from core.anonymity.tree import UnitTree


def place_comments(
    tree: UnitTree,
    thresholds: Thresholds,
    candidates: frozenset[str],
    respondents: Mapping[str, int],
    comments: tuple[CommentInput, ...],
    seed: bytes,
) -> tuple[tuple[CommentRelease, ...], tuple[ThemeCount, ...]]:
    """Verbatim comments at their cells (shuffled) and the count of "themes only" comments."""
    shown_at = suppress(tree, candidates, respondents, thresholds.k_comment).published
    verbatim: list[tuple[bytes, CommentRelease]] = []
    themes: dict[str, int] = {}
    ordered = sorted(comments, key=lambda c: (c.unit, c.audience, c.text))
    for index, comment in enumerate(ordered):
        cell = next((u for u in tree.ancestors_or_self(comment.unit) if u in shown_at), None)
        if cell is None:
            continue  # no cell is large enough: the comment is withheld, not attributed
        if comment.audience == AUDIENCE_THEMES:
            themes[cell] = themes.get(cell, 0) + 1
            continue
        key = hashlib.sha256(seed + index.to_bytes(8, "big") + comment.text.encode()).digest()
        verbatim.append((key, CommentRelease(cell, comment.audience, comment.text)))
    verbatim.sort(key=lambda item: (item[1].unit, item[0]))
    counts = tuple(
        ThemeCount(unit, count_display(count, thresholds.min_count))
        for unit, count in sorted(themes.items())
    )
    return tuple(c for _, c in verbatim), counts
