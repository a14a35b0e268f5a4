"""Matrices built with symengine that behave as sympy matrices.

Building a Hessian with symengine is about 100x faster than with sympy, but
converting a large symengine matrix to sympy costs more than building it.
:class:`LazyMatrix` keeps the symengine entries and converts on demand: an
indexed entry, a slice, ``.subs``, ``sympy.N``, ``sympy.latex`` and
``sympy.Matrix(...)`` all give sympy objects.

A gradient or Hessian of a loss (:meth:`LazyMatrix.derivatives`) goes further: its symbolic entries are
built only when something asks for them, and :meth:`LazyMatrix.evaluate` in Arb or float64 takes its
numbers from a differentiation engine (automatic differentiation of the loss itself), never from a
compiled symbolic Hessian: the loss's own evaluator when it has one (a network loss:
:class:`~proofkit.numeric.network_loss.NetworkLoss`, vectorised over the samples), else the generic one
on the loss's expression graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import flint
import numpy as np
import symengine as se
import sympy

from proofkit.convert import exact_point, to_symengine
from proofkit.errors import CertificateRejected, InvalidInput
from proofkit.numeric.contexts import ArbContext, FloatContext, NotAnalyticHere
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
        self._built: list[list[Any]] | None = [[to_symengine(e, "rows") for e in row] for row in rows]
        self._build: Callable[[], Sequence[Sequence[Any]]] | None = None
        self._source: tuple[Any, str, list[int]] | None = None
        self._evaluator: Any = None
        self.symbols = list(symbols)
        self.shape = (len(self._built), len(self._built[0]) if self._built else 0)
        self._cache: dict[tuple[int, int], sympy.Expr] = {}

    @classmethod
    def derivatives(cls, loss: Any, symbols: Sequence[sympy.Symbol], kind: str, idx: Sequence[int],
                    build: Callable[[], Sequence[Sequence[Any]]], *, evaluator: Any = None) -> LazyMatrix:
        """The gradient (``kind="gradient"``, a column) or Hessian block (``"hessian"``) of ``loss`` on the
        parameters ``symbols[i] for i in idx``; ``build()`` returns the symbolic entries when first needed.

        ``evaluator``, if given, computes the same loss's derivatives from its structure: an object with
        ``float64(theta, order, gradient=...)`` and ``arb(theta, prec, order, gradient=...)`` returning
        :class:`~proofkit.numeric.network_loss.LossDerivatives` over all of ``symbols`` in order (e.g.
        :class:`~proofkit.numeric.network_loss.NetworkLoss`); without one, the loss's expression graph is
        differentiated.

        Examples
        --------
        >>> import sympy
        >>> from proofkit.numeric import ArbContext
        >>> x, y = sympy.symbols("x y")
        >>> f = x**3 * y
        >>> H = LazyMatrix.derivatives(f, [x, y], "hessian", [0, 1],
        ...                            lambda: [[6 * x * y, 3 * x**2], [3 * x**2, 0]])
        >>> [[str(v) for v in row] for row in H.evaluate([2, 1], ArbContext(64))]
        [['12.0000000000000', '12.0000000000000'], ['12.0000000000000', '0']]
        """
        if kind not in ("gradient", "hessian"):
            raise InvalidInput("kind", "'gradient' or 'hessian'", repr(kind)[:40])
        m = cls.__new__(cls)
        m._built, m._build, m._cache = None, build, {}
        m._source = (loss, kind, list(idx))
        m._evaluator = evaluator
        m.symbols = list(symbols)
        m.shape = (len(idx), len(idx) if kind == "hessian" else 1)
        return m

    @property
    def _rows(self) -> list[list[Any]]:
        if self._built is None:
            assert self._build is not None
            self._built = [[to_symengine(e, "rows") for e in row] for row in self._build()]
            self._build = None
        return self._built

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
        """The whole matrix when small, else its shape and a corner (bounded size; ``latex(M)`` gives all)."""
        from proofkit.printing.display import matrix_latex

        return matrix_latex(self._entry, self.rows, self.cols, symbols=self.symbols)

    def __repr__(self) -> str:
        """sympy's repr when small, else the shape, the symbols and a corner (``to_sympy()`` gives all)."""
        from proofkit.printing.display import matrix_text

        return matrix_text(self._entry, self.rows, self.cols, symbols=self.symbols, full=lambda: repr(self._full))

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
        """Evaluate every entry in the number context ``ctx`` at ``values`` (in :attr:`symbols` order).

        A gradient or Hessian from :meth:`derivatives` is evaluated by the differentiation engine in Arb
        (balls containing the exact values, also over boxes when ``values`` holds balls) and float64; other
        contexts, and other matrices, run the compiled program of the symbolic entries. A point where the
        loss is not analytic raises :class:`~proofkit.numeric.contexts.NotAnalyticHere` either way.
        """
        if self._source is not None and isinstance(ctx, (ArbContext, FloatContext)):
            M = self._engine_matrix(values, ctx)
            if isinstance(M, np.ndarray):
                return M.tolist()
            e, c = M.entries(), M.ncols()
            return [e[i * c:(i + 1) * c] for i in range(M.nrows())]
        flat = self.program.run(ctx, values)
        c = self.cols
        return [flat[i * c:(i + 1) * c] for i in range(self.rows)]

    def evaluate_matrix(self, values: Sequence[Any], ctx: Any) -> Any:
        """Like :meth:`evaluate`, as one matrix: a ``flint.arb_mat`` in an :class:`ArbContext`, a float64
        numpy array in a :class:`FloatContext` (no nested lists of Python objects: cheaper for large
        Hessians); other contexts are not supported.

        Examples
        --------
        >>> import sympy
        >>> from proofkit.numeric import FloatContext
        >>> x, y = sympy.symbols("x y")
        >>> H = LazyMatrix.derivatives(x**3 * y, [x, y], "hessian", [0, 1], lambda: [[6 * x * y, 3 * x**2], [3 * x**2, 0]])
        >>> H.evaluate_matrix([2, 1], FloatContext()).tolist()
        [[12.0, 12.0], [12.0, 0.0]]
        """
        if not isinstance(ctx, (ArbContext, FloatContext)):
            raise InvalidInput("ctx", "an ArbContext or a FloatContext", type(ctx).__name__)
        if self._source is not None:
            return self._engine_matrix(values, ctx)
        rows = self.evaluate(values, ctx)
        if isinstance(ctx, FloatContext):
            return np.array(rows, dtype=float).reshape(self.shape)
        return flint.arb_mat(self.rows, self.cols, [v for r in rows for v in r]) if len(self) else \
            flint.arb_mat(self.rows, self.cols)

    @cached_property
    def _tape(self) -> Any:
        from proofkit.kernel import Tape, decode_dag
        from proofkit.symbolic.dag import to_dag

        assert self._source is not None
        return Tape(decode_dag(to_dag(self._source[0], self.symbols), n_outputs=1))

    def _engine_matrix(self, values: Sequence[Any], ctx: Any) -> Any:
        from proofkit import kernel as engine

        assert self._source is not None
        _, kind, idx = self._source
        n = len(self.symbols)
        if len(values) != n:
            raise InvalidInput("values", f"{n} values (one per symbol)", f"{len(values)}")
        if isinstance(ctx, ArbContext):  # exact numbers (named errors for NaN, inf, text) or balls
            values = exact_point(values, n, "values", allow_balls=True)
        order = 2 if kind == "hessian" else 1
        full = list(idx) == list(range(n))
        if isinstance(ctx, FloatContext):
            x = np.array([ctx.from_input(v) for v in values], dtype=float)
            with np.errstate(all="ignore"):
                if self._evaluator is not None:
                    d = self._evaluator.float64(x, order, gradient=kind != "hessian")
                    g, H = d.gradient, d.hessian
                elif kind == "hessian":
                    from proofkit.numeric.float_engine import FloatTape

                    H = FloatTape(self._tape).hessian(x)
                else:
                    from proofkit.numeric.float_engine import FloatTape

                    g = FloatTape(self._tape).value_and_grad(x[None])[1][0]
            if kind == "hessian":
                return np.array(H, dtype=float) if full else H[np.ix_(idx, idx)]
            return np.asarray(g, dtype=float)[idx].reshape(-1, 1)
        try:
            if self._evaluator is not None:
                d = self._evaluator.arb(values, ctx.prec, order, gradient=kind != "hessian")
                H, g = d.hessian, d.gradient
            else:
                with flint.ctx.workprec(ctx.prec):  # exact inputs become balls at the context's precision
                    box = [ctx.from_input(v) for v in values]
                (jet,) = engine.evaluate(self._tape, box, order=order, prec=ctx.prec)
                if kind == "hessian":
                    H = engine.dense_hessian(jet, n)
                else:
                    g = engine.dense_gradient(jet, n)
        except CertificateRejected as exc:
            raise NotAnalyticHere(str(exc)) from None
        if kind == "hessian":
            if full:
                return H
            e = H.entries()
            return flint.arb_mat(len(idx), len(idx), [e[a * n + b] for a in idx for b in idx])
        return flint.arb_mat(len(idx), 1, [g[a] for a in idx])
