"""The kernel's one exact engine: stored expressions as rational functions over Q with opaque atoms.

A stored expression graph (:class:`~proofkit.kernel.dag.Dag`) is evaluated once per node (linear in the
size of the graph: shared nodes are computed once) in the field ``Q(x_1..x_n, a_1..a_k)`` of rational
functions (python-flint ``fmpq_mpoly`` numerators and denominators), where every non-rational node
becomes an *atom*: a fresh indeterminate keyed by the operation and the exact value of its arguments
(``tanh(g)``, ``log(g)``, ``abs(g)``, ``max(g, h)``, a piecewise node with its conditions, ...). First
derivatives are carried in forward mode by the chain rule when asked for (non-smooth nodes then refuse).

Normal forms that make more identities provable, each true wherever the expressions are defined:

* ``exp(sum c_i g_i)`` (the sums and constant multiples the graph shows) is a product of powers of atoms
  ``exp(m/Q)``: the polynomial parts split into monomials ``m``, the other ``g_i`` grouped by denominator and
  split into the terms of the numerator, ``Q`` the common denominator of every multiple of ``m`` met (so
  ``exp(x/2) exp(x/3) = exp(5x/6)``, ``exp(-x) = 1/exp(x)``, ``exp(q_j - q_k) = exp(q_j)/exp(q_k)``); ``E`` is
  ``exp(1)``; ``exp(c log g) = g^c`` (``g > 0`` where the logarithm is defined);
* ``g^(p/q)`` is ``r^(pQ/q)`` with the atom ``r = g^(1/Q)``, ``Q`` common to every power of ``g`` met, and, for a
  polynomial ``g``, the relation ``r^Q = g`` (``sqrt(x)^2 = x``, ``sqrt(7) = (7^(1/4))^2``);
  ``cos(g)^2 = 1 - sin(g)^2`` and ``cosh(g)^2 = 1 + sinh(g)^2``. Numerators are reduced by these relations
  (each holds at the true values of the atoms) before a zero test and before an atom is keyed;
* ``log g`` (``g > 0`` wherever it is defined): a rational constant by its prime factors; the contents and the
  common monomials in generators ``>= 0`` (variables assumed so, ``exp``, ``pi``, ``cosh``, roots) of the
  numerator and the denominator taken out (``log(c x^k exp(m)) = log c + k log x + m``, log-sum-exp shifts),
  and a denominator ``>= 0`` by its signs; the rest is an atom (nothing is split under an unproved sign).

Piecewise nodes are atoms of their arguments, except in :func:`zero_on_regions` (the identity rule), which
decides them by sign regions of their selectors (MATH.md section 8).

Soundness. Substituting the true values of the atoms is a ring homomorphism from the polynomials in the
variables and atoms to the reals; every intermediate denominator is non-zero wherever the stored expression
is defined. So a numerator that reduces to the zero polynomial proves the expression zero at every point
where it is defined. Ignoring a relation between atoms can only make a true identity unprovable.

Cost. Every product and power is bounded before it is formed (terms, degrees, coefficient bits) and charged
to the kernel's budget; too large: :class:`NotExact` (the identity is then not claimed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import comb
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.cost import charge
from proofkit.kernel.dag import Dag

__all__ = ["NotExact", "Field", "RF", "jets", "is_zero", "seeds", "run", "zero_on_regions", "by_regions", "has_piecewise_atoms",
           "assumed_signs",
           "identity_differences",
           "manifold_conditions", "invariance_conditions", "gradient_at", "slope_at", "manifold_at",
           "equal_outputs", "curve_series", "curve_through", "leading_term"]


class NotExact(CertificateRejected):
    """A stored expression is beyond the exact engine (a node it does not handle, or too large)."""


class _AtomsExhausted(NotExact):
    pass


class ZeroFunction(ZeroDivisionError):
    """A division by a rational function that is identically zero (the expression is nowhere defined)."""


_ANY, _NONNEG = frozenset({-1, 0, 1}), frozenset({0, 1})
_MAX_RESTARTS = 6
_MAX_REGIONS = 512
_MAX_LEAVES = 64
_SMALL_PRIMES = [p for p in range(2, 1024) if all(p % d for d in range(2, int(p**0.5) + 1))]


_SMOOTH = ("exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "erf")
_ZERO_AT_ZERO = {"sin", "tan", "tanh", "sinh", "atan", "asin", "erf"}
_ONE_AT_ZERO = {"cos", "cosh", "exp"}
_MAX_EXPONENT = 4096
_MAX_TERMS = 200_000  # bounds on every polynomial the engine may form (checked before it is formed)
_MAX_DEGREE = 1 << 15
_MAX_BITS = 1 << 27  # total coefficient bits (terms x largest coefficient)
_ATOM_CAPS = (16, 64, 256)


def _size(p: Any) -> tuple[int, int, int, Any]:
    """(terms, total degree, bits of the largest numerator or denominator of a coefficient, the polynomial)."""
    charge(3e-6 * len(p), "sizing a polynomial")
    if not len(p):
        return 0, 0, 0, p
    bits = max(max(c.p.bit_length(), c.q.bit_length()) for c in p.coeffs())
    return len(p), int(p.total_degree()), int(bits), p


def _affordable(terms: int, tdeg: int, degs: Callable[[], list[int]], bits: int, work: int, nvars: int) -> None:
    """Refuse a polynomial beyond the engine's bounds; charge ``work`` term operations of ``bits`` bits. ``terms``
    and ``tdeg`` bound its terms and total degree; ``degs()`` bounds its degree in each generator (asked for only
    when those bounds are large: it tightens them)."""
    est, top = terms, tdeg
    if terms > 4096 or tdeg > _MAX_DEGREE:
        est, top = 1, 0
        for d in degs():
            est, top = min(est * (d + 1), terms + 1), max(top, d)
        est = min(est, terms)
    if est > _MAX_TERMS or top > _MAX_DEGREE or est * max(bits, 1) > _MAX_BITS:
        raise NotExact("certificate rejected: an expression is too large for the exact engine")
    charge(6e-5 + 1.5e-7 * work * (1 + nvars / 32) * (1 + bits / 64), "an exact polynomial operation")


def _degrees(p: Any) -> list[int]:
    return [int(x) for x in p.degrees()] if len(p) else [0] * p.context().nvars()


def _check_product(a: tuple, b: tuple) -> None:
    """Sizes ``(terms, total degree, bits, polynomial)`` of two polynomials whose product is about to be formed."""
    (ta, da, ba, pa), (tb, db, bb, pb) = a, b
    _affordable(ta * tb, da + db, lambda: [x + y for x, y in zip(_degrees(pa), _degrees(pb))],
                ba + bb + min(ta, tb).bit_length(), ta * tb, pa.context().nvars())


def _check_power(size: tuple, k: int) -> None:
    t, d, b, p = size
    terms = 1 if t <= 1 else comb(t + k - 1, k) if k < 64 or t < 64 else _MAX_TERMS + 1
    _affordable(terms, d * k, lambda: [x * k for x in _degrees(p)], k * (b + t.bit_length()),
                min(terms, _MAX_TERMS) * max(1, k.bit_length()), p.context().nvars())


class RF:
    """A rational function ``num / den`` of a :class:`Field` (``den`` non-zero, reduced, leading coefficient 1)."""

    __slots__ = ("num", "den", "field", "_sizes")

    def __init__(self, field: Field, num: Any, den: Any = None, reduce: bool = True) -> None:
        self.field, self._sizes = field, None
        den = field.one if den is None else den
        if den.is_zero():
            raise ZeroFunction("zero denominator")
        if reduce and not den.is_constant():
            charge(6e-5 + 6e-7 * len(num) * len(den), "an exact gcd")
            g = num.gcd(den)
            if not g.is_one():
                num, den = num / g, den / g
        lc = den.leading_coefficient()
        if lc != 1:
            num, den = num * (1 / lc), den * (1 / lc)
        self.num, self.den = num, den

    def sizes(self) -> tuple[tuple, tuple]:
        """The sizes of the numerator and the denominator (computed once)."""
        if self._sizes is None:
            self._sizes = (_size(self.num), _size(self.den))
        return self._sizes

    def is_const(self) -> bool:
        return self.num.is_constant() and self.den.is_constant()

    def const_value(self) -> flint.fmpq:
        return flint.fmpq(self.num.leading_coefficient() if not self.num.is_zero() else 0)

    def key(self) -> tuple[str, str]:
        return (self.num.str(), self.den.str())

    def __add__(self, o: RF) -> RF:
        (sn, sd), (on, od) = self.sizes(), o.sizes()
        if self.den == o.den:
            _affordable(sn[0] + on[0], max(sn[1], on[1]), lambda: [max(x, y) for x, y in zip(_degrees(sn[3]),
                                                                                           _degrees(on[3]))],
                        max(sn[2], on[2]) + 1, sn[0] + on[0], self.field.ctx.nvars())
            return RF(self.field, self.num + o.num, self.den)
        _check_product(sn, od)
        _check_product(on, sd)
        _check_product(sd, od)
        return RF(self.field, self.num * o.den + o.num * self.den, self.den * o.den)

    def __neg__(self) -> RF:
        return RF(self.field, -self.num, self.den, reduce=False)

    def __sub__(self, o: RF) -> RF:
        return self + (-o)

    def __mul__(self, o: RF) -> RF:
        (sn, sd), (on, od) = self.sizes(), o.sizes()
        _check_product(sn, on)
        _check_product(sd, od)
        return RF(self.field, self.num * o.num, self.den * o.den)

    def inv(self) -> RF:
        if self.num.is_zero():
            raise ZeroFunction("inverse of the zero function")
        return RF(self.field, self.den, self.num, reduce=False)

    def __truediv__(self, o: RF) -> RF:
        return self * o.inv()

    def pow_int(self, k: int) -> RF:
        if abs(k) > _MAX_EXPONENT:
            shown = k if abs(k) < 10**60 else f"of {k.bit_length()} bits"  # (str() of a huge int raises ValueError)
            raise NotExact(f"certificate rejected: exponent {shown} too large for exact expansion")
        base = self if k >= 0 else self.inv()
        sn, sd = base.sizes()
        _check_power(sn, abs(k))
        _check_power(sd, abs(k))
        return RF(self.field, base.num ** abs(k), base.den ** abs(k), reduce=False)


class Field:
    """``Q(x_1..x_n, a_1..a_k)``: the variables of a computation and room for ``max_atoms`` atoms."""

    def __init__(self, names: Sequence[str], max_atoms: int = 16, opaque_reciprocals: bool = False,
                 signs: Sequence[frozenset[int]] | None = None, exp_den: dict[str, int] | None = None) -> None:
        self.n, self.opaque, self.max_atoms = len(names), opaque_reciprocals, max_atoms
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(f"v{i}" for i in range(self.n + max_atoms)), "degrevlex")
        self.gens = self.ctx.gens()
        self.one = self.ctx.from_dict({}) + 1
        self.atoms: dict[tuple[Any, ...], int] = {}
        self.atom_ops: list[str] = []
        self.atom_args: list[tuple[Any, ...]] = []
        self.relations: list[tuple[int, int, Any]] = []  # (generator, q, polynomial g): generator^q = g
        # the signs each variable may have (its assumptions; None: any), e.g. frozenset({1}) for a positive one
        self.signs = list(signs) if signs is not None else [_ANY] * self.n
        self.exp_den = exp_den if exp_den is not None else {}  # m -> Q: exp(c m) is written with the atom exp(m/Q)
        self.exp_made: set[str] = set()
        self.stale = False  # a denominator met after its atom was made: the next run uses the larger one
        self.region: dict[str, frozenset[int]] | None = None  # sign regions (see zero_on_regions); None: atoms
        self.selectors: dict[str, Any] = {}
        self.factored: dict[str, tuple[int, list[tuple[str, int]]]] = {}
        self.substitution: dict[int, RF] = {}

    def const(self, q: Any) -> RF:
        return RF(self, self.one * flint.fmpq(q))

    def var(self, i: int) -> RF:
        return self.substitution[i] if i in self.substitution else RF(self, self.gens[i])

    def uses_atoms(self, f: RF) -> set[int]:
        return {j for d in (f.num.degrees(), f.den.degrees()) for j, e in enumerate(d[self.n:]) if e > 0}

    def opaque_inverse(self, f: RF) -> bool:
        """Whether ``1/f`` becomes an atom: ``f`` involves atoms, none of them itself a reciprocal."""
        used = self.uses_atoms(f)
        return self.opaque and bool(used) and not any(self.atom_ops[j] == "pow:-1" for j in used)

    def atom(self, op: str, *args: Any) -> RF:
        """The atom ``op(args)``; arguments are RFs (keyed by their reduced value) or hashable keys."""
        key = (op, *((_reduced(self, a).key() if isinstance(a, RF) else a) for a in args))
        if key not in self.atoms:
            if len(self.atoms) >= self.max_atoms:
                raise _AtomsExhausted("certificate rejected: too many transcendental atoms for the exact engine")
            self.atoms[key] = len(self.atoms)
            self.atom_ops.append(op)
            self.atom_args.append(args)
            gen = self.n + self.atoms[key]
            for c, s, sign in (("cos", "sin", -1), ("cosh", "sinh", 1)):  # C^2 = 1 + sign S^2
                if op in (c, s) and (c if op == s else s, *key[1:]) in self.atoms:
                    other = self.n + self.atoms[(c if op == s else s, *key[1:])]
                    ci, si = (gen, other) if op == c else (other, gen)
                    self.relations.append((ci, 2, self.one + sign * self.gens[si] ** 2))
            if op.startswith("root:") and isinstance(args[0], RF) and args[0].den.is_constant():
                g = args[0]
                self.relations.append((gen, int(op[5:]), g.num * (1 / g.den.leading_coefficient())))
        return RF(self, self.gens[self.n + self.atoms[key]])


def _reduce_poly(field: Field, num: Any) -> Any:
    """Reduce ``num`` by the relations ``generator^q = g`` (latest first: a relation only brings in older atoms)."""
    for gen, q, g in reversed(field.relations):
        if int(num.degrees()[gen]) < q:
            continue
        charge(1e-6 * len(num), "a reduction by a relation between atoms")
        out = field.ctx.from_dict({})
        for exps, coeff in num.terms():
            e = [int(x) for x in exps]
            k, e[gen] = divmod(e[gen], q)
            mono = field.ctx.from_dict({tuple(e): coeff})
            if k:
                _check_power(_size(g), k)
                mono = mono * g ** k
            out = out + mono
        num = out
    return num


def _reduced(field: Field, f: RF) -> RF:
    if not field.relations:
        return f
    return RF(field, _reduce_poly(field, f.num), _reduce_poly(field, f.den))


def is_zero(f: RF) -> bool:
    """True only if ``f`` is proven to vanish wherever it is defined."""
    return f.num.is_zero() or _reduce_poly(f.field, f.num).is_zero()


Jet = tuple  # (value: RF, derivatives: list[RF])


def _content(p: Any) -> tuple[flint.fmpq, Any]:
    """``(c, p / c)``: ``p / c`` has coprime integer coefficients and a positive leading coefficient."""
    num, den = flint.fmpz(0), flint.fmpz(1)
    for c in p.coeffs():
        num, den = num.gcd(c.p), den * c.q // den.gcd(c.q)
    c = flint.fmpq(num, den) * (1 if p.leading_coefficient() > 0 else -1)
    return c, p * (1 / c)


def _nonneg_gens(field: Field) -> set[int]:
    """Generators that are >= 0 wherever defined: such variables, exp, pi, cosh and root atoms."""
    out = {i for i in range(field.n) if field.signs[i] <= _NONNEG and i not in field.substitution}
    return out | {field.n + j for j, op in enumerate(field.atom_ops)
                  if op in ("exp", "pi", "cosh") or op.startswith("root:")}


def _nonneg(field: Field, p: Any, gens: set[int] | None = None) -> bool:
    """``p >= 0`` wherever defined: positive coefficients in generators that are >= 0."""
    gens = _nonneg_gens(field) if gens is None else gens
    return all(c > 0 for c in p.coeffs()) and all(j in gens for j, e in enumerate(p.degrees()) if e)


def _common_denominator(field: Field, key: str, c: flint.fmpq) -> int | None:
    """The denominator ``Q`` of the atom written for multiples of ``key``: a multiple of every denominator of such a
    ``c`` met. A new one after the atom was made is recorded for the next run (``field.stale``) and None returned
    (the caller then uses an atom of its own: sound, only less likely to cancel)."""
    Q = field.exp_den.get(key, 1)
    if (c * Q).q != 1:
        Q = Q * int(c.q) // int(flint.fmpz(Q).gcd(c.q))
        field.exp_den[key] = Q
        if key in field.exp_made:
            field.stale = True
            return None
    field.exp_made.add(key)
    return Q


def _root_power(field: Field, g: RF, c: flint.fmpq) -> RF:
    """``g^c`` (``g >= 0`` where a non-integer power is defined): an integer power, or a power of the atom
    ``g^(1/Q)`` (with ``(g^(1/Q))^Q = g``), ``Q`` common to every power of ``g`` met (``sqrt(7) = (7^(1/4))^2``)."""
    if abs(c.p) > _MAX_EXPONENT or c.q > _MAX_EXPONENT:
        raise NotExact(f"certificate rejected: exponent {c} too large")
    if c.q == 1:
        return g.pow_int(int(c.p))
    g = _reduced(field, g)
    Q = _common_denominator(field, "root " + "/".join(g.key()), c)
    if Q is None or Q > _MAX_EXPONENT or abs((c * Q).p) > _MAX_EXPONENT:
        return field.atom(f"root:{int(c.q)}", g).pow_int(int(c.p))
    return field.atom(f"root:{Q}", g).pow_int(int((c * Q).p))


def _exp_term(field: Field, m: RF, c: flint.fmpq) -> RF:
    """``exp(c m)`` for a rational ``c`` and a monomial term ``m`` (coefficient 1, over its denominator).

    ``exp(c log g) = g^c`` (``g > 0`` where the logarithm is defined); otherwise a power of the atom
    ``exp(m/Q)``, ``Q`` the common denominator of every multiple of ``m`` met (a new denominator that ``Q``
    does not divide, after the atom was made, restarts the computation with the larger ``Q``).
    """
    if m.den.is_constant():
        used = [j for j, e in enumerate(m.num.degrees()) if e]
        if len(used) == 1 and used[0] >= field.n and m.num.degrees()[used[0]] == 1 and \
                field.atom_ops[used[0] - field.n] == "log":
            return _root_power(field, field.atom_args[used[0] - field.n][0], c)
    key = "exp " + "/".join(m.key())
    Q = _common_denominator(field, key, c)
    if Q is None or abs((c * Q).p) > _MAX_EXPONENT or Q > _MAX_EXPONENT:
        return field.atom("exp", m * field.const(c))
    k = c * Q
    return field.atom("exp", m * field.const(flint.fmpq(1, Q))).pow_int(int(k.p))


def _exp(field: Field, leaves: Sequence[tuple[flint.fmpq, RF]]) -> RF:
    """``exp(sum c_i g_i)`` as ``prod exp(terms)``: the polynomial parts of the ``g_i`` split into monomials, each
    other ``g_i`` grouped with those of the same denominator and split into the terms of its numerator."""
    poly, groups = field.ctx.from_dict({}), {}
    for c, g in leaves:
        g = _reduced(field, g)
        if g.den.is_constant():
            poly = poly + g.num * (c / g.den.leading_coefficient())
        else:
            den, num = groups.get(g.den.str(), (g.den, field.ctx.from_dict({})))
            groups[g.den.str()] = (den, num + g.num * c)
    parts = [(RF(field, field.ctx.from_dict({e: 1})), c) for e, c in poly.terms()]
    for den, num in groups.values():
        s = RF(field, num, den)
        ones = (s.den.leading_coefficient(),) if s.den.is_constant() else ()
        parts += [(RF(field, field.ctx.from_dict({e: 1}), s.den if not ones else None), c / (ones[0] if ones else 1))
                  for e, c in s.num.terms()]
    out = field.const(1)
    for m, c in parts:
        out = out * _exp_term(field, m, c)
    return out


def _log_rational(field: Field, c: flint.fmpq) -> RF:
    """``log c`` for a rational ``c > 0`` as a sum of ``e log p`` over its prime factors (up to 64-bit numbers;
    a larger numerator or denominator keeps the factors below 2^10 and one atom for the rest)."""
    if c <= 0:
        return field.atom("log", field.const(c))
    out = field.const(0)
    for n, sign in ((c.p, 1), (c.q, -1)):
        n = flint.fmpz(n)
        if n == 1:
            continue
        charge(2e-5 + 4e-9 * n.bit_length(), "factoring a constant")
        if n.bit_length() <= 64:
            factors = n.factor()
        else:
            factors = []
            for p in _SMALL_PRIMES:
                e = 0
                while n % p == 0:
                    n, e = n // p, e + 1
                factors += [(flint.fmpz(p), e)] if e else []
            factors += [(n, 1)] if n != 1 else []
        for p, e in factors:
            out = out + field.const(sign * e) * field.atom("log", field.const(p))
    return out


def _log_gen(field: Field, j: int) -> RF:
    """``log`` of a generator that is positive wherever the logarithm is taken."""
    if j < field.n:
        return field.atom("log", RF(field, field.gens[j]))
    op, args = field.atom_ops[j - field.n], field.atom_args[j - field.n]
    if op == "exp":
        return args[0]
    if op.startswith("root:"):
        return _log(field, args[0]) * field.const(flint.fmpq(1, int(op[5:])))
    return field.atom("log", RF(field, field.gens[j]))


def _split_monomial(field: Field, p: Any, gens: set[int]) -> tuple[flint.fmpq, dict[int, int], Any]:
    """``p = c * prod x_j^e_j * rest``: the content, the common monomial in ``gens``, the primitive rest."""
    c, p = _content(p)
    low = [min(int(e[j]) for e in p.monoms()) for j in range(len(p.degrees()))]
    mono = {j: e for j, e in enumerate(low) if e and j in gens}
    if mono:
        p = p / field.ctx.from_dict({tuple(mono.get(j, 0) for j in range(len(low))): 1})
    return c, mono, p


def _log(field: Field, g: RF) -> RF:
    """``log g`` normalised wherever it is defined (``g > 0``): constants by prime factors; from numerator and
    denominator their contents and their common monomials in generators >= 0 (``log(c x^k E) = log c + k log x
    + m`` for ``E = exp(m)``); a denominator >= 0 separately; the rest as an atom."""
    g = _reduced(field, g)
    if g.is_const():
        return _log_rational(field, g.const_value())
    gens = _nonneg_gens(field)
    cn, mn, rn = _split_monomial(field, g.num, gens)
    cd, md, rd = _split_monomial(field, g.den, gens)
    c = cn / cd
    out = _log_rational(field, abs(c)) if abs(c) != 1 else field.const(0)
    for mono, sign in ((mn, 1), (md, -1)):
        for j, e in mono.items():
            out = out + field.const(sign * e) * _log_gen(field, j)
    rn = rn * (1 if c > 0 else -1)
    if rd.is_constant():
        return out if rn.is_one() else out + field.atom("log", RF(field, rn))
    if _nonneg(field, rd, gens):  # rd > 0 where defined, so rn > 0 too
        rest = field.atom("log", RF(field, rd))
        return out - rest if rn.is_one() else out + field.atom("log", RF(field, rn)) - rest
    return out + field.atom("log", RF(field, rn, rd))


def _unary(field: Field, op: str, u: Jet) -> Jet:
    g, dg = u
    if g.is_const() and g.const_value() == 0 and op in _ZERO_AT_ZERO | _ONE_AT_ZERO:
        val = field.const(0 if op in _ZERO_AT_ZERO else 1)
    elif g.is_const() and g.const_value() == 1 and op == "log":
        val = field.const(0)
    else:
        val = _exp(field, [(flint.fmpq(1), g)]) if op == "exp" else _log(field, g) if op == "log" else field.atom(op, g)
    if not dg:
        return val, []
    one = field.const(1)
    if op == "exp":
        d = val
    elif op == "log":
        d = g.inv()
    elif op in ("tanh", "tan"):
        d = one - val * val if op == "tanh" else one + val * val
    elif op in ("sin", "cos", "sinh", "cosh"):
        partner = {"sin": "cos", "cos": "sin", "sinh": "cosh", "cosh": "sinh"}[op]
        p = field.const(1 if partner in ("cos", "cosh") else 0) if g.is_const() and g.const_value() == 0 \
            else field.atom(partner, g)
        d = -p if op == "cos" else p
    elif op == "atan":
        d = (one + g * g).inv()
    elif op in ("asin", "acos"):
        r = field.atom("root:2", one - g * g).inv()
        d = r if op == "asin" else -r
    else:  # erf
        d = field.const(2) * field.atom("root:2", field.atom("pi")).inv() * _exp(field, [(flint.fmpq(-1), g * g)])
    return val, [d * x for x in dg]


def _pow(field: Field, u: Jet, p: flint.fmpq) -> Jet:
    g, dg = u
    if p.q == 1 and p < 0 and field.opaque_inverse(g):
        inv = field.atom("pow:-1", g)  # 1/g as an opaque atom: cheaper, and sound (a relation is dropped)
        val = inv.pow_int(-int(p.p))
        return val, [field.const(p) * val * inv * x for x in dg]
    if p.q == 1:
        k = int(p.p)
        val = g.pow_int(k)
        d = field.const(k) * g.pow_int(k - 1) if k != 0 and dg else field.const(0)
        return val, [d * x for x in dg]
    val = _root_power(field, g, p)
    return val, [field.const(p) * val / g * x for x in dg] if dg else []


def jets(dag: Dag, field: Field, env: Sequence[Jet], outputs: Sequence[int] | None = None) -> list[Jet]:
    """Evaluate the outputs of ``dag`` exactly, each node once, with the derivatives the inputs carry.

    ``env`` gives, for each input, its value and its derivatives with respect to the seeds (an empty list:
    values only; then non-smooth nodes and conditions are atoms of their arguments).

    Raises
    ------
    NotExact
        A non-smooth node with derivatives wanted, or an expression too large.
    ZeroDivisionError
        Division by the zero function (the expression is nowhere defined).
    """
    if len(env) != len(dag.inputs):
        raise CertificateRejected(f"certificate rejected: {len(dag.inputs)} inputs, {len(env)} values")
    k = len(env[0][1]) if env else 0
    zero = field.const(0)
    vals: list[Any] = []
    regions = field.region is not None and not k
    leaves: dict[int, dict[int, flint.fmpq]] = {}
    for node in dag.nodes:
        op, args = node[0], node[1:]
        charge(1e-5, "an exact node")
        if regions:
            vals.append(_region_node(field, dag, vals, leaves, op, args, env))
            continue
        if op == "exp":
            vals.append(_exp_node(field, dag, vals, leaves, args[0]))
        elif op == "var":
            vals.append(env[args[0]])
        elif op == "const":
            vals.append((field.const(args[0]), [zero] * k))
        elif op in ("pi", "E"):
            vals.append((field.atom("pi") if op == "pi" else _exp(field, [(flint.fmpq(1), field.const(1))]), [zero] * k))
        elif op == "add":
            v, d = vals[args[0]]
            for w, e in (vals[a] for a in args[1:]):
                v, d = v + w, [x + y for x, y in zip(d, e)]
            vals.append((v, d))
        elif op == "mul":
            v, d = vals[args[0]]
            for w, e in (vals[a] for a in args[1:]):
                v, d = v * w, [x * w + v * y for x, y in zip(d, e)]
            vals.append((v, d))
        elif op == "pow":
            vals.append(_pow(field, vals[args[0]], args[1]))
        elif op in _SMOOTH:
            vals.append(_unary(field, op, vals[args[0]]))
        elif k:
            raise NotExact(f"certificate rejected: the exact engine does not differentiate the non-smooth node {op!r}")
        elif op in ("true", "false", "lt", "le", "gt", "ge", "and", "or", "not"):  # a condition: a key, no value
            vals.append(((op, *(_key(field, vals[a]) for a in args)), None))
        else:  # abs, sign, max, min, heaviside (with its value at 0), piecewise: atoms of their arguments
            keys = [_key(field, vals[a]) for a in args] if op != "heaviside" else \
                [_key(field, vals[args[0]]), str(args[1])]
            vals.append((field.atom(op, *keys), []))
    return [vals[o] for o in (dag.outputs if outputs is None else outputs)]


def _linear(dag: Dag, vals: list[Any], leaves: dict[int, dict], i: int) -> list[tuple[flint.fmpq, RF]]:
    """Node ``i`` as ``sum c_j g_j`` read from the graph (sums and constant multiples), each ``g_j`` a node's value
    (iteratively, each node once; more than ``_MAX_LEAVES`` terms: the node itself)."""
    def parts(k: int) -> tuple[flint.fmpq, list[int]] | None:  # (factor, children) of a sum or a constant multiple
        op, args = dag.nodes[k][0], dag.nodes[k][1:]
        if op == "add":
            return flint.fmpq(1), list(args)
        consts = [a for a in args if dag.nodes[a][0] == "const"] if op == "mul" else []
        if op != "mul" or len(consts) != len(args) - 1:
            return None
        c = flint.fmpq(1)
        for a in consts:
            c *= dag.nodes[a][1]
        return c, [a for a in args if dag.nodes[a][0] != "const"]

    stack = [i]
    while stack:
        k = stack[-1]
        if k in leaves:
            stack.pop()
            continue
        split = parts(k)
        todo = [a for a in split[1] if a not in leaves] if split else []
        if todo:
            stack += todo
            continue
        stack.pop()
        out: dict[int, flint.fmpq] = {k: flint.fmpq(1)}
        if split is not None:
            c, children = split
            out = {}
            for a in children:
                for j, x in leaves[a].items():
                    out[j] = out.get(j, 0) + c * x
                if len(out) > _MAX_LEAVES:
                    out = {k: flint.fmpq(1)}
                    break
        leaves[k] = out
    return [(c, vals[j][0]) for j, c in leaves[i].items() if c != 0]


def _exp_node(field: Field, dag: Dag, vals: list[Any], leaves: dict[int, dict], a: int) -> Jet:
    """``exp`` of node ``a``: normalised over the sums and multiples the graph shows (see ``_exp``)."""
    g, dg = vals[a]
    val = _exp(field, _linear(dag, vals, leaves, a))
    return val, [val * x for x in dg]


# -- piecewise expressions: sign regions (MATH.md section 8) ---------------------------------------------------
class _Pending:
    """A value that depends on the sign of the selector ``key`` (a primitive polynomial), not decided in the
    current region; ``parts`` are the sign sets of the selector that decide it."""

    __slots__ = ("key", "parts")

    def __init__(self, key: str, parts: list[frozenset[int]]) -> None:
        self.key, self.parts = key, parts


_NOWHERE = object()  # a value that is undefined in the whole region (a division by the zero function there)
_CONDITION = {"lt": ((frozenset({-1}), True), (frozenset({0, 1}), False)),
              "le": ((frozenset({-1, 0}), True), (frozenset({1}), False)),
              "gt": ((frozenset({1}), True), (frozenset({-1, 0}), False)),
              "ge": ((frozenset({0, 1}), True), (frozenset({-1}), False))}


def _selector(field: Field, g: RF) -> tuple[int, str, Any] | int:
    """The sign of ``g`` as ``(s, key, p)``: ``sign g = s sign p`` with ``p`` primitive (the numerator, times the
    denominator unless that is >= 0); or the sign itself when ``g`` is constant."""
    g = _reduced(field, g)
    if g.is_const():
        v = g.const_value()
        return (v > 0) - (v < 0)
    sel = g.num
    if not g.den.is_constant() and not _nonneg(field, g.den):
        _check_product(_size(g.num), _size(g.den))
        sel = _reduce_poly(field, g.num * g.den)
    c, p = _content(sel)
    field.selectors[p.str()] = p
    return (1 if c > 0 else -1), p.str(), p


def _factors(field: Field, key: str, p: Any) -> tuple[int, list[tuple[str, int]]]:
    """``p = s * prod f_i^e_i`` with primitive irreducible ``f_i`` (registered as selectors): ``(s, [(key_i, e_i)])``."""
    if key not in field.factored:
        charge(1e-4 + 1e-5 * len(p) ** 2, "factoring a selector")
        small = len(p) <= 64 and p.total_degree() <= 16  # larger selectors are kept whole (sound, less complete)
        c, facs = p.factor() if small and (len(p) > 1 or p.total_degree() > 1) else (flint.fmpq(1), [(p, 1)])
        sign, out = 1 if c > 0 else -1, []
        for f, e in facs:
            cf, pf = _content(f)
            sign *= (1 if cf > 0 else -1) ** int(e)
            field.selectors[pf.str()] = pf
            out.append((pf.str(), int(e)))
        field.factored[key] = (sign, out)
    return field.factored[key]


def _decide(field: Field, g: RF, parts: Sequence[tuple[frozenset[int], Any]]) -> Any:
    """The value of the part (a set of signs of ``g``) that contains every sign ``g`` may have in the region,
    or ``_Pending`` with the parts that split the region. The signs of a product are those its irreducible
    factors allow (``x^2 >= 0``; ``x y`` from the signs of ``x`` and ``y``), and a split is on one factor."""
    sel = _selector(field, g)
    if isinstance(sel, int):
        return next(v for part, v in parts if sel in part)
    s, key, p = sel
    fs, facs = _factors(field, key, p)
    possible = {fs}
    for k, e in facs:
        possible = {a * b ** e for a in possible for b in field.region.get(k, _ANY)}
    have = frozenset(s * x for x in field.region.get(key, _ANY) & possible)
    for part, v in parts:
        if have <= part:
            return v
    if len(facs) > 1 or facs[0][1] > 1:
        k = next(k for k, _ in facs if len(field.region.get(k, _ANY)) > 1)
        return _Pending(k, [frozenset({b}) & field.region.get(k, _ANY) for b in (-1, 0, 1)
                            if b in field.region.get(k, _ANY)])
    return _Pending(key, [frozenset(s * x for x in part & have) for part, _ in parts if part & have])


def _value_args(op: str, args: tuple) -> tuple:
    return (args[0],) if op in ("pow", "heaviside") else () if op in ("var", "const", "pi", "E", "true", "false") \
        else args


def _region_node(field: Field, dag: Dag, vals: list[Any], leaves: dict[int, dict], op: str, args: tuple,
                 env: Sequence[Jet]) -> Any:
    """One node in the current region: non-smooth nodes and conditions take the branch the region decides."""
    refs = [vals[a] for a in _value_args(op, args)]
    if op == "piecewise":
        for a, c in zip(args[0::2], args[1::2]):
            if vals[c] is not False:
                return vals[a] if vals[c] is True else vals[c]
        return _NOWHERE
    if op in ("and", "or"):
        stop = op == "or"
        if any(v is stop for v in refs):
            return stop
        return next((v for v in refs if not isinstance(v, bool)), not stop)
    bad = next((v for v in refs if v is _NOWHERE or isinstance(v, _Pending)), None)
    if bad is not None:
        return bad
    try:
        if op == "not":
            return not refs[0]
        if op in ("true", "false"):
            return op == "true"
        if op in _CONDITION:
            return _decide(field, refs[0][0] - refs[1][0], _CONDITION[op])
        if op in ("max", "min"):
            best = refs[0]
            for v in refs[1:]:
                keep = (frozenset({0, 1}), best) if op == "min" else (frozenset({-1}), best)
                take = (frozenset({-1}), v) if op == "min" else (frozenset({0, 1}), v)
                best = _decide(field, v[0] - best[0], (take, keep))
                if isinstance(best, _Pending):
                    return best
            return best
        g = refs[0][0] if refs else None
        if op == "abs":
            return _decide(field, g, ((frozenset({0, 1}), (g, [])), (frozenset({-1}), (-g, []))))
        if op in ("sign", "heaviside"):
            at0 = field.const(0 if op == "sign" else args[1])
            return _decide(field, g, ((frozenset({1}), (field.const(1), [])), (frozenset({0}), (at0, [])),
                                      (frozenset({-1}), (field.const(-1 if op == "sign" else 0), []))))
        if op == "exp":
            return _exp_node(field, dag, vals, leaves, args[0])
        return env[args[0]] if op == "var" else _smooth_node(field, vals, op, args)
    except ZeroFunction:
        return _NOWHERE


def _smooth_node(field: Field, vals: list[Any], op: str, args: tuple) -> Jet:
    """A node of the analytic operations (values only)."""
    if op == "const":
        return field.const(args[0]), []
    if op in ("pi", "E"):
        return (field.atom("pi") if op == "pi" else _exp(field, [(flint.fmpq(1), field.const(1))])), []
    if op in ("add", "mul"):
        v = vals[args[0]][0]
        for a in args[1:]:
            v = v + vals[a][0] if op == "add" else v * vals[a][0]
        return v, []
    if op == "pow":
        return _pow(field, vals[args[0]], args[1])
    return _unary(field, op, vals[args[0]])


def _fourier_motzkin_empty(field: Field, region: dict[str, frozenset[int]]) -> bool:
    """True only if the linear constraints of the region (selectors of degree <= 1 in the variables, no atoms)
    have no common solution: Fourier-Motzkin elimination over Q, strict inequalities tracked."""
    rows: list[tuple[dict[int, flint.fmpq], flint.fmpq, bool]] = []  # sum a_j x_j + b > 0 (strict) or >= 0
    for key, signs in region.items():
        p = field.selectors.get(key)
        if p is None or p.total_degree() > 1 or any(e and j >= field.n for j, e in enumerate(p.degrees())):
            continue
        coeffs = {j: c for e, c in p.terms() for j in range(field.n) if e[j]}
        b = next((c for e, c in p.terms() if not any(e)), flint.fmpq(0))
        for sgn in (1, -1):
            allowed = frozenset(x * sgn for x in signs)
            if allowed <= frozenset({0, 1}):  # sgn * p >= 0, strict without 0
                rows.append(({j: sgn * c for j, c in coeffs.items()}, sgn * flint.fmpq(b), 0 not in allowed))
    for j in range(field.n):
        pos = [r for r in rows if r[0].get(j, 0) > 0]
        neg = [r for r in rows if r[0].get(j, 0) < 0]
        if len(pos) * len(neg) + len(rows) > 4096:
            return False
        charge(2e-6 * (len(pos) * len(neg) + len(rows)), "Fourier-Motzkin elimination")
        rows = [r for r in rows if r[0].get(j, 0) == 0]
        for (a, b, s), (c, d, t) in ((x, y) for x in pos for y in neg):
            u, w = 1 / a[j], -1 / c[j]
            coeffs = {i: u * a.get(i, 0) + w * c.get(i, 0) for i in set(a) | set(c) if i != j}
            rows.append(({i: v for i, v in coeffs.items() if v != 0}, u * b + w * d, s or t))
    return any(not r[0] and (r[1] < 0 or (r[1] == 0 and r[2])) for r in rows)


def _hyperplane(field: Field, region: dict[str, frozenset[int]]) -> tuple[int, RF] | None:
    """A substitution ``x_j = -(p - a x_j)/a`` for a selector ``p`` that is 0 in the region (linear in a free
    variable ``x_j`` with constant coefficient ``a``, the rest free of ``x_j``), or None."""
    for key, signs in region.items():
        p = field.selectors.get(key)
        if signs != frozenset({0}) or p is None or any(e and j >= field.n for j, e in enumerate(p.degrees())):
            continue
        for j in range(field.n):
            if j in field.substitution or p.degrees()[j] != 1:
                continue
            x = field.gens[j]
            a_poly = p.derivative(j)
            if a_poly.is_constant() and (p - a_poly * x).degrees()[j] <= 0:
                return j, RF(field, -(p - a_poly * x) * (1 / a_poly.leading_coefficient()))
    return None


def _assumed_region(field: Field) -> dict[str, frozenset[int]]:
    """The variables' assumptions as signs of their selectors (after the field's substitution)."""
    region: dict[str, frozenset[int]] = {}
    for i, signs in enumerate(field.signs):
        if signs != _ANY:
            sel = _selector(field, field.var(i))
            if isinstance(sel, int):
                if sel not in signs:
                    return {"": frozenset()}  # the substitution violates an assumption: an empty region
                continue
            s, key, _ = sel
            region[key] = region.get(key, _ANY) & frozenset(s * x for x in signs)
    return region


_ASSUMED_SIGNS = {"positive": {1}, "negative": {-1}, "nonnegative": {0, 1}, "nonpositive": {-1, 0}, "nonzero": {-1, 1}}


def assumed_signs(assumptions: Sequence[str]) -> frozenset[int]:
    """The signs a variable may have under its recorded assumptions (``integer`` and the like: any).

    Contradictory assumptions (``positive`` and ``negative``) allow no value, and an identity for no value claims
    nothing: they are refused (:class:`NotExact`)."""
    signs = _ANY.intersection(*(_ASSUMED_SIGNS.get(a, _ANY) for a in assumptions))
    if not signs:
        raise NotExact(f"certificate rejected: the assumptions {sorted(set(assumptions))} allow no value")
    return signs


def has_piecewise_atoms(vals: Sequence[Any]) -> bool:
    """Whether the field of the values made atoms of piecewise nodes (so sign regions may prove more)."""
    return any(isinstance(v, RF) and op in ("abs", "sign", "max", "min", "heaviside", "piecewise")
               for v in vals for op in v.field.atom_ops)


def by_regions(build: Callable[[Field], list[Any]], zero: Callable[[RF], bool]) -> Callable[[Field], int]:
    """``build`` proved zero by :func:`zero_on_regions` (a function of the field, for :func:`run`)."""
    return lambda field: zero_on_regions(field, build, zero)


def zero_on_regions(field: Field, build: Callable[[Field], list[Any]], zero: Callable[[RF], bool]) -> int:
    """Every expression ``build`` forms is ``zero`` (the caller's zero test) in every sign region of its piecewise
    nodes; returns the number of regions.

    Regions are sets of signs of selector polynomials, refined (depth first) until every piecewise node,
    ``abs``, ``sign``, ``max``, ``min``, ``heaviside`` and condition the outputs depend on takes one branch; the
    regions of a refinement cover their parent (including boundaries), so the leaves cover the whole space. In a
    leaf each expression (with the branches taken) must be identically zero, or undefined there, or the leaf
    empty (Fourier-Motzkin on its linear constraints); a leaf on a hyperplane ``p = 0`` (``p`` linear) is proved
    on the whole hyperplane by substituting for one variable.

    Raises
    ------
    NotExact
        A leaf where an expression is not proved zero (undecided; the identity may still be true).
    """
    stack: list[tuple[dict[str, frozenset[int]] | None, dict[int, RF]]] = [(None, {})]
    count = 0
    while stack:
        region, subst = stack.pop()
        count += 1
        if count > _MAX_REGIONS:
            raise NotExact(f"certificate rejected: more than {_MAX_REGIONS} sign regions")
        field.substitution, field.region = subst, {}
        field.region = _assumed_region(field) if region is None else region
        if any(not v for v in field.region.values()):
            continue
        outs = build(field)
        pending = next((v for v in outs if isinstance(v, _Pending)), None)
        if pending is not None:
            stack += [({**field.region, pending.key: part}, subst) for part in reversed(pending.parts)]
            continue
        if all(v is _NOWHERE or zero(v) for v in outs) or _fourier_motzkin_empty(field, field.region):
            continue
        plane = _hyperplane(field, field.region)
        if plane is None:
            raise NotExact("certificate rejected: not reduced to 0 in a sign region (undecided)")
        stack.append((None, {**subst, plane[0]: plane[1]}))
    field.region, field.substitution = None, {}
    return count


def _key(field: Field, jet: Jet) -> Any:
    v = jet[0]
    return _reduced(field, v).key() if isinstance(v, RF) else v


def seeds(field: Field, values: Sequence[RF], active: Sequence[int]) -> list[Jet]:
    """Inputs with derivatives: unit seeds for the inputs listed in ``active``, zero for the others."""
    zero, one = field.const(0), field.const(1)
    return [(v, [one if a == i else zero for a in active]) for i, v in enumerate(values)]


def run(names: Sequence[str], build: Callable[[Field], Any], opaque: bool = False,
        signs: Sequence[frozenset[int]] | None = None) -> Any:
    """``build(field)`` in a field over ``names`` (variables with the sign sets ``signs``), with room for more atoms
    when it runs out, and again with the larger exponent denominators that ``exp(c m)`` asked for (a run that used
    makeshift atoms for them is sound, and is repeated while restarts remain)."""
    exp_den: dict[str, int] = {}
    for attempt in range(_MAX_RESTARTS):
        last = attempt == _MAX_RESTARTS - 1
        for cap in _ATOM_CAPS:
            field = Field(names, cap, opaque, signs, exp_den)
            try:
                out = build(field)
            except _AtomsExhausted:
                if cap == _ATOM_CAPS[-1]:
                    raise
                continue
            except NotExact:
                if not field.stale or last:
                    raise
                break
            if not field.stale or last:
                return out
            break
    raise AssertionError  # pragma: no cover


# -- the expressions the kernel's rules prove zero -------------------------------------------------------------
def identity_differences(lhs: Dag, rhs: Dag) -> Callable[[Field], list[RF]]:
    """Every entry of ``lhs - rhs`` (both in the same variables), values only; in a sign region an entry may be
    pending (a branch not decided) or undefined there."""
    def build(F: Field) -> list[Any]:
        env = [(F.var(i), []) for i in range(len(lhs.inputs))]
        out = []
        for a, b in zip(jets(lhs, F, env), jets(rhs, F, env)):
            bad = next((v for v in (a, b) if v is _NOWHERE or isinstance(v, _Pending)), None)
            out.append(bad if bad is not None else a[0] - b[0])
        return out
    return build


def manifold_conditions(loss: Dag, phi: Dag, T: Sequence[int], V: Sequence[int],
                        value: flint.fmpq | None) -> Callable[[Field], list[RF]]:
    """``grad_v L(u, phi(u))`` and ``L(u, phi(u)) - value`` (or, with no value, the total derivative in u)."""
    def build(F: Field) -> list[RF]:
        u = [F.var(k) for k in range(len(T))]
        ph = jets(phi, F, seeds(F, u, [] if value is not None else list(range(len(T)))))
        zero, one = F.const(0), F.const(1)
        env: list[Any] = [None] * len(loss.inputs)
        for k, i in enumerate(T):
            env[i] = (u[k], [zero] * len(V))
        for j, i in enumerate(V):
            env[i] = (ph[j][0], [one if m == j else zero for m in range(len(V))])
        ((val, grad_v),) = jets(loss, F, env)
        if value is not None:
            return [*grad_v, val - F.const(value)]
        for k, i in enumerate(T):  # the total derivative in u: L is constant on the (connected) manifold
            env[i] = (u[k], [one if m == k else zero for m in range(len(T))])
        for j, i in enumerate(V):
            env[i] = ph[j]
        ((_, grad_u),) = jets(loss, F, env)
        return [*grad_v, *grad_u]
    return build


def invariance_conditions(loss: Dag, actions: Sequence[Dag], orbit: Dag) -> Callable[[Field], list[RF]]:
    """For each map ``g_t``: ``L(g_t theta) - L(theta)``, ``g_0 theta - theta`` and the stored orbit direction
    minus ``d/dt g_t theta`` at ``t = 0`` (the maps' inputs: the parameters, then t)."""
    n = len(loss.inputs)

    def build(F: Field) -> list[RF]:
        xs = [F.var(i) for i in range(n)]
        ((base, _),) = jets(loss, F, [(x, []) for x in xs])
        stored = jets(orbit, F, [(x, []) for x in xs])
        out = []
        for k, a in enumerate(actions):
            moved = jets(a, F, [(v, []) for v in [*xs, F.var(n)]])
            ((val, _),) = jets(loss, F, moved)
            at0 = jets(a, F, seeds(F, [*xs, F.const(0)], [n]))
            out += [val - base, *(v - x for (v, _), x in zip(at0, xs)),
                    *(d[0] - s[0] for (_, d), s in zip(at0, stored[k * n:(k + 1) * n]))]
        return out
    return build


def gradient_at(loss: Dag, point: Sequence[flint.fmpq]) -> Callable[[Field], list[RF]]:
    """Every partial derivative of ``loss`` at the rational ``point``."""
    def build(F: Field) -> list[RF]:
        ((_, grad),) = jets(loss, F, seeds(F, [F.const(x) for x in point], list(range(len(point)))))
        return grad
    return build


def slope_at(loss: Dag, point: Sequence[flint.fmpq], d: Sequence[flint.fmpq]) -> Callable[[Field], list[RF]]:
    """The slope ``<grad L(point), d>``."""
    def build(F: Field) -> list[RF]:
        s = F.const(0)
        for di, gi in zip(d, gradient_at(loss, point)(F)):
            s = s + F.const(di) * gi
        return [s]
    return build


def manifold_at(phi: Dag, tangent: Sequence[flint.fmpq], normal: Sequence[flint.fmpq]) -> Callable[[Field], list[RF]]:
    """``phi(tangent) - normal``: zero when the point lies on the manifold."""
    def build(F: Field) -> list[RF]:
        return [v - F.const(q) for (v, _), q in zip(jets(phi, F, [(F.const(x), []) for x in tangent]), normal)]
    return build


def equal_outputs(dag: Dag, pairs: Sequence[tuple[int, int]]) -> Callable[[Field], list[RF]]:
    """``out_a - out_b`` for the pairs of output positions (a constant DAG: e.g. a matrix and its transpose)."""
    def build(F: Field) -> list[RF]:
        vals = jets(dag, F, [(F.var(i), []) for i in range(len(dag.inputs))])
        return [vals[a][0] - vals[b][0] for a, b in pairs]
    return build


def curve_series(loss: Dag, curve: Dag, point: Sequence[flint.fmpq], order: int) -> list[flint.fmpq]:
    """Exact Taylor coefficients ``0..order`` of ``t -> L(theta(t))`` for a rational loss along a rational curve.

    Raises :class:`NotExact` unless the composition is a rational function of ``t`` defined at 0, and
    :class:`CertificateRejected` when the curve does not pass through ``point`` at ``t = 0``.
    """
    F = Field(["t"], 4)
    theta = jets(curve, F, [(F.var(0), [])])
    ((val, _),) = jets(loss, F, theta)
    curve_through(curve, point, F)
    if F.atoms:
        raise NotExact("certificate rejected: L(theta(t)) is not a rational function of t")
    num = {e[0]: flint.fmpq(c) for e, c in val.num.terms()}
    den = {e[0]: flint.fmpq(c) for e, c in val.den.terms()}
    d0 = den.get(0, flint.fmpq(0))
    if d0 == 0:
        raise CertificateRejected("certificate rejected: L(theta(t)) is not defined at t = 0")
    out: list[flint.fmpq] = []  # power series division num / den
    for k in range(order + 1):
        charge(1e-6 * (k + 1), "a series coefficient")
        s = num.get(k, flint.fmpq(0)) - sum((den.get(j, flint.fmpq(0)) * out[k - j] for j in range(1, k + 1)),
                                            flint.fmpq(0))
        out.append(s / d0)
    return out


def curve_through(curve: Dag, point: Sequence[flint.fmpq], field: Field | None = None) -> None:
    """Raises :class:`CertificateRejected` unless ``theta(0) = point`` exactly (``curve``: one input, ``t``)."""
    F = field if field is not None else Field(["t"], 16)
    if len(curve.outputs) != len(point) or any(not v.is_const() or v.const_value() != p
                                               for (v, _), p in zip(jets(curve, F, [(F.const(0), [])]), point)):
        raise CertificateRejected("certificate rejected: the curve does not pass through the point at t = 0")


def leading_term(coeffs: Sequence[flint.fmpq]) -> tuple[int, flint.fmpq] | None:
    """``(m, c)``: the lowest order ``m >= 1`` with a non-zero coefficient ``c``, or None."""
    return next(((m, c) for m, c in enumerate(coeffs) if m >= 1 and c != 0), None)
