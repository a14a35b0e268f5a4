"""Exact identities of stored expressions: rational functions over Q with opaque atoms.

The kernel proves identities such as ``L(u, phi(u)) == L0`` and ``grad_v L(u, phi(u)) == 0`` by
its own means, without sympy. A stored expression graph (:class:`~proofkit.kernel.dag.Dag`) is
evaluated in the field ``Q(x_1..x_n, a_1..a_k)`` of rational functions (python-flint
``fmpq_mpoly`` numerators and denominators), where every non-rational node (``exp(g)``,
``tanh(g)``, ``log(g)``, ``g^(p/q)``, ...) becomes an *atom*: a fresh indeterminate keyed by the
operation and the exact rational function of its argument. First derivatives are carried
exactly in forward mode by the chain rule (``exp(g)' = exp(g) g'``, ``tanh(g)' = (1 - tanh(g)^2) g'``,
``sin(g)' = cos(g) g'``, ...), so gradients of compositions are exact as well.

Soundness. Substituting the true values of the atoms is a ring homomorphism from the
polynomials in the variables and atoms to the real numbers; every intermediate denominator
evaluates to a non-zero number wherever the stored expression is defined (by induction over
the graph). So a numerator that is the zero polynomial proves the identity at every point
where the expressions are defined. Relations between atoms are ignored, except
``cos(g)^2 = 1 - sin(g)^2`` and ``cosh(g)^2 = 1 + sinh(g)^2``, which are used to reduce a numerator
before the zero test (a remainder modulo a polynomial that vanishes at the true values).
Ignoring a relation can only make a true identity unprovable, never a false one proved; in the
same way a :class:`Field` may treat ``1/g`` as an opaque atom when ``g`` involves atoms (the relation
``g * (1/g) = 1`` is then dropped), which keeps sigmoid-heavy identities small.
Non-smooth nodes (``abs``, ``sign``, ``max``, ``min``, ``heaviside``, ``piecewise``) are not
handled: :class:`NotExact` is raised and the caller must not claim the identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb
from typing import Any

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.dag import Dag

__all__ = ["NotExact", "Field", "RF", "exact_jets", "is_zero", "seeds", "manifold_identities", "leading_term",
           "curve_series", "gradient_zero_exactly"]


class NotExact(CertificateRejected):
    """A stored expression has a node that the exact identity engine does not handle."""


_ZERO_AT_ZERO = {"sin", "tan", "tanh", "sinh", "atan", "asin", "erf"}
_ONE_AT_ZERO = {"cos", "cosh", "exp"}
_MAX_EXPONENT = 4096
_MAX_TERMS = 200_000  # bounds on every polynomial the engine may form (checked before it is formed)
_MAX_DEGREE = 1 << 15
_MAX_BITS = 1 << 27  # total coefficient bits (terms x largest coefficient)


def _size(p: Any) -> tuple[int, tuple[int, ...], int]:
    """(terms, degree in each generator, bits of the largest numerator or denominator of a coefficient)."""
    bits = max((max(c.p.bit_length(), c.q.bit_length()) for c in p.coeffs()), default=0)
    return len(p), tuple(p.degrees()), int(bits)


def _affordable(terms: int, degs: Sequence[int], bits: int) -> None:
    est = 1
    for d in degs:
        est *= d + 1
        if est > terms:
            break
    est = min(est, terms)
    if est > _MAX_TERMS or max(degs, default=0) > _MAX_DEGREE or est * max(bits, 1) > _MAX_BITS:
        raise NotExact("certificate rejected: an expression is too large for the exact engine")


def _check_product(a: Any, b: Any) -> None:
    """Raise :class:`NotExact` unless the product ``a * b`` stays within the engine's bounds."""
    (ta, da, ba), (tb, db, bb) = _size(a), _size(b)
    _affordable(ta * tb, [x + y for x, y in zip(da, db)], ba + bb + min(ta, tb).bit_length())


def _check_power(a: Any, k: int) -> None:
    """Raise :class:`NotExact` unless ``a ** k`` stays within the engine's bounds."""
    t, d, b = _size(a)
    terms = 1 if t <= 1 else comb(t + k - 1, k) if k < 64 or t < 64 else _MAX_TERMS + 1
    _affordable(terms, [x * k for x in d], k * (b + t.bit_length()))


class RF:
    """A rational function ``num / den`` of a :class:`Field` (``den`` non-zero, reduced, leading coefficient 1)."""

    __slots__ = ("num", "den", "field")

    def __init__(self, field: Field, num: Any, den: Any = None, reduce: bool = True) -> None:
        self.field = field
        one = field.ctx.from_dict({}) + 1
        den = one if den is None else den
        if den.is_zero():
            raise ZeroDivisionError("zero denominator")
        if reduce and not den.is_constant():
            g = num.gcd(den)
            if not g.is_one():
                num, den = num / g, den / g
        lc = den.leading_coefficient()
        if lc != 1:
            num, den = num * (1 / lc), den * (1 / lc)
        self.num, self.den = num, den

    def is_zero(self) -> bool:
        return self.num.is_zero()

    def is_const(self) -> bool:
        return self.num.is_constant() and self.den.is_constant()

    def const_value(self) -> flint.fmpq:
        return flint.fmpq(self.num.leading_coefficient() if not self.num.is_zero() else 0)

    def key(self) -> tuple[str, str]:
        return (self.num.str(), self.den.str())

    def __add__(self, o: RF) -> RF:
        if self.den == o.den:
            return RF(self.field, self.num + o.num, self.den)
        _check_product(self.num, o.den)
        _check_product(o.num, self.den)
        _check_product(self.den, o.den)
        return RF(self.field, self.num * o.den + o.num * self.den, self.den * o.den)

    def __neg__(self) -> RF:
        return RF(self.field, -self.num, self.den, reduce=False)

    def __sub__(self, o: RF) -> RF:
        return self + (-o)

    def __mul__(self, o: RF) -> RF:
        _check_product(self.num, o.num)
        _check_product(self.den, o.den)
        return RF(self.field, self.num * o.num, self.den * o.den)

    def inv(self) -> RF:
        if self.num.is_zero():
            raise ZeroDivisionError("inverse of the zero function")
        return RF(self.field, self.den, self.num, reduce=False)

    def __truediv__(self, o: RF) -> RF:
        return self * o.inv()

    def pow_int(self, k: int) -> RF:
        if abs(k) > _MAX_EXPONENT:
            raise NotExact(f"certificate rejected: exponent {k} too large for exact expansion")
        base = self if k >= 0 else self.inv()
        _check_power(base.num, abs(k))
        _check_power(base.den, abs(k))
        return RF(self.field, base.num ** abs(k), base.den ** abs(k), reduce=False)


class Field:
    """``Q(x_1..x_n, a_1..a_k)``: the variables of a computation and room for ``max_atoms`` atoms."""

    def __init__(self, names: Sequence[str], max_atoms: int = 64, opaque_reciprocals: bool = False) -> None:
        self.n = len(names)
        self.opaque = opaque_reciprocals
        self.max_atoms = max_atoms
        gens = [f"v{i}" for i in range(self.n)] + [f"a{j}" for j in range(max_atoms)]
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(gens), "degrevlex")
        self.gens = self.ctx.gens()
        self.atoms: dict[tuple[Any, ...], int] = {}
        self.atom_ops: list[str] = []
        self.pairs: list[tuple[int, int, int]] = []  # (index of cos-like atom, index of sin-like atom, sign)

    def const(self, q: Any) -> RF:
        return RF(self, self.ctx.from_dict({}) + flint.fmpq(q))

    def opaque_inverse(self, f: RF) -> bool:
        """Whether ``1/f`` becomes an atom: ``f`` involves atoms, none of them itself a reciprocal."""
        used = {j for d in (f.num.degrees(), f.den.degrees()) for j, e in enumerate(d[self.n:]) if e}
        return self.opaque and bool(used) and not any(self.atom_ops[j] == "pow:-1" for j in used)

    def var(self, i: int) -> RF:
        return RF(self, self.gens[i])

    def atom(self, op: str, arg: RF) -> RF:
        if self.pairs:  # equal arguments modulo cos^2 + sin^2 = 1 give the same atom
            arg = RF(self, _reduce_pairs(self, arg.num), _reduce_pairs(self, arg.den))
        key = (op, *arg.key())
        if key not in self.atoms:
            if len(self.atoms) >= self.max_atoms:
                raise NotExact("certificate rejected: too many transcendental atoms for the exact engine")
            self.atoms[key] = len(self.atoms)
            self.atom_ops.append(op)
            for cos_like, sin_like, sign in (("cos", "sin", -1), ("cosh", "sinh", 1)):
                if op in (cos_like, sin_like):
                    other = (sin_like if op == cos_like else cos_like, *arg.key())
                    if other in self.atoms:
                        c, s = (self.atoms[key], self.atoms[other]) if op == cos_like else \
                            (self.atoms[other], self.atoms[key])
                        self.pairs.append((c, s, sign))
        return RF(self, self.gens[self.n + self.atoms[key]])


def _reduce_pairs(field: Field, num: Any) -> Any:
    """Reduce ``num`` modulo ``C^2 - 1 - sign S^2`` for each (cos, sin)-like atom pair (C^2 -> 1 + sign S^2)."""
    for c, s, sign in field.pairs:
        ci, si = field.n + c, field.n + s
        S2 = field.gens[si] ** 2
        repl = field.ctx.from_dict({}) + 1 + sign * S2
        out = field.ctx.from_dict({})
        for exps, coeff in num.terms():
            e = list(exps)
            k, e[ci] = divmod(e[ci], 2)
            mono = field.ctx.from_dict({tuple(e): coeff})
            out = out + (mono * repl ** k if k else mono)
        num = out
    return num


def is_zero(f: RF) -> bool:
    """True only if ``f`` is proven to vanish wherever it is defined."""
    return f.num.is_zero() or _reduce_pairs(f.field, f.num).is_zero()


Jet1 = tuple  # (value: RF, derivatives: list[RF])


def _unary(field: Field, op: str, u: Jet1) -> Jet1:
    g, dg = u
    if g.is_const() and g.const_value() == 0 and op in _ZERO_AT_ZERO | _ONE_AT_ZERO:
        val = field.const(0 if op in _ZERO_AT_ZERO else 1)
    elif g.is_const() and g.const_value() == 1 and op == "log":
        val = field.const(0)
    else:
        val = field.atom(op, g)
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
        r = field.atom("pow:-1/2", one - g * g)
        d = r if op == "asin" else -r
    elif op == "erf":
        d = field.const(2) * field.atom("pow:-1/2", field.atom("pi", field.const(0))) * \
            field.atom("exp", -(g * g))
    else:
        raise NotExact(f"certificate rejected: the exact engine does not handle {op}")
    return val, [d * x for x in dg]


def _pow(field: Field, u: Jet1, p: flint.fmpq) -> Jet1:
    g, dg = u
    if p.q == 1 and p < 0 and field.opaque_inverse(g):
        inv = field.atom("pow:-1", g)  # 1/g as an opaque atom: cheaper, and sound (a relation is dropped)
        val = inv.pow_int(-int(p.p))
        d = field.const(p) * val * inv
        return val, [d * x for x in dg]
    if p.q == 1:
        k = int(p.p)
        val = g.pow_int(k)
        d = field.const(k) * g.pow_int(k - 1) if k != 0 else field.const(0)
        return val, [d * x for x in dg]
    if abs(p.p) > _MAX_EXPONENT or p.q > _MAX_EXPONENT:
        raise NotExact(f"certificate rejected: exponent {p} too large")
    val = field.atom(f"pow:{p}", g)
    d = field.const(p) * val / g
    return val, [d * x for x in dg]


def exact_jets(dag: Dag, field: Field, env: Sequence[Jet1]) -> list[Jet1]:
    """Evaluate every output of ``dag`` exactly with first derivatives (forward mode).

    Parameters
    ----------
    dag : Dag
    field : Field
    env : sequence of (RF, list of RF)
        For each input of the graph: its value and its derivatives with respect to the seeds.

    Raises
    ------
    NotExact
        A non-smooth node, or too many atoms.
    ZeroDivisionError
        Division by the zero function (the expression is nowhere defined).
    """
    if len(env) != len(dag.inputs):
        raise CertificateRejected(f"certificate rejected: {len(dag.inputs)} inputs, {len(env)} values")
    k = len(env[0][1]) if env else 0
    zero = field.const(0)
    vals: list[Any] = []
    for node in dag.nodes:
        op = node[0]
        if op == "var":
            vals.append(env[node[1]])
        elif op == "const":
            vals.append((field.const(node[1]), [zero] * k))
        elif op in ("pi", "E"):
            atom = field.atom("pi", zero) if op == "pi" else field.atom("exp", field.const(1))
            vals.append((atom, [zero] * k))
        elif op == "add":
            args = [vals[a] for a in node[1:]]
            v, d = args[0]
            for w, e in args[1:]:
                v, d = v + w, [x + y for x, y in zip(d, e)]
            vals.append((v, d))
        elif op == "mul":
            args = [vals[a] for a in node[1:]]
            v, d = args[0]
            for w, e in args[1:]:
                v, d = v * w, [x * w + v * y for x, y in zip(d, e)]
            vals.append((v, d))
        elif op == "pow":
            vals.append(_pow(field, vals[node[1]], node[2]))
        elif op in ("exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "erf"):
            vals.append(_unary(field, op, vals[node[1]]))
        else:
            raise NotExact(f"certificate rejected: the exact engine does not handle the non-smooth node {op!r}")
    return [vals[o] for o in dag.outputs]


def seeds(field: Field, values: Sequence[RF], active: Sequence[int]) -> list[Jet1]:
    """Inputs with derivatives: unit seeds for the inputs listed in ``active``, zero for the others."""
    zero, one = field.const(0), field.const(1)
    return [(v, [one if a == i else zero for a in active]) for i, v in enumerate(values)]


def _manifold_once(loss: Dag, phi: Dag, T: Sequence[int], V: Sequence[int], value: flint.fmpq | None,
                   opaque: bool) -> None:
    names = [loss.inputs[i] for i in T]
    F = Field(names, 256, opaque_reciprocals=opaque)
    u = [F.var(k) for k in range(len(T))]
    ph = exact_jets(phi, F, seeds(F, u, [] if value is not None else list(range(len(T)))))
    env: list[Any] = [None] * len(loss.inputs)
    zero, one = F.const(0), F.const(1)
    for k, i in enumerate(T):
        env[i] = (u[k], [zero] * len(V))
    for j, i in enumerate(V):
        env[i] = (ph[j][0], [one if m == j else zero for m in range(len(V))])
    (val, grad_v), = exact_jets(loss, F, env)
    if not all(is_zero(g) for g in grad_v):
        raise CertificateRejected("certificate rejected: grad_v L(u, phi(u)) is not identically 0")
    if value is not None:
        if not is_zero(val - F.const(value)):
            raise CertificateRejected("certificate rejected: L(u, phi(u)) is not identically the recorded value")
        return
    for k, i in enumerate(T):  # the total derivative in u: L is constant on the (connected) manifold
        env[i] = (u[k], [one if m == k else zero for m in range(len(T))])
    for j, i in enumerate(V):
        env[i] = ph[j]
    (val, grad_u), = exact_jets(loss, F, env)
    if not all(is_zero(g) for g in grad_u):
        raise CertificateRejected("certificate rejected: L(u, phi(u)) is not identically constant")


def manifold_identities(loss: Dag, phi: Dag, T: Sequence[int], V: Sequence[int], value: flint.fmpq | None) -> None:
    """Prove ``grad_v L(u, phi(u)) = 0`` and ``L(u, phi(u)) = value`` (or constant, when ``value`` is None).

    ``T`` and ``V`` are the indices of the tangent and normal inputs of ``loss``; ``phi`` maps the
    tangent inputs to the normal ones. Tried first with opaque reciprocals (small), then exactly.

    Raises
    ------
    CertificateRejected
        When an identity is not proved (false, or beyond this engine).
    """
    try:
        _manifold_once(loss, phi, T, V, value, True)
    except CertificateRejected:
        _manifold_once(loss, phi, T, V, value, False)


def leading_term(coeffs: Sequence[flint.fmpq]) -> tuple[int, flint.fmpq] | None:
    """``(m, c)``: the lowest order ``m >= 1`` with a non-zero coefficient ``c``, or None."""
    for m, c in enumerate(coeffs):
        if m >= 1 and c != 0:
            return m, c
    return None


def curve_series(loss: Dag, curve: Dag, point: Sequence[flint.fmpq], order: int) -> list[flint.fmpq]:
    """Exact Taylor coefficients ``0..order`` of ``t -> L(theta(t))`` for a rational loss and a rational curve.

    Raises :class:`CertificateRejected` when the curve does not pass through ``point`` at ``t = 0``
    or when the composition is not a rational function of ``t`` defined at 0 (then the exact
    expansion does not apply).
    """
    F = Field(["t"], 8)
    theta = exact_jets(curve, F, seeds(F, [F.var(0)], []))
    (val, _), = exact_jets(loss, F, theta)
    at0 = Field([], 8)
    theta0 = exact_jets(curve, at0, seeds(at0, [at0.const(0)], []))
    if any(not v.is_const() or v.const_value() != p for (v, _), p in zip(theta0, point)):
        raise CertificateRejected("certificate rejected: the curve does not pass through the point at t = 0")
    if F.atoms:
        raise NotExact("certificate rejected: L(theta(t)) is not a rational function of t")
    num = {e[0]: flint.fmpq(c) for e, c in val.num.terms()}
    den = {e[0]: flint.fmpq(c) for e, c in val.den.terms()}
    d0 = den.get(0, flint.fmpq(0))
    if d0 == 0:
        raise CertificateRejected("certificate rejected: L(theta(t)) is not defined at t = 0")
    out: list[flint.fmpq] = []  # power series division num / den
    for k in range(order + 1):
        s = num.get(k, flint.fmpq(0)) - sum((den.get(j, flint.fmpq(0)) * out[k - j] for j in range(1, k + 1)),
                                            flint.fmpq(0))
        out.append(s / d0)
    return out


def gradient_zero_exactly(loss: Dag, point: list[flint.fmpq]) -> bool:
    """True only if every partial derivative of ``loss`` vanishes exactly at the rational ``point``."""
    F = Field([], 64)
    (_, grad), = exact_jets(loss, F, seeds(F, [F.const(x) for x in point], list(range(len(point)))))
    return all(is_zero(g) for g in grad)
