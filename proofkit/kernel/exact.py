"""The kernel's one exact engine: stored expressions as rational functions over Q with opaque atoms.

A stored expression graph (:class:`~proofkit.kernel.dag.Dag`) is evaluated once per node (linear in the
size of the graph: shared nodes are computed once) in the field ``Q(x_1..x_n, a_1..a_k)`` of rational
functions (python-flint ``fmpq_mpoly`` numerators and denominators), where every non-rational node
becomes an *atom*: a fresh indeterminate keyed by the operation and the exact value of its arguments
(``tanh(g)``, ``log(g)``, ``abs(g)``, ``max(g, h)``, a piecewise node with its conditions, ...). First
derivatives are carried in forward mode by the chain rule when asked for (non-smooth nodes then refuse).

Normal forms that make more identities provable, each true wherever the expressions are defined:

* ``exp(c0 + sum_k c_k m_k)`` (a polynomial argument, monomials ``m_k``) is ``exp(c0) prod_k exp(m_k)^(c_k)``
  when the ``c_k`` are small integers, so ``exp(x) exp(y) = exp(x + y)`` and ``exp(-x) = 1/exp(x)``; ``E`` is
  ``exp(1)``;
* ``g^(p/q)`` is ``r^p`` with the atom ``r = g^(1/q)`` and, for a polynomial ``g``, the relation ``r^q = g``
  (``sqrt(x)^2 = x``); ``cos(g)^2 = 1 - sin(g)^2`` and ``cosh(g)^2 = 1 + sinh(g)^2``. Numerators are reduced
  by these relations (each holds at the true values of the atoms) before a zero test and before an atom is
  keyed.

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

__all__ = ["NotExact", "Field", "RF", "jets", "is_zero", "seeds", "run", "identity_differences",
           "manifold_conditions", "invariance_conditions", "gradient_at", "slope_at", "manifold_at",
           "equal_outputs", "curve_series", "leading_term"]


class NotExact(CertificateRejected):
    """A stored expression is beyond the exact engine (a node it does not handle, or too large)."""


class _AtomsExhausted(NotExact):
    pass


_SMOOTH = ("exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "asin", "acos", "erf")
_ZERO_AT_ZERO = {"sin", "tan", "tanh", "sinh", "atan", "asin", "erf"}
_ONE_AT_ZERO = {"cos", "cosh", "exp"}
_MAX_EXPONENT = 4096
_MAX_SPLIT = 64  # exp(c m) with an integer |c| up to this is exp(m)^c
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
            raise ZeroDivisionError("zero denominator")
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
            raise ZeroDivisionError("inverse of the zero function")
        return RF(self.field, self.den, self.num, reduce=False)

    def __truediv__(self, o: RF) -> RF:
        return self * o.inv()

    def pow_int(self, k: int) -> RF:
        if abs(k) > _MAX_EXPONENT:
            raise NotExact(f"certificate rejected: exponent {k} too large for exact expansion")
        base = self if k >= 0 else self.inv()
        sn, sd = base.sizes()
        _check_power(sn, abs(k))
        _check_power(sd, abs(k))
        return RF(self.field, base.num ** abs(k), base.den ** abs(k), reduce=False)


class Field:
    """``Q(x_1..x_n, a_1..a_k)``: the variables of a computation and room for ``max_atoms`` atoms."""

    def __init__(self, names: Sequence[str], max_atoms: int = 16, opaque_reciprocals: bool = False) -> None:
        self.n, self.opaque, self.max_atoms = len(names), opaque_reciprocals, max_atoms
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(f"v{i}" for i in range(self.n + max_atoms)), "degrevlex")
        self.gens = self.ctx.gens()
        self.one = self.ctx.from_dict({}) + 1
        self.atoms: dict[tuple[Any, ...], int] = {}
        self.atom_ops: list[str] = []
        self.relations: list[tuple[int, int, Any]] = []  # (generator, q, polynomial g): generator^q = g

    def const(self, q: Any) -> RF:
        return RF(self, self.one * flint.fmpq(q))

    def var(self, i: int) -> RF:
        return RF(self, self.gens[i])

    def uses_atoms(self, f: RF) -> set[int]:
        return {j for d in (f.num.degrees(), f.den.degrees()) for j, e in enumerate(d[self.n:]) if e}

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


def _exp(field: Field, g: RF) -> RF:
    """``exp(g)`` split over the terms of a polynomial ``g`` (small integer multiples of monomials as powers)."""
    if not g.den.is_constant():
        return field.atom("exp", g)
    g = _reduced(field, g)
    out, rest = field.const(1), field.ctx.from_dict({})
    for exps, c in (g.num * (1 / g.den.leading_coefficient())).terms():
        mono = field.ctx.from_dict({exps: 1})
        if any(exps) and c.q == 1 and abs(c.p) <= _MAX_SPLIT:
            out = out * field.atom("exp", RF(field, mono)).pow_int(int(c.p))
        else:
            rest = rest + field.ctx.from_dict({exps: c})
    return out if rest.is_zero() else out * field.atom("exp", RF(field, rest))


def _unary(field: Field, op: str, u: Jet) -> Jet:
    g, dg = u
    if g.is_const() and g.const_value() == 0 and op in _ZERO_AT_ZERO | _ONE_AT_ZERO:
        val = field.const(0 if op in _ZERO_AT_ZERO else 1)
    elif g.is_const() and g.const_value() == 1 and op == "log":
        val = field.const(0)
    else:
        val = _exp(field, g) if op == "exp" else field.atom(op, g)
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
        d = field.const(2) * field.atom("root:2", field.atom("pi")).inv() * _exp(field, -(g * g))
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
    if abs(p.p) > _MAX_EXPONENT or p.q > _MAX_EXPONENT:
        raise NotExact(f"certificate rejected: exponent {p} too large")
    val = field.atom(f"root:{int(p.q)}", g).pow_int(int(p.p))
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
    for node in dag.nodes:
        op, args = node[0], node[1:]
        charge(1e-5, "an exact node")
        if op == "var":
            vals.append(env[args[0]])
        elif op == "const":
            vals.append((field.const(args[0]), [zero] * k))
        elif op in ("pi", "E"):
            vals.append((field.atom("pi") if op == "pi" else _exp(field, field.const(1)), [zero] * k))
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


def _key(field: Field, jet: Jet) -> Any:
    v = jet[0]
    return _reduced(field, v).key() if isinstance(v, RF) else v


def seeds(field: Field, values: Sequence[RF], active: Sequence[int]) -> list[Jet]:
    """Inputs with derivatives: unit seeds for the inputs listed in ``active``, zero for the others."""
    zero, one = field.const(0), field.const(1)
    return [(v, [one if a == i else zero for a in active]) for i, v in enumerate(values)]


def run(names: Sequence[str], build: Callable[[Field], list[RF]], opaque: bool = False) -> list[RF]:
    """``build(field)`` in a field over ``names``, with room for more atoms when it runs out."""
    for cap in _ATOM_CAPS:
        try:
            return build(Field(names, cap, opaque))
        except _AtomsExhausted:
            if cap == _ATOM_CAPS[-1]:
                raise
    raise AssertionError  # pragma: no cover


# -- the expressions the kernel's rules prove zero -------------------------------------------------------------
def identity_differences(lhs: Dag, rhs: Dag) -> Callable[[Field], list[RF]]:
    """Every entry of ``lhs - rhs`` (both in the same variables), values only."""
    def build(F: Field) -> list[RF]:
        env = [(F.var(i), []) for i in range(len(lhs.inputs))]
        return [a - b for (a, _), (b, _) in zip(jets(lhs, F, env), jets(rhs, F, env))]
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
    if any(not v.is_const() or v.const_value() != p
           for (v, _), p in zip(jets(curve, F, [(F.const(0), [])]), point)):
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
        charge(1e-6 * (k + 1), "a series coefficient")
        s = num.get(k, flint.fmpq(0)) - sum((den.get(j, flint.fmpq(0)) * out[k - j] for j in range(1, k + 1)),
                                            flint.fmpq(0))
        out.append(s / d0)
    return out


def leading_term(coeffs: Sequence[flint.fmpq]) -> tuple[int, flint.fmpq] | None:
    """``(m, c)``: the lowest order ``m >= 1`` with a non-zero coefficient ``c``, or None."""
    return next(((m, c) for m, c in enumerate(coeffs) if m >= 1 and c != 0), None)
