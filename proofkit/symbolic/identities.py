"""Check a hand derivation: is ``lhs == rhs`` an identity?

Three methods, tried in this order, each reported in the result:

1. **Refutation at a point.** ``lhs - rhs`` is evaluated at seeded random
   rational points, exactly for rational functions and with Arb ball
   arithmetic otherwise. A value certified non-zero is a refutation with that
   point as the witness.
2. **Proof by the kernel's exact engine.** The identity is written as an
   ``identity`` certificate and the trusted kernel re-proves it from its JSON
   (:func:`proofkit.certify.identity.identity_certificate`): rational functions
   over Q with transcendental atoms, exponentials normalised over sums and
   rational multiples (``exp(x/2) exp(x/3) = exp(5x/6)``, ``exp(k log r) = r^k``),
   logarithms over contents, prime factors and positive monomials, and piecewise
   nodes (``abs``, ``max``, ``min``, ``sign``, ``Heaviside``, ``Piecewise``) by
   case splits over sign regions. A "proved" result carries that certificate.
3. **Undecided.** Otherwise the result is inconclusive and says "undecided": the
   precision of the refutation search is raised automatically (within a budget)
   where the difference was too small to separate from 0, agreement of
   transcendental expressions to many digits is reported as evidence, never a
   proof, and for rational functions the random exact evaluations carry the
   Schwartz-Zippel bound on the chance that a non-zero difference vanished at
   every point.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import symengine as se
import sympy
from sympy.matrices.expressions.matexpr import MatrixElement

from proofkit.convert import exact_expr, expr_matrix, sequence_of
from proofkit.errors import InvalidInput, ShapeMismatch
from proofkit.numeric.contexts import ArbContext, ExactContext, NotAnalyticHere, NotRational
from proofkit.numeric.program import compile_program
from proofkit.progress import track
from proofkit.symbolic.concrete import element_symbol, write_out

__all__ = ["IdentityCheck", "check_identity", "identity_sides", "Sides", "admissible"]


@dataclass
class IdentityCheck:
    """The outcome of :func:`check_identity`.

    Attributes
    ----------
    verdict : {"proved", "refuted", "inconclusive"}
    method : str
        ``"exact engine (kernel-checked certificate)"``, ``"exact evaluation"``,
        ``"ball arithmetic"``, ``"numerical agreement (evidence only)"`` or
        ``"no admissible point"``.
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
        names differ), or what was written out for concrete sizes.
    certificate : Certificate or None
        For "proved": the ``identity`` certificate the kernel re-checked from its
        JSON (``check_certificate(res.certificate.to_json())`` accepts it).
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
    certificate: Any = None

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
              deadline: float, tested: int) -> tuple[int, IdentityCheck | None, str]:
    """Re-evaluate every entry at doubling precisions up to ``max_prec`` (and until ``deadline``) at ``points``.

    Returns ``(entry, refutation, "")``, or ``(0, None, sentence)`` saying how small the differences were shown to
    be and which precision was reached (so the caller can say which precision would be needed to decide).
    """
    reached: tuple[int, Any] | None = None  # (precision, the largest upper bound of |lhs - rhs| over the entries)
    for pt in points:
        p = prec
        while p < max_prec and time.monotonic() < deadline:
            p = min(2 * p, max_prec)
            try:
                vals = prog.run(ArbContext(p), pt)
            except (ZeroDivisionError, NotAnalyticHere, NotRational):
                break
            for k, v in enumerate(vals):
                if v > 0 or v < 0:
                    return k, _refuted_by_ball(v, p, prec, variables, pt, tested), ""
            if reached is None or p > reached[0]:
                reached = (p, max((abs(v).upper() for v in vals), key=lambda u: u.mid()))
    if reached is None:
        return 0, None, ""
    p, top = reached
    man, exp = top.man_exp()  # |lhs - rhs| <= man 2^exp
    bound = f"2^{int(exp) + int(man).bit_length()}" if man else "0"
    stop = "the precision budget max_prec" if p >= max_prec else "the time budget"
    return 0, None, (f"|lhs - rhs| <= {bound} at a sample point with {p}-bit ball arithmetic ({stop} was reached); "
                     f"a non-zero difference smaller than that needs more than {p} bits to be separated from 0 "
                     f"(pass a larger max_prec)")


@dataclass
class _Search:
    """What the refutation search at random points found (no witness): the points where every entry's ball
    contained 0 (or was exactly 0)."""

    tested: int
    rational: bool
    prog: Any
    points: list[list[Fraction]]


def _search(ds: list[sympy.Expr], variables: list[sympy.Symbol], trials: int, seed: int,
            prec: int) -> tuple[int, IdentityCheck] | _Search:
    """A refutation of some ``ds[k] == 0`` at seeded random admissible rational points, ``(k, result)``, or what the
    search saw. All entries are one program (shared subexpressions computed once per point)."""
    rng = random.Random(seed)
    rational = all(_is_rational_function(d) for d in ds)
    converted = [se.sympify(d) for d in track(ds, "check_identity: entries", unit="entry")]  # (checked already)
    prog = compile_program(converted, variables)
    found = _Search(0, rational, prog, [])
    for _ in range(trials):
        pt = _random_point(rng, variables, 10**6 if rational else 3)
        if pt is None:
            break  # no admissible witness can be drawn: refutation is impossible here, never at a bad point
        try:
            vals = prog.run(ExactContext() if rational else ArbContext(prec), pt)
        except (ZeroDivisionError, NotAnalyticHere, NotRational):
            continue  # a pole or a domain boundary: try another point
        found.tested += 1
        for k, v in enumerate(vals):
            if rational and v != 0:
                return k, IdentityCheck("refuted", "exact evaluation",
                                        f"lhs - rhs = {v} != 0 at the witness point (exact rationals)",
                                        witness=_as_witness(variables, pt), enclosure=str(v), points_tested=found.tested)
            if not rational and (v > 0 or v < 0):
                return k, _refuted_by_ball(v, prec, prec, variables, pt, found.tested)
        found.points.append(pt)
    return found


def _undecided(ds: list[sympy.Expr], found: _Search, variables: list[sympy.Symbol], prec: int, max_prec: int,
               deadline: float, why: str) -> tuple[int, IdentityCheck]:
    """For entries the kernel did not prove: a refutation at a higher precision, or undecided (the first entry)."""
    if found.tested == 0:
        return 0, IdentityCheck("inconclusive", "no admissible point",
                                f"undecided: {why}, and lhs - rhs could not be evaluated at any point admissible for "
                                "the symbols' assumptions", points_tested=0)
    if found.rational:
        n = max(_degree_bound(d)[0] if d.free_symbols else 0 for d in ds)
        size = 2 * 10**6 + 1
        bound = (n / size) ** found.tested if n < size else 1.0
        return 0, IdentityCheck("inconclusive", "exact evaluation",
                                f"undecided: {why}; lhs - rhs vanished at {found.tested} random rational points "
                                f"(Schwartz-Zippel: a non-zero difference of degree <= {n} vanishes at all of them "
                                f"with probability <= {bound:.3g})", error_bound=bound, points_tested=found.tested)
    k, refuted, smallest = _escalate(found.prog, variables, found.points[:2], prec, max_prec, deadline, found.tested)
    if refuted is not None:
        return k, refuted
    return 0, IdentityCheck("inconclusive", "numerical agreement (evidence only)",
                            f"undecided: {why}; |lhs - rhs| was not separated from 0 at {found.tested} points with "
                            f"{prec}-bit ball arithmetic (evidence, not a proof)" + (f". {smallest}" if smallest else ""),
                            points_tested=found.tested)


def _as_witness(variables: list[sympy.Symbol], pt: list[Fraction]) -> dict[sympy.Symbol, sympy.Rational]:
    return {v: sympy.Rational(p.numerator, p.denominator) for v, p in zip(variables, pt)}


def _as_sympy(obj: Any, argument: str, expanded: list[str]) -> Any:
    """An exact sympy expression or Matrix: sums, indexed and matrix symbols of concrete sizes written out
    (what was written out is appended to ``expanded``), every node checked, every float made exact."""
    if hasattr(obj, "to_sympy") and not isinstance(obj, sympy.Basic):
        obj = obj.to_sympy()
    obj = _heaviside_by_sign(write_out(obj, argument, expanded))
    if isinstance(obj, (list, tuple, sympy.MatrixBase)):
        return expr_matrix(obj, argument)
    return exact_expr(obj, argument)


def _heaviside_by_sign(obj: Any) -> Any:
    """``Heaviside(x, h0)`` as ``(1 + sign x)/2 + (h0 - 1/2)(1 - sign(x)^2)`` (equal for every real x; the value
    at 0 is ``h0``), so that every value at 0 is accepted, not only 1/2."""
    if isinstance(obj, (list, tuple)):
        return type(obj)(_heaviside_by_sign(e) for e in obj)
    if isinstance(obj, sympy.MatrixBase):
        return obj.applyfunc(_heaviside_by_sign)
    if not isinstance(obj, sympy.Basic) or not obj.has(sympy.Heaviside):
        return obj

    def rewrite(h: sympy.Heaviside) -> sympy.Expr:
        s = sympy.sign(h.args[0])
        h0 = h.args[1] if len(h.args) > 1 else sympy.S.Half
        return (1 + s) / 2 + (h0 - sympy.S.Half) * (1 - s**2)

    return obj.replace(lambda e: isinstance(e, sympy.Heaviside) and len(e.args) > 1 and e.args[1] != sympy.S.Half
                       and e.args[1].is_Rational, rewrite)


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
                   time_budget: float = 20.0, budget: float | None = None) -> IdentityCheck:
    """Decide whether ``lhs == rhs`` holds identically (expressions or matrices).

    Parameters
    ----------
    lhs, rhs : sympy expression or matrix (or nested lists, or a matrix expression)
        The two sides; matrices are compared entry by entry. Floats are the
        exact binary numbers they are (``0.1`` is not ``1/10``): they are
        replaced by exact rationals before any algebra. ``Sum``, ``Product``,
        ``Indexed``, ``MatrixSymbol`` entries, matrix expressions (``W.T * W``),
        ``Trace`` and ``Determinant`` of concrete sizes are written out
        (:mod:`proofkit.symbolic.concrete`), and ``notes`` says so.
    variables : sequence, optional
        The variables (symbols, entries ``x[i]``, ``W[i, j]``, or whole
        ``IndexedBase``/``MatrixSymbol`` objects); defaults to all free symbols.
        Every free symbol must be listed (the identity is claimed for all their
        values that their assumptions allow).
    trials : int
        Random points for the refutation search (all entries at each point).
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
    budget : float, optional
        The kernel's work budget for the proof, in estimated seconds (default: 1 s plus 1 s per KB of the
        certificate). A proof over budget is "undecided" with the kernel's estimate named; re-check its
        certificate later with ``check_certificate(text, budget=...)``.

    Returns
    -------
    IdentityCheck
        ``verdict`` is "proved" only when the kernel re-proved the identity
        from an ``identity`` certificate (attached as ``certificate``); the
        detail of an undecided result starts with "undecided"; "refuted" only with
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
    >>> a, b = sympy.symbols("a b")                 # piecewise: decided by sign regions
    >>> res = check_identity(sympy.Max(a, b), (a + b + sympy.Abs(a - b)) / 2)
    >>> res.verdict, res.certificate.claim["type"]
    ('proved', 'identity')

    Guarantee
    ---------
    "proved": the kernel's exact engine reduced every entry of lhs - rhs to 0
    (``check_certificate(res.certificate.to_json())`` accepts it), so the
    identity holds wherever both sides are defined, for the values the
    symbols' assumptions allow. "refuted": at ``witness`` (exact rationals
    respecting the assumptions) the entry ``entry`` of lhs - rhs is certified
    non-zero (exactly, or by an Arb ball excluding 0).
    """
    for name, value, low in (("trials", trials, 0), ("seed", seed, None), ("prec", prec, 2), ("max_prec", max_prec, 2)):
        if not isinstance(value, int) or isinstance(value, bool) or (low is not None and value < low):
            raise InvalidInput(name, "an integer" + (f" >= {low}" if low is not None else ""), repr(value))
    if max_prec > 1 << 20:
        raise InvalidInput("max_prec", "an integer <= 2^20", repr(max_prec))
    if isinstance(time_budget, bool) or not isinstance(time_budget, (int, float)) or not time_budget >= 0 \
            or time_budget == float("inf"):
        raise InvalidInput("time_budget", "a finite number of seconds >= 0", repr(time_budget))
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0
                               or budget == float("inf")):
        raise InvalidInput("budget", "a finite number of seconds > 0 (or None)", repr(budget))
    L, R, var_list, expanded, lhs_symbols, rhs_symbols = identity_sides(lhs, rhs, variables)
    if isinstance(L, sympy.MatrixBase):
        pairs = [((i, j), L[i, j] - R[i, j]) for i in range(L.rows) for j in range(L.cols)]
    else:
        pairs = [((), L - R)]
    note = _different_symbols_note(lhs_symbols, rhs_symbols)
    deadline = time.monotonic() + float(time_budget)
    res = _with_note(_check_entries(L, R, pairs, var_list, trials, seed, prec, max(prec, max_prec), deadline,
                                    budget), note)
    if expanded:
        res.notes.append("written out for the concrete sizes given: " + "; ".join(dict.fromkeys(expanded)) +
                         ". The verdict is for these sizes; indexed entries and matrix-symbol entries are the "
                         "variables named x[i], W[i, j]")
    return res


class Sides(NamedTuple):
    """The two sides of an identity as :func:`identity_sides` reads them."""

    lhs: Any
    rhs: Any
    variables: list[sympy.Symbol]
    written_out: list[str]
    lhs_symbols: set[sympy.Symbol]
    rhs_symbols: set[sympy.Symbol]


def identity_sides(lhs: Any, rhs: Any, variables: Any = None) -> Sides:
    """The two sides of an identity as checked exact sympy expressions or matrices of one shape, the variables,
    what was written out for concrete sizes (sums, indexed and matrix symbols; see :mod:`proofkit.symbolic.concrete`) and each
    side's free symbols.

    Raises
    ------
    InvalidInput, ShapeMismatch
        Unsupported nodes, symbolic sizes, sides of different kinds or shapes, variables that miss a free
        symbol, two symbols with one name.

    Examples
    --------
    >>> i = sympy.Symbol("i", integer=True)
    >>> sides = identity_sides(sympy.Sum(sympy.IndexedBase("x")[i], (i, 1, 2)), 0)
    >>> sides.lhs, sides.variables, sides.written_out
    (x[1] + x[2], [x[1], x[2]], ['Sum over i written out (2 terms)'])
    """
    expanded: list[str] = []
    L, R = _as_sympy(lhs, "lhs", expanded), _as_sympy(rhs, "rhs", expanded)
    if isinstance(L, sympy.MatrixBase) != isinstance(R, sympy.MatrixBase):
        raise ShapeMismatch("rhs", "the same kind as lhs (both matrices or both expressions)",
                            f"{type(R).__name__} against {type(L).__name__}")
    if isinstance(L, sympy.MatrixBase) and L.shape != R.shape:
        raise ShapeMismatch("rhs", f"shape {L.shape} like lhs", f"shape {R.shape}")
    fl, fr = set(L.free_symbols), set(R.free_symbols)
    free = fl | fr
    require_distinct_names(free, "lhs")
    if variables is None:
        var_list = sorted(free, key=lambda s: s.name)
    else:
        var_list = _variable_symbols(variables, free)
        extra = free - set(var_list)
        if extra:
            raise InvalidInput("variables", "every free symbol of lhs and rhs",
                               f"missing {sorted(s.name for s in extra)}")
    return Sides(L, R, var_list, expanded, fl, fr)


def _variable_symbols(variables: Any, free: set[sympy.Symbol]) -> list[sympy.Symbol]:
    """The scalar variables: symbols, entries ``x[i]``/``W[i, j]`` (as their written-out symbols), or whole
    ``MatrixSymbol``s / ``IndexedBase``s (every entry of theirs that occurs)."""
    out: list[sympy.Symbol] = []
    for v in sequence_of(variables, "variables", "a sequence of sympy Symbols"):
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


def _check_entries(L: Any, R: Any, pairs: list[tuple[tuple[int, ...], sympy.Expr]], var_list: list[sympy.Symbol],
                   trials: int, seed: int, prec: int, max_prec: int, deadline: float,
                   budget: float | None = None) -> IdentityCheck:
    """Search the entries for a witness; then ask the kernel for a proof of all of them; then escalate."""
    ds = [d for _, d in pairs]
    found = _search(ds, var_list, trials, seed, prec)
    if isinstance(found, tuple):
        k, res = found
        res.entry = pairs[k][0] or None
        return res
    from proofkit.certify.identity import identity_certificate

    cert, why = identity_certificate(L, R, var_list, budget)
    if cert is not None:
        where = f"all {len(pairs)} entries: " if len(pairs) > 1 else ""
        return IdentityCheck("proved", "exact engine (kernel-checked certificate)",
                             f"{where}the kernel's exact engine reduced lhs - rhs to 0 (re-checked: {why}), so the "
                             "identity holds wherever both sides are defined (for the values the symbols' assumptions allow); "
                             "the certificate is attached", points_tested=found.tested, certificate=cert)
    k, res = _undecided(ds, found, var_list, prec, max_prec, deadline, why)
    res.entry = pairs[k][0] or None
    return res


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
