"""The span audit of rule 4: can some combination of published cells isolate < K people?

Each published cell is a set of respondents; anyone can add and subtract published figures, so
what they can learn about is every set whose indicator vector lies in the (rational) span of
the cells' indicators. Respondents that every cell treats alike (same home unit and segments,
an "atom") are indistinguishable, so the audit works on atoms grouped further into classes with
the same membership pattern.

A 0/1 vector x lies in the row space of the cell matrix exactly when it is orthogonal to the
matrix's null space, so the search enumerates small unions of classes (total size 1..K−1)
against a null-space basis computed once with exact fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction


def null_space(rows: Sequence[Sequence[int]], width: int) -> list[list[Fraction]]:
    """A basis of {z : row · z = 0 for every row}, by exact Gauss-Jordan elimination."""
    matrix = [[Fraction(v) for v in row] for row in rows]
    pivots: list[int] = []
    r = 0
    for col in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        matrix[r] = [v / lead for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(col)
        r += 1
        if r == len(matrix):
            break
    basis: list[list[Fraction]] = []
    for free in (c for c in range(width) if c not in pivots):
        z = [Fraction(0)] * width
        z[free] = Fraction(1)
        for i, col in enumerate(pivots):
            z[col] = -matrix[i][free]
        basis.append(z)
    return basis


def smallest_isolated(
    sizes: Sequence[int], cells: Sequence[frozenset[int]], k: int
) -> tuple[int, ...] | None:
    """Atoms (indices into ``sizes``) forming a set of 1..k−1 people in the cells' span, if any.

    ``cells`` list, per published cell, the atoms it contains. Returns None when the release
    passes the audit.
    """
    patterns: dict[frozenset[int], list[int]] = {}
    for atom, size in enumerate(sizes):
        if size == 0:
            continue
        pattern = frozenset(i for i, cell in enumerate(cells) if atom in cell)
        if pattern:  # in no published cell: nothing about these people is published
            patterns.setdefault(pattern, []).append(atom)
    classes = sorted(patterns.items(), key=lambda item: min(item[1]))
    class_sizes = [sum(sizes[a] for a in atoms) for _, atoms in classes]
    rows = [[1 if i in pattern else 0 for pattern, _ in classes] for i in range(len(cells))]
    basis = null_space(rows, len(classes))
    small = [c for c, size in enumerate(class_sizes) if size < k]

    def search(start: int, total: int, sums: list[Fraction], chosen: list[int]) -> list[int] | None:
        if chosen and all(s == 0 for s in sums):
            return chosen
        for pos in range(start, len(small)):
            c = small[pos]
            if total + class_sizes[c] >= k:
                continue
            found = search(
                pos + 1,
                total + class_sizes[c],
                [s + z[c] for s, z in zip(sums, basis, strict=True)],
                [*chosen, c],
            )
            if found is not None:
                return found
        return None

    found = search(0, 0, [Fraction(0)] * len(basis), [])
    if found is None:
        return None
    return tuple(sorted(a for c in found for a in classes[c][1]))
