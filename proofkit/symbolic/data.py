"""Validation and exact conversion of data matrices X and Y."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from proofkit.convert import numeric_rows, rational
from proofkit.errors import DuplicateSamples, ShapeMismatch

__all__ = ["exact_number", "as_exact_matrix", "require_distinct_rows"]


def exact_number(value: Any, argument: str) -> sympy.Rational:
    """Convert ``value`` to an exact sympy Rational (see :func:`proofkit.convert.rational`).

    Floats are taken as the binary numbers they are; integers of every numpy
    dtype stay exact.

    Raises
    ------
    NonFiniteInput
        For NaN or infinities.
    InvalidInput
        For anything that is not a real number (complex, longdouble, expressions, ...).

    Examples
    --------
    >>> from fractions import Fraction
    >>> exact_number(0.5, "X"), exact_number(Fraction(1, 3), "X")
    (1/2, 1/3)
    """
    return rational(value, argument)


def as_exact_matrix(data: Any, argument: str, *, columns: int | None = None) -> list[list[sympy.Rational]]:
    """Nested lists, numpy arrays or sympy matrices to a list of rows of exact Rationals.

    A 1-D input is one column when ``columns == 1`` and one row otherwise.

    Raises
    ------
    ShapeMismatch
        Ragged rows, an empty matrix, or a column count other than ``columns``.
    NonFiniteInput
        NaN or infinity anywhere.
    InvalidInput
        Complex, longdouble or non-numeric entries.
    """
    if isinstance(data, np.ndarray) and data.ndim == 1:
        data = data.reshape(-1, 1) if columns == 1 else data.reshape(1, -1)
    if isinstance(data, np.ndarray) and data.ndim != 2:
        raise ShapeMismatch(argument, "a 1-D or 2-D array", f"an array of shape {data.shape}")
    rows = numeric_rows(data, argument)
    if not rows:
        raise ShapeMismatch(argument, "at least one sample (row)", "an empty array")
    if not isinstance(rows[0], (list, tuple)):
        rows = [[v] for v in rows] if columns == 1 else [list(rows)]
    width = len(rows[0])
    if width == 0:
        raise ShapeMismatch(argument, "at least one column", "an empty row")
    for i, r in enumerate(rows):
        if not isinstance(r, (list, tuple)) or len(r) != width:
            raise ShapeMismatch(argument, f"rows of equal length {width}",
                                f"row {i} of length {len(r) if isinstance(r, (list, tuple)) else 'scalar'}")
    if columns is not None and width != columns:
        raise ShapeMismatch(argument, f"{columns} columns (one sample per row)", f"{width} columns")
    return [[rational(v, argument, f"({i}, {j})") for j, v in enumerate(r)] for i, r in enumerate(rows)]


def require_distinct_rows(rows: list[list[sympy.Rational]], argument: str, assumption: str) -> None:
    """Raise :class:`DuplicateSamples` naming ``assumption`` if two rows coincide."""
    seen: dict[tuple[sympy.Rational, ...], int] = {}
    for i, r in enumerate(rows):
        key = tuple(r)
        if key in seen:
            raise DuplicateSamples(argument, f"distinct samples ({assumption})",
                                   f"rows {seen[key]} and {i} are identical: {list(r)}")
        seen[key] = i
