"""Matrices built with symengine that behave as sympy matrices.

Building a Hessian with symengine is about 100x faster than with sympy, but
converting a large symengine matrix to sympy costs more than building it.
:class:`LazyMatrix` keeps the symengine entries and converts on demand: an
indexed entry, a slice, ``.subs``, ``sympy.N``, ``sympy.latex`` and
``sympy.Matrix(...)`` all give sympy objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import symengine as se
import sympy

from proofkit.convert import to_symengine
from proofkit.errors import InvalidInput
from proofkit.numeric.program import Program


def _subs_key(k: Any) -> Any:
    if isinstance(k, str):
        return se.Symbol(k)
    if isinstance(k, (sympy.Symbol, se.Symbol)):
        return se.sympify(k)
    raise InvalidInput("subs", "symbols (or names) as keys", f"{type(k).__name__} {str(k)[:40]}")

__all__ = ["LazyMatrix"]


class LazyMatrix:
    """A matrix of symengine expressions, converted to sympy lazily.

    Parameters
    ----------
    rows : sequence of sequences
        The entries as symengine (or sympy) expressions.
    symbols : sequence of sympy.Symbol
        The free symbols, in a fixed order (used by :meth:`evaluate`).

    Examples
    --------
    >>> import sympy
    >>> x, y = sympy.symbols("x y")
    >>> M = LazyMatrix([[x * y, x], [y, 1]], [x, y])
    >>> M[0, 0], M.shape
    (x*y, (2, 2))
    >>> M.subs({x: 2})
    Matrix([
    [2*y, 2],
    [  y, 1]])
    """

    def __init__(self, rows: Sequence[Sequence[Any]], symbols: Sequence[sympy.Symbol]) -> None:
        self._rows = [[to_symengine(e, "rows") for e in row] for row in rows]
        self.symbols = list(symbols)
        self.shape = (len(self._rows), len(self._rows[0]) if self._rows else 0)
        self._cache: dict[tuple[int, int], sympy.Expr] = {}

    @property
    def rows(self) -> int:
        return self.shape[0]

    @property
    def cols(self) -> int:
        return self.shape[1]

    def __len__(self) -> int:
        return self.rows * self.cols

    def entry_symengine(self, i: int, j: int) -> Any:
        """Entry (i, j) as the symengine expression it is stored as."""
        return self._rows[i][j]

    def _entry(self, i: int, j: int) -> sympy.Expr:
        key = (i, j)
        if key not in self._cache:
            self._cache[key] = sympy.sympify(self._rows[i][j]._sympy_())
        return self._cache[key]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):
            i, j = key
            if isinstance(i, int) and isinstance(j, int):
                if not (-self.rows <= i < self.rows and -self.cols <= j < self.cols):
                    raise IndexError(f"index {key} out of range for a {self.rows}x{self.cols} matrix")
                return self._entry(i % self.rows, j % self.cols)
            ri = range(self.rows)[i] if isinstance(i, slice) else [i % self.rows]
            rj = range(self.cols)[j] if isinstance(j, slice) else [j % self.cols]
            return sympy.Matrix([[self._entry(a, b) for b in rj] for a in ri])
        if isinstance(key, int):
            if not -len(self) <= key < len(self):
                raise IndexError(f"index {key} out of range for a {self.rows}x{self.cols} matrix")
            n = key % len(self)
            return self._entry(n // self.cols, n % self.cols)
        raise TypeError(f"cannot index a LazyMatrix with {key!r}")

    def to_sympy(self) -> sympy.Matrix:
        """The whole matrix as a sympy ``Matrix`` (converts every entry)."""
        return self._full

    @cached_property
    def _full(self) -> sympy.Matrix:
        return sympy.Matrix(self.rows, self.cols, lambda i, j: self._entry(i, j))

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy

        return numpy.array(self.tolist(), dtype=object)

    def __iter__(self) -> Any:
        return (self._entry(i, j) for i in range(self.rows) for j in range(self.cols))

    def _sympy_(self) -> sympy.Matrix:
        return self._full

    def _latex(self, printer: Any) -> str:
        return printer._print(self._full)

    def _repr_latex_(self) -> str:
        from proofkit.printing.latex import repr_latex

        return repr_latex(self)

    def __repr__(self) -> str:
        return repr(self._full)

    def __eq__(self, other: Any) -> bool:
        """Structural equality after expansion (like sympy's ``==``: a False is not a proof of inequality;
        use :func:`proofkit.check_identity` for that)."""
        if isinstance(other, LazyMatrix):
            other_rows = other._rows
        elif isinstance(other, (sympy.MatrixBase, list)):
            m = sympy.Matrix(other)
            if m.shape != self.shape:
                return False
            other_rows = [[to_symengine(m[i, j], "other") for j in range(m.cols)] for i in range(m.rows)]
        else:
            return NotImplemented
        return all(se.expand(a - b) == 0 for ra, rb in zip(self._rows, other_rows) for a, b in zip(ra, rb))

    __hash__ = None  # type: ignore[assignment]

    def tolist(self) -> list[list[sympy.Expr]]:
        """The entries as nested lists of sympy expressions."""
        return self._full.tolist()

    @property
    def T(self) -> LazyMatrix:
        return LazyMatrix([list(col) for col in zip(*self._rows)], self.symbols)

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        return set().union(*(self._entry(i, j).free_symbols for i in range(self.rows)
                             for j in range(self.cols))) if len(self) else set()

    def subs(self, *args: Any, **kwargs: Any) -> sympy.Matrix:
        """Substitute and return a sympy ``Matrix`` (same arguments as ``sympy.Matrix.subs``)."""
        if len(args) == 1 and isinstance(args[0], Mapping):
            mapping = dict(args[0])
        elif len(args) == 1:
            mapping = dict(args[0])
        elif len(args) == 2:
            mapping = {args[0]: args[1]}
        else:
            raise TypeError("subs takes a mapping, a list of pairs, or (old, new)")
        se_map = {_subs_key(k): to_symengine(v, "subs") for k, v in mapping.items()}
        new = [[e.subs(se_map) for e in row] for row in self._rows]
        return sympy.Matrix([[sympy.sympify(e._sympy_()) for e in row] for row in new])

    def evalf(self, n: int = 15, subs: Mapping[Any, Any] | None = None, **kwargs: Any) -> sympy.Matrix:
        """Numerical values as a sympy ``Matrix`` of Floats (``n`` significant digits)."""
        m = self.subs(subs) if subs else self._full
        return m.evalf(n, **kwargs)

    n = evalf

    def applyfunc(self, f: Any) -> sympy.Matrix:
        return self._full.applyfunc(f)

    def is_symmetric(self) -> bool:
        """Whether the stored entries are symmetric (checked by symengine expansion)."""
        if self.rows != self.cols:
            return False
        return all(se.expand(self._rows[i][j] - self._rows[j][i]) == 0
                   for i in range(self.rows) for j in range(i + 1, self.cols))

    @cached_property
    def program(self) -> Program:
        """A compiled program computing all entries from :attr:`symbols` (row-major)."""
        return Program(self.symbols, [e for row in self._rows for e in row])

    def evaluate(self, values: Sequence[Any], ctx: Any) -> list[list[Any]]:
        """Evaluate every entry in the number context ``ctx`` at ``values`` (in :attr:`symbols` order)."""
        flat = self.program.run(ctx, values)
        c = self.cols
        return [flat[i * c:(i + 1) * c] for i in range(self.rows)]
