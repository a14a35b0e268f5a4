"""Validation and exact conversion of data matrices X and Y."""

from __future__ import annotations

from typing import Any

import sympy

from proofkit.errors import DuplicateSamples, InvalidInput, NonFiniteInput, ShapeMismatch
from proofkit.numeric.contexts import to_fmpq

__all__ = ["exact_number", "as_exact_matrix", "require_distinct_rows"]


def exact_number(value: Any, argument: str) -> sympy.Rational:
    """Convert ``value`` to an exact sympy Rational; floats are taken as the binary numbers they are.

    Raises
    ------
    NonFiniteInput
        For NaN or infinities.
    InvalidInput
        For anything that is not a real number.

    Examples
    --------
    >>> from fractions import Fraction
    >>> exact_number(0.5, "X"), exact_number(Fraction(1, 3), "X")
    (1/2, 1/3)
    """
    if isinstance(value, sympy.Basic) and not (value.is_Rational or value.is_Float):
        if value in (sympy.nan, sympy.oo, -sympy.oo, sympy.zoo):
            raise NonFiniteInput(argument, "finite numbers", repr(value))
        raise InvalidInput(argument, "exact rational or floating-point numbers", f"the expression {value}")
    try:
        q = to_fmpq(value)
    except ValueError:
        raise NonFiniteInput(argument, "finite numbers", repr(value)) from None
    except TypeError:
        raise InvalidInput(argument, "real numbers", f"{type(value).__name__} {value!r}") from None
    return sympy.Rational(int(q.p), int(q.q))


def as_exact_matrix(data: Any, argument: str, *, columns: int | None = None) -> list[list[sympy.Rational]]:
    """Nested lists, numpy arrays or sympy matrices to a list of rows of exact Rationals.

    A 1-D input is one column when ``columns == 1`` and one row otherwise.

    Raises
    ------
    ShapeMismatch
        Ragged rows, an empty matrix, or a column count other than ``columns``.
    NonFiniteInput
        NaN or infinity anywhere.
    """
    if isinstance(data, sympy.MatrixBase):
        rows = data.tolist()
    elif hasattr(data, "tolist"):
        rows = data.tolist()
    else:
        rows = list(data)
    if not rows:
        raise ShapeMismatch(argument, "at least one sample (row)", "an empty array")
    if not isinstance(rows[0], (list, tuple)):
        rows = [[v] for v in rows] if columns == 1 else [list(rows)]
    width = len(rows[0])
    for i, r in enumerate(rows):
        if not isinstance(r, (list, tuple)) or len(r) != width:
            raise ShapeMismatch(argument, f"rows of equal length {width}",
                                f"row {i} of length {len(r) if isinstance(r, (list, tuple)) else 'scalar'}")
    if columns is not None and width != columns:
        raise ShapeMismatch(argument, f"{columns} columns (one sample per row)", f"{width} columns")
    return [[exact_number(v, f"{argument}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]


def require_distinct_rows(rows: list[list[sympy.Rational]], argument: str, assumption: str) -> None:
    """Raise :class:`DuplicateSamples` naming ``assumption`` if two rows coincide."""
    seen: dict[tuple[sympy.Rational, ...], int] = {}
    for i, r in enumerate(rows):
        key = tuple(r)
        if key in seen:
            raise DuplicateSamples(argument, f"distinct samples ({assumption})",
                                   f"rows {seen[key]} and {i} are identical: {list(r)}")
        seen[key] = i
