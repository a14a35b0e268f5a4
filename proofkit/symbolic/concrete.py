"""Write out the index notation of hand derivations for concrete sizes.

Derivations are written with sums over indices, indexed variables and matrix symbols:
``Sum(w[j] * x[i, j], (j, 1, 3))``, ``MatrixSymbol("W", 2, 3)``, ``W.T * W``. For concrete sizes each
of these is a plain expression in finitely many scalar variables, and :func:`write_out` produces it:

* ``Sum`` and ``Product`` with integer bounds become the explicit sum or product of their terms;
* an element ``x[1, 2]`` of an ``IndexedBase`` with integer indices becomes the scalar symbol named
  ``x[1, 2]`` (with the assumptions of the base, e.g. ``positive``);
* a matrix expression of concrete shape (``W.T * W``, ``W * x``) becomes its explicit matrix, an
  element ``W[0, 1]`` of a ``MatrixSymbol`` the scalar symbol named ``W[0, 1]``, and ``Trace`` and
  ``Determinant`` of a concrete matrix expression the trace and determinant of the explicit matrix.

Each step is an identity, so an identity between the written-out expressions is the identity between
the originals for these sizes, and a witness for the written-out form is one for the original (the
symbol ``x[1, 2]`` is the entry ``x[1, 2]``). Symbolic bounds or indices cannot be written out and
are rejected with :class:`~proofkit.errors.InvalidInput`.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.matrices.expressions.matexpr import MatrixElement

from proofkit.errors import InvalidInput

__all__ = ["write_out", "element_symbol", "MAX_TERMS"]

#: Largest number of terms one ``Sum`` or ``Product`` may have once written out.
MAX_TERMS = 100_000
_ASSUMPTIONS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer", "real")


def element_symbol(entry: Any, argument: str = "variables") -> sympy.Symbol:
    """The scalar symbol standing for ``x[i, ...]`` (an ``Indexed`` or ``MatrixElement`` with integer indices).

    Examples
    --------
    >>> x = sympy.IndexedBase("x", positive=True)
    >>> s = element_symbol(x[1, 2])
    >>> s, s.is_positive
    (x[1, 2], True)
    >>> element_symbol(sympy.MatrixSymbol("W", 2, 2)[0, 1])
    W[0, 1]
    """
    if isinstance(entry, sympy.Indexed):
        base, indices = entry.base, entry.indices
        name = str(base.label)
        facts = {a: True for a in _ASSUMPTIONS if getattr(base, f"is_{a}", None) is True}
    elif isinstance(entry, MatrixElement) and isinstance(entry.parent, sympy.MatrixSymbol):
        name, indices, facts = entry.parent.name, (entry.i, entry.j), {}
    else:
        raise InvalidInput(argument, "an indexed variable x[i] or a matrix-symbol entry W[i, j]", str(entry)[:60])
    if not all(isinstance(i, sympy.Integer) for i in indices):
        raise InvalidInput(argument, "integer indices (write the sizes out: concrete sizes only)",
                           f"the entry {str(entry)[:60]}")
    return sympy.Symbol(f"{name}[{', '.join(str(i) for i in indices)}]", **facts)


def _integer_bound(value: Any, where: str, argument: str) -> int:
    if not isinstance(value, sympy.Integer):
        raise InvalidInput(argument, "sums and products with integer bounds (concrete sizes only)",
                           f"the bound {value} in {where[:60]}")
    return int(value)


def _unroll(node: sympy.Basic, argument: str, expanded: list[str]) -> sympy.Expr:
    """A ``Sum`` or ``Product`` as the explicit sum or product of its terms (its body is written out after).

    The last limit is the outermost (sympy's order): it is unrolled first, so inner bounds may use its index.
    """
    is_sum = isinstance(node, sympy.Sum)
    pending = [(node.function, tuple(node.limits))]
    terms: list[sympy.Expr] = []
    while pending:
        body, limits = pending.pop()
        if not limits:
            terms.append(body)
            continue
        var, lo, hi = limits[-1]
        a, b = _integer_bound(lo, str(node), argument), _integer_bound(hi, str(node), argument)
        if len(terms) + len(pending) + max(b - a + 1, 0) > MAX_TERMS:
            raise InvalidInput(argument, f"sums and products of at most {MAX_TERMS} terms", f"more in {str(node)[:60]}")
        inner = limits[:-1]
        for k in range(b, a - 1, -1):  # pushed in reverse: popped in increasing order
            sub = {var: sympy.Integer(k)}
            pending.append((body.xreplace(sub), tuple((v, lo_.xreplace(sub), hi_.xreplace(sub)) for v, lo_, hi_ in inner)))
    expanded.append(f"{'Sum' if is_sum else 'Product'} over {', '.join(str(lim[0]) for lim in node.limits)} written out "
                    f"({len(terms)} terms)")
    return sympy.Add(*terms) if is_sum else sympy.Mul(*terms)


def _scalar(expr: sympy.Basic, argument: str, expanded: list[str]) -> sympy.Basic:
    """Bottom-up rewrite of one scalar expression."""
    if isinstance(expr, sympy.MatrixExpr) and not isinstance(expr, MatrixElement):
        raise InvalidInput(argument, "a scalar expression or a matrix", f"the matrix expression {str(expr)[:60]} "
                           "inside a scalar expression")
    if not expr.args or isinstance(expr, (sympy.Symbol, sympy.Number, sympy.IndexedBase)):
        return expr
    if isinstance(expr, MatrixElement):
        parent = expr.parent
        if not isinstance(parent, sympy.MatrixSymbol):  # an entry of a product, transpose, ...: write the product out
            explicit = _matrix(parent, argument, expanded)
            if not all(isinstance(i, sympy.Integer) for i in (expr.i, expr.j)):
                raise InvalidInput(argument, "integer indices (concrete sizes only)", f"the entry {str(expr)[:60]}")
            return _scalar(explicit[int(expr.i), int(expr.j)], argument, expanded)
        return element_symbol(expr, argument)
    if isinstance(expr, sympy.Indexed):
        indices = [_scalar(i, argument, expanded) for i in expr.indices]
        return element_symbol(expr.base[tuple(indices)] if len(indices) > 1 else expr.base[indices[0]], argument)
    if isinstance(expr, (sympy.Trace, sympy.Determinant)):
        explicit = _matrix(expr.arg, argument, expanded)
        value = explicit.trace() if isinstance(expr, sympy.Trace) else explicit.det(method="berkowitz")
        return _scalar(value, argument, expanded)
    if isinstance(expr, (sympy.Sum, sympy.Product)):  # outer sums first: inner bounds may depend on their index
        return _scalar(_unroll(expr, argument, expanded), argument, expanded)
    args = [_scalar(a, argument, expanded) for a in expr.args]
    return expr if all(a is b for a, b in zip(args, expr.args)) else expr.func(*args)


def _matrix(expr: sympy.MatrixExpr, argument: str, expanded: list[str]) -> sympy.Matrix:
    if isinstance(expr, sympy.MatrixBase):
        return expr
    rows, cols = expr.shape
    if not (isinstance(rows, (int, sympy.Integer)) and isinstance(cols, (int, sympy.Integer))):
        raise InvalidInput(argument, "matrix expressions of concrete shape", f"shape {expr.shape} of {str(expr)[:60]}")
    expanded.append(f"the matrix expression {str(expr)[:60]} written out entrywise ({rows} x {cols})")
    return expr.as_explicit()


_INDEX_NOTATION = (sympy.Sum, sympy.Product, sympy.Indexed, sympy.IndexedBase, MatrixElement, sympy.MatrixSymbol,
                   sympy.Trace, sympy.Determinant)


def _needs_writing_out(expr: sympy.Basic) -> bool:
    """Whether index notation occurs in ``expr`` (one pass over its distinct subexpressions)."""
    seen: set[int] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, _INDEX_NOTATION):
            return True
        for a in node.args:
            if id(a) not in seen:
                seen.add(id(a))
                stack.append(a)
    return False


def write_out(obj: Any, argument: str, expanded: list[str] | None = None) -> Any:
    """``obj`` with sums, products, indexed variables and matrix expressions of concrete sizes written out.

    Parameters
    ----------
    obj : sympy expression, matrix expression, Matrix or nested lists
    argument : str
        The argument's name, for errors.
    expanded : list of str, optional
        Receives one line per construct written out (for the caller's result).

    Returns
    -------
    The same kind of object (a matrix expression becomes an explicit ``sympy.Matrix``); unchanged when
    there is nothing to write out.

    Examples
    --------
    >>> i = sympy.Symbol("i", integer=True)
    >>> x = sympy.IndexedBase("x")
    >>> write_out(sympy.Sum(x[i] ** 2, (i, 1, 3)), "lhs")
    x[1]**2 + x[2]**2 + x[3]**2
    >>> W = sympy.MatrixSymbol("W", 2, 2)
    >>> write_out(W.T * W, "lhs")[0, 1]
    W[0, 0]*W[0, 1] + W[1, 0]*W[1, 1]
    """
    expanded = [] if expanded is None else expanded
    if isinstance(obj, sympy.MatrixExpr) and not isinstance(obj, (sympy.MatrixBase, MatrixElement)):
        obj = _matrix(obj, argument, expanded)
    if isinstance(obj, sympy.MatrixBase):
        if not any(isinstance(e, sympy.Basic) and _needs_writing_out(e) for e in obj):
            return obj
        return obj.applyfunc(lambda e: _scalar(e, argument, expanded) if isinstance(e, sympy.Basic) else e)
    if isinstance(obj, (list, tuple)):
        return type(obj)(write_out(e, argument, expanded) for e in obj)
    if isinstance(obj, sympy.Basic) and _needs_writing_out(obj):
        return _scalar(obj, argument, expanded)
    return obj
