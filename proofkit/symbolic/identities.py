"""Check a hand derivation: is ``lhs == rhs`` an identity?

Three methods, tried in this order, each reported in the result:

1. **Refutation at a point.** ``lhs - rhs`` is evaluated at seeded random
   rational points, exactly for rational functions and with Arb ball
   arithmetic otherwise. A value certified non-zero is a refutation with that
   point as the witness.
2. **Symbolic zero.** Every ``exp(c_1 m_1 + ... )`` is written as a product of
   powers of fresh symbols ``E_m = exp(g m)`` and every other transcendental
   atom is replaced by a fresh symbol; if the resulting rational function
   cancels to 0, the identity is proved (the substitution is a ring
   homomorphism, so a zero there is a zero here).
3. **Evidence.** Otherwise the result is inconclusive: agreement of
   transcendental expressions to many digits is evidence, never a proof. For
   rational functions the random exact evaluations carry the Schwartz-Zippel
   bound on the chance that a non-zero difference vanished at every point.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import symengine as se
import sympy
from sympy.matrices.expressions.matexpr import MatrixElement

from proofkit.convert import exact_expr, expr_matrix
from proofkit.errors import InvalidInput, ShapeMismatch
from proofkit.numeric.contexts import ArbContext, ExactContext, NotAnalyticHere, NotRational
from proofkit.numeric.program import compile_program
from proofkit.progress import track
from proofkit.symbolic.concrete import element_symbol, write_out

__all__ = ["IdentityCheck", "check_identity", "admissible"]


@dataclass
class IdentityCheck:
    """The outcome of :func:`check_identity`.

    Attributes
    ----------
    verdict : {"proved", "refuted", "inconclusive"}
    method : str
        ``"symbolic zero"``, ``"exact evaluation"``, ``"ball arithmetic"`` or
        ``"numerical agreement (evidence only)"``.
    detail : str
        What was done and what it shows.
    witness : dict or None
        For a refutation: the point (variable -> exact rational).
    entry : tuple or None
        For matrices: the entry where the witness was found.
    enclosure : str or None
        For a refutation: ``lhs - rhs`` at the witness (exact value or ball).
    error_bound : float or None
        For rational functions that agreed at every random point: the
        Schwartz-Zippel bound on the probability of that happening for a
        non-zero difference.
    points_tested : int
        Points at which the difference was evaluated.
    notes : list of str
        What the verdict depends on beyond ``detail``; e.g. that the two sides
        have different free symbols (then a refutation holds for the identity
        as stated, for all values of every symbol, and may only show that the
        names differ).
    """

    verdict: str
    method: str
    detail: str
    witness: dict[sympy.Symbol, sympy.Rational] | None = None
    entry: tuple[int, ...] | None = None
    enclosure: str | None = None
    error_bound: float | None = None
    points_tested: int = 0
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        """Verdict, method, the witness of a refutation (point, entry, value of lhs - rhs), detail, notes."""
        from proofkit.printing.display import identity_text

        return identity_text(self)

    def _repr_latex_(self) -> str:
        from proofkit.printing.display import identity_latex

        return identity_latex(self)

    def _repr_html_(self) -> str:
        from proofkit.printing.display import identity_html

        return identity_html(self)

    def __bool__(self) -> bool:
        return self.verdict == "proved"


def _degree_bound(expr: sympy.Expr) -> tuple[int, int]:
    """Bounds on the total degrees (numerator, denominator) of a rational function."""
    if expr.is_Number or not expr.free_symbols:
        return 0, 0
    if expr.is_Symbol:
        return 1, 0
    if expr.is_Add:
        n, d = 0, 0
        for a in expr.args:
            na, da = _degree_bound(a)
            n, d = max(n + da, na + d), d + da
        return n, d
    if expr.is_Mul:
        n, d = 0, 0
        for a in expr.args:
            na, da = _degree_bound(a)
            n, d = n + na, d + da
        return n, d
    if expr.is_Pow and expr.exp.is_Integer:
        nb, db = _degree_bound(expr.base)
        k = int(expr.exp)
        return (nb * k, db * k) if k >= 0 else (db * -k, nb * -k)
    raise ValueError("not a rational function")


def _is_rational_function(expr: sympy.Expr) -> bool:
    for node in sympy.preorder_traversal(expr):  # only +, *, integer powers, symbols and rationals
        if not (node.is_Add or node.is_Mul or node.is_Symbol or node.is_Rational
                or (node.is_Pow and node.exp.is_Integer)):
            return False
    return True


def _rational_gcd(values: list[sympy.Rational]) -> sympy.Rational:
    num = 0
    den = 1
    for v in values:
        num = math.gcd(num, abs(int(v.p)))
        den = den * int(v.q) // math.gcd(den, int(v.q))
    return sympy.Rational(num, den)


def _generic_form(expr: sympy.Expr) -> sympy.Expr:
    """Replace exponentials by powers of fresh symbols and other atoms by fresh symbols."""
    hyperbolic = (sympy.tanh, sympy.sinh, sympy.cosh, sympy.coth, sympy.sech, sympy.csch)
    expr = expr.rewrite(hyperbolic, sympy.exp)
    exps = list(expr.atoms(sympy.exp))
    decomposed: dict[sympy.Expr, list[tuple[sympy.Rational, sympy.Expr]] | None] = {}
    coeffs: dict[sympy.Expr, list[sympy.Rational]] = {}
    for e in exps:
        parts = []
        for term in sympy.Add.make_args(sympy.expand(e.args[0])):
            c, m = term.as_coeff_Mul()
            if not c.is_Rational or not m.free_symbols or m.has(sympy.exp):
                parts = None
                break
            parts.append((c, m))
        decomposed[e] = parts
        for c, m in parts or []:
            coeffs.setdefault(m, []).append(c)
    base = {m: (_rational_gcd(cs), sympy.Dummy("E")) for m, cs in coeffs.items()}
    mapping = {}
    for e, parts in decomposed.items():
        if parts is None:
            mapping[e] = sympy.Dummy("X")
        else:
            mapping[e] = sympy.Mul(*[base[m][1] ** int(c / base[m][0]) for c, m in parts])
    expr = expr.xreplace(mapping)
    others = {f: sympy.Dummy("F") for f in expr.atoms(sympy.Function)}
    return expr.xreplace(others)


def _generic_zero(d: sympy.Expr, max_ops: int) -> bool:
    """Whether ``d`` cancels to 0 in generic form (skipped above ``max_ops`` operations)."""
    if sympy.count_ops(d) > max_ops:
        return False
    return sympy.cancel(sympy.together(_generic_form(d))) == 0


def admissible(symbol: sympy.Symbol, value: sympy.Rational) -> bool:
    """Whether ``value`` satisfies every assumption of ``symbol`` (positive, integer, prime, ...).

    Each assumption the symbol carries (``symbol.assumptions0``) must hold of
    ``value`` for certain; an assumption that sympy cannot decide for the value
    makes it inadmissible.

    Examples
    --------
    >>> p = sympy.Symbol("p", positive=True)
    >>> admissible(p, sympy.Rational(-3, 2)), admissible(p, sympy.Rational(3, 2))
    (False, True)
    """
    for fact, want in symbol.assumptions0.items():
        if getattr(value, f"is_{fact}", None) is not want:
            return False
    return True


def _sample(rng: random.Random, symbol: sympy.Symbol, scale: int) -> Fraction | None:
    """A random rational admissible for ``symbol``'s assumptions, or None if none was found."""
    facts = symbol.assumptions0
    for _ in range(64):
        num = rng.randint(-scale, scale)
        den = 1 if facts.get("integer") else rng.randint(1, 7)
        if facts.get("positive") or facts.get("nonnegative"):
            num = abs(num) + (1 if facts.get("positive") and num == 0 else 0)
        elif facts.get("negative") or facts.get("nonpositive"):
            num = -abs(num) - (1 if facts.get("negative") and num == 0 else 0)
        q = Fraction(num, den)
        if admissible(symbol, sympy.Rational(q.numerator, q.denominator)):
            return q
    return None


def _random_point(rng: random.Random, variables: Sequence[sympy.Symbol], scale: int) -> list[Fraction] | None:
    """A random point respecting every variable's assumptions (None when some variable has no admissible
    rational value, e.g. an ``irrational`` symbol)."""
    pt = [_sample(rng, v, scale) for v in variables]
    return None if any(q is None for q in pt) else pt  # type: ignore[return-value]


def _refuted_by_ball(v: Any, prec: int, base_prec: int, variables: list[sympy.Symbol], pt: list[Fraction],
                     tested: int) -> IdentityCheck:
    raised = f"; the precision was raised automatically from {base_prec} bits" if prec > base_prec else ""
    return IdentityCheck("refuted", "ball arithmetic",
                         f"lhs - rhs lies in {v.str(10, radius=True)} which excludes 0 (Arb, {prec} bits{raised})",
                         witness=_as_witness(variables, pt), enclosure=v.str(30, radius=True), points_tested=tested)


def _escalate(prog: Any, variables: list[sympy.Symbol], points: list[list[Fraction]], prec: int, max_prec: int,
              deadline: float, tested: int) -> tuple[IdentityCheck | None, str]:
    """Re-evaluate at doubling precisions up to ``max_prec`` (and until ``deadline``) where the ball contained 0.

    Returns a refutation, or None and a sentence saying how small the difference was shown to be and which
    precision was reached (so the caller can say which precision would be needed to decide).
    """
    best: tuple[int, Any, list[Fraction]] | None = None
    for pt in points:
        p = prec
        while p < max_prec and time.monotonic() < deadline:
            p = min(2 * p, max_prec)
            try:
                (v,) = prog.run(ArbContext(p), pt)
            except (ZeroDivisionError, NotAnalyticHere, NotRational):
                break
            if v > 0 or v < 0:
                return _refuted_by_ball(v, p, prec, variables, pt, tested), ""
            if best is None or p > best[0]:
                best = (p, v, pt)
    if best is None:
        return None, ""
    p, v, _ = best
    rad = v.rad()
    bound = f"2^{int(rad.log_base(2).floor().unique_fmpz()) + 1 if rad > 0 else '-inf'}" if rad.is_finite() else "?"
    stop = "the precision budget max_prec" if p >= max_prec else "the time budget"
    return None, (f"|lhs - rhs| <= {bound} at a sample point with {p}-bit ball arithmetic ({stop} was reached); "
                  f"a non-zero difference smaller than that needs more than {p} bits to be separated from 0 "
                  f"(pass a larger max_prec)")


def _check_entry(d: sympy.Expr, variables: list[sympy.Symbol], trials: int, seed: int,
                 prec: int, max_ops: int, max_prec: int = 1 << 16, deadline: float = float("inf")) -> IdentityCheck:
    rng = random.Random(seed)
    rational = _is_rational_function(d)
    prog = compile_program([d], variables)
    tested = 0
    undecided: list[list[Fraction]] = []  # points where the ball contained 0
    for _ in range(trials):
        pt = _random_point(rng, variables, 10**6 if rational else 3)
        if pt is None:
            break  # no admissible witness can be drawn: refutation is impossible here, never at a bad point
        try:
            if rational:
                (v,) = prog.run(ExactContext(), pt)
                tested += 1
                if v != 0:
                    return IdentityCheck("refuted", "exact evaluation",
                                         f"lhs - rhs = {v} != 0 at the witness point (exact rationals)",
                                         witness=_as_witness(variables, pt), enclosure=str(v),
                                         points_tested=tested)
            else:
                (v,) = prog.run(ArbContext(prec), pt)
                tested += 1
                if v > 0 or v < 0:
                    return _refuted_by_ball(v, prec, prec, variables, pt, tested)
                undecided.append(pt)
        except (ZeroDivisionError, NotAnalyticHere, NotRational):
            continue  # a pole or a domain boundary: try another point
    if d == 0 or se.expand(se.sympify(d)) == 0 or _generic_zero(d, max_ops):
        return IdentityCheck("proved", "symbolic zero",
                             "lhs - rhs expands to 0, or reduces to 0 after replacing exponentials and "
                             "other atoms by generic symbols (a ring homomorphism), so the identity holds "
                             "wherever both sides are defined", points_tested=tested)
    if tested == 0:
        return IdentityCheck("inconclusive", "no admissible point",
                             "undecided: lhs - rhs did not cancel symbolically and could not be evaluated at any "
                             "point admissible for the symbols' assumptions", points_tested=0)
    if rational:
        n, _ = _degree_bound(sympy.together(d)) if d.free_symbols else (0, 0)
        size = 2 * 10**6 + 1
        bound = (n / size) ** tested if n < size else 1.0
        return IdentityCheck("inconclusive", "exact evaluation",
                             f"undecided: lhs - rhs vanished at {tested} random rational points but did not cancel "
                             f"symbolically; Schwartz-Zippel: a non-zero difference of degree <= {n} "
                             f"vanishes at all of them with probability <= {bound:.3g}",
                             error_bound=bound, points_tested=tested)
    refuted, smallness = _escalate(prog, variables, undecided[:2], prec, max_prec, deadline, tested)
    if refuted is not None:
        return refuted
    return IdentityCheck("inconclusive", "numerical agreement (evidence only)",
                         f"undecided: lhs - rhs was not separated from 0 at {tested} points with {prec}-bit ball "
                         "arithmetic and no symbolic proof was found; this is evidence, not a proof"
                         + (f". {smallness}" if smallness else ""),
                         points_tested=tested)


def _as_witness(variables: list[sympy.Symbol], pt: list[Fraction]) -> dict[sympy.Symbol, sympy.Rational]:
    return {v: sympy.Rational(p.numerator, p.denominator) for v, p in zip(variables, pt)}


def _as_sympy(obj: Any, argument: str, expanded: list[str]) -> Any:
    """An exact sympy expression or Matrix: sums, indexed and matrix symbols of concrete sizes written out
    (what was written out is appended to ``expanded``), every node checked, every float made exact."""
    if hasattr(obj, "to_sympy") and not isinstance(obj, sympy.Basic):
        obj = obj.to_sympy()
    obj = write_out(obj, argument, expanded)
    if isinstance(obj, (list, tuple, sympy.MatrixBase)):
        return expr_matrix(obj, argument)
    return exact_expr(obj, argument)


def require_distinct_names(symbols: set[sympy.Symbol], argument: str) -> None:
    """Two different symbols with one name (e.g. ``x`` and ``x`` positive) would be merged by symengine."""
    seen: dict[str, sympy.Symbol] = {}
    for s in symbols:
        if isinstance(s, sympy.Dummy):
            continue
        if s.name in seen and seen[s.name] != s:
            raise InvalidInput(argument, "distinct names for distinct symbols",
                               f"two symbols named {s.name!r} with different assumptions")
        seen[s.name] = s


def check_identity(lhs: Any, rhs: Any, variables: Sequence[sympy.Symbol] | None = None, *,
                   trials: int = 8, seed: int = 0, prec: int = 256, max_prec: int = 1 << 16,
                   time_budget: float = 20.0, max_ops: int = 4000) -> IdentityCheck:
    """Decide whether ``lhs == rhs`` holds identically (expressions or matrices).

    Parameters
    ----------
    lhs, rhs : sympy expression or matrix (or nested lists)
        The two sides; matrices are compared entry by entry. Floats are the
        exact binary numbers they are (``0.1`` is not ``1/10``): they are
        replaced by exact rationals before any algebra.
    variables : sequence of sympy.Symbol, optional
        The variables; defaults to all free symbols. Every free symbol must be
        listed (the identity is claimed for all their values).
    trials : int
        Random points per entry for the refutation search.
    seed : int
        Seed of the random points (results are reproducible).
    prec : int
        Arb precision in bits for transcendental expressions.
    max_prec : int
        When lhs - rhs is not separated from 0 at ``prec`` bits and not proved, the precision is doubled
        at up to two sample points, up to ``max_prec`` bits (a difference of order ``exp(-10^4)`` needs
        about 14,500 bits); if still undecided, ``detail`` says how small the difference was shown to be
        and which precision was reached.
    time_budget : float
        Seconds for raising the precision (over all entries).
    max_ops : int
        Above this size (``sympy.count_ops``) the generic-form cancellation is
        skipped (a fast symengine expansion is still tried).

    Returns
    -------
    IdentityCheck
        ``verdict`` is "proved" only for a symbolic proof; "refuted" only with
        a witness point at which the difference is certified non-zero; the
        witness satisfies every assumption of every symbol (positive,
        integer, ...), and when no admissible point can be drawn the verdict
        is at most "inconclusive". When the two sides have different free
        symbols (a hand formula typed with one's own names), ``notes`` says
        which: the identity is claimed for all values of every free symbol,
        so a refutation then may only show that the names differ.

    Examples
    --------
    >>> t = sympy.Symbol("t")
    >>> s = 1 / (1 + sympy.exp(-t))
    >>> check_identity(sympy.diff(s, t), s * (1 - s)).verdict
    'proved'
    >>> check_identity(sympy.diff(s, t), s).verdict
    'refuted'
    >>> u = sympy.Symbol("u")                       # the same formula in another name
    >>> res = check_identity(sympy.diff(s, t), s.subs(t, u) * (1 - s.subs(t, u)))
    >>> res.verdict, res.notes[0][:59]
    ('refuted', 'the two sides have different free symbols: only lhs has t; ')
    """
    for name, value, low in (("trials", trials, 0), ("seed", seed, None), ("prec", prec, 2), ("max_ops", max_ops, 0),
                             ("max_prec", max_prec, 2)):
        if not isinstance(value, int) or isinstance(value, bool) or (low is not None and value < low):
            raise InvalidInput(name, "an integer" + (f" >= {low}" if low is not None else ""), repr(value))
    if max_prec > 1 << 20:
        raise InvalidInput("max_prec", "an integer <= 2^20", repr(max_prec))
    if isinstance(time_budget, bool) or not isinstance(time_budget, (int, float)) or not time_budget >= 0 \
            or time_budget == float("inf"):
        raise InvalidInput("time_budget", "a finite number of seconds >= 0", repr(time_budget))
    expanded: list[str] = []
    L, R = _as_sympy(lhs, "lhs", expanded), _as_sympy(rhs, "rhs", expanded)
    if isinstance(L, sympy.MatrixBase) != isinstance(R, sympy.MatrixBase):
        raise ShapeMismatch("rhs", "the same kind as lhs (both matrices or both expressions)",
                            f"{type(R).__name__} against {type(L).__name__}")
    if isinstance(L, sympy.MatrixBase):
        if L.shape != R.shape:
            raise ShapeMismatch("rhs", f"shape {L.shape} like lhs", f"shape {R.shape}")
        pairs = [((i, j), L[i, j] - R[i, j]) for i in range(L.rows) for j in range(L.cols)]
    else:
        pairs = [((), L - R)]
    free = set().union(*(d.free_symbols for _, d in pairs))
    require_distinct_names(L.free_symbols | R.free_symbols, "lhs")
    if variables is None:
        var_list = sorted(free, key=lambda s: s.name)
    else:
        var_list = _variable_symbols(variables, free)
        extra = free - set(var_list)
        if extra:
            raise InvalidInput("variables", "every free symbol of lhs and rhs",
                               f"missing {sorted(s.name for s in extra)}")
    note = _different_symbols_note(L.free_symbols, R.free_symbols)
    deadline = time.monotonic() + float(time_budget)
    res = _with_note(_check_entries(pairs, var_list, trials, seed, prec, max_ops, max(prec, max_prec), deadline), note)
    if expanded:
        res.notes.append("written out for the concrete sizes given: " + "; ".join(dict.fromkeys(expanded)) +
                         ". The verdict is for these sizes; indexed entries and matrix-symbol entries are the "
                         "variables named x[i], W[i, j]")
    return res


def _variable_symbols(variables: Any, free: set[sympy.Symbol]) -> list[sympy.Symbol]:
    """The scalar variables: symbols, entries ``x[i]``/``W[i, j]`` (as their written-out symbols), or whole
    ``MatrixSymbol``s / ``IndexedBase``s (every entry of theirs that occurs)."""
    if isinstance(variables, (str, bytes)) or not hasattr(variables, "__iter__"):
        raise InvalidInput("variables", "a sequence of sympy Symbols", type(variables).__name__)
    out: list[sympy.Symbol] = []
    for v in variables:
        if isinstance(v, sympy.Symbol):
            out.append(v)
        elif isinstance(v, (sympy.Indexed, MatrixElement)):
            out.append(element_symbol(v))
        elif isinstance(v, sympy.MatrixSymbol):
            rows, cols = v.shape
            if not (isinstance(rows, (int, sympy.Integer)) and isinstance(cols, (int, sympy.Integer))):
                raise InvalidInput("variables", "matrix symbols of concrete shape", f"{v} of shape {v.shape}")
            out += [element_symbol(v[i, j]) for i in range(int(rows)) for j in range(int(cols))]
        elif isinstance(v, sympy.IndexedBase):
            prefix = f"{v.label}["
            out += sorted((s for s in free if s.name.startswith(prefix)), key=lambda s: s.name)
        else:
            raise InvalidInput("variables", "sympy Symbols, indexed entries x[i], matrix symbols or their entries",
                               f"{type(v).__name__} {str(v)[:40]}")
    return list(dict.fromkeys(out))


def _check_entries(pairs: list[tuple[tuple[int, ...], sympy.Expr]], var_list: list[sympy.Symbol], trials: int,
                   seed: int, prec: int, max_ops: int, max_prec: int, deadline: float) -> IdentityCheck:
    results = []
    for k, (entry, d) in enumerate(track(pairs, "check_identity: entries", unit="entry")):
        res = _check_entry(d, var_list, trials, seed + k, prec, max_ops, max_prec, deadline)
        res.entry = entry if entry else None
        if res.verdict == "refuted":
            return res
        results.append(res)
    if all(r.verdict == "proved" for r in results):
        out = results[0]
        out.points_tested = sum(r.points_tested for r in results)
        if len(results) > 1:
            out.detail = f"all {len(results)} entries: " + out.detail
        return out
    return next(r for r in results if r.verdict == "inconclusive")


def _different_symbols_note(lhs_symbols: set[sympy.Symbol], rhs_symbols: set[sympy.Symbol]) -> str | None:
    """A note when the two sides of an identity have different free symbols, else None.

    A hand formula typed with one's own symbols (``w1``) against proofkit's parameters
    (``W^{(1)}_{11}``) is checked for all values of *all* of them independently, which is rarely what
    was meant; the note says so and how to compare the intended formula.

    Examples
    --------
    >>> x, y = sympy.symbols("x y")
    >>> _different_symbols_note({x}, {y})[:57]
    'the two sides have different free symbols: only lhs has x'
    """
    only_lhs = sorted(s.name for s in lhs_symbols - rhs_symbols if not isinstance(s, sympy.Dummy))
    only_rhs = sorted(s.name for s in rhs_symbols - lhs_symbols if not isinstance(s, sympy.Dummy))
    if not only_lhs and not only_rhs:
        return None
    parts = [f"only {side} has {', '.join(names)}" for side, names in (("lhs", only_lhs), ("rhs", only_rhs)) if names]
    return ("the two sides have different free symbols: " + "; ".join(parts) + ". The identity is checked for all "
            "values of every free symbol independently, so a witness may give these symbols unrelated values: "
            "that refutes the identity as stated, for all values of all of them. If they name the same quantities "
            "(e.g. your own w1 for a network parameter), substitute them first (rhs.subs({w1: obj.params[0], ...})) "
            "and check again.")


def _with_note(res: IdentityCheck, note: str | None) -> IdentityCheck:
    if note is not None:
        res.notes.insert(0, note)
        if res.verdict == "refuted":
            res.detail += " [note: the two sides have different free symbols; see notes]"
    return res
