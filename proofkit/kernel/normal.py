"""Proof of identities by expansion: a normal form of stored expressions as polynomials in atoms.

Each DAG node is rewritten as a polynomial with exact rational coefficients in
*atoms*: the variables, pi, E, and every other sub-term (``exp(u)``, ``abs(u)``,
``u^p`` for a non-monomial u, ...) whose arguments are themselves in normal form.
Products are expanded, integer powers multiplied out and equal monomials
combined. Every step is an identity wherever both sides are defined, so two
expressions with the same normal form agree wherever both are defined. Different
normal forms prove nothing (the kernel then rejects a ``certified`` identity).
"""

from __future__ import annotations

import flint

from proofkit.errors import CertificateRejected
from proofkit.kernel.dag import Dag

__all__ = ["Normaliser"]

MAX_TERMS = 50_000
MAX_EXPONENT = 4096  # the evaluator's bound too: larger exponents are never re-checked
MAX_COEFF_BITS = 1 << 20  # largest numerator or denominator of a coefficient
MAX_TOTAL_BITS = 1 << 26


def _bits(p: dict) -> int:
    return max((max(c.p.bit_length(), c.q.bit_length()) for c in p.values()), default=0)


def _too_large() -> CertificateRejected:
    return CertificateRejected("certificate rejected: an identity is too large to expand")
Mono = tuple  # (((atom id, exponent fmpq), ...) sorted by atom id, normal form P of a factor exp(P) or ())


def _poly_add(a: dict, b: dict, scale: flint.fmpq | int = 1) -> dict:
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + scale * c
        if v == 0:
            out.pop(m, None)
        else:
            out[m] = v
    return out


def _key(p: dict) -> tuple:
    return tuple(sorted(p.items()))


def _mono_mul(a: Mono, b: Mono) -> Mono:
    d = dict(a[0])
    for k, e in b[0]:
        d[k] = d.get(k, 0) + e
    exp = _key(_poly_add(dict(a[1]), dict(b[1]))) if a[1] and b[1] else (a[1] or b[1])
    return tuple(sorted((k, e) for k, e in d.items() if e != 0)), exp


def _mono_pow(m: Mono, p: flint.fmpq) -> Mono:
    return tuple((i, e * p) for i, e in m[0]), _key({k: c * p for k, c in m[1]}) if m[1] else ()


class Normaliser:
    """Normal forms of the outputs of several DAGs, with atoms shared between them."""

    def __init__(self) -> None:
        self.atoms: dict[tuple, int] = {}

    def _atom(self, key: tuple, p: flint.fmpq | int = 1) -> dict:
        i = self.atoms.setdefault(key, len(self.atoms))
        return {(((i, flint.fmpq(p)),), ()): flint.fmpq(1)}

    @staticmethod
    def _key(p: dict) -> tuple:
        return _key(p)

    @staticmethod
    def _check(p: dict) -> dict:
        if len(p) > MAX_TERMS or len(p) * _bits(p) > MAX_TOTAL_BITS:
            raise _too_large()
        return p

    def _add(self, ps: list[dict]) -> dict:
        out: dict = {}
        for p in ps:
            out = _poly_add(out, p)
        return self._check(out)

    def _mul(self, a: dict, b: dict) -> dict:
        if len(a) * len(b) > MAX_TERMS * 4 or _bits(a) + _bits(b) > MAX_COEFF_BITS:
            raise _too_large()
        out: dict = {}
        for ma, ca in a.items():
            for mb, cb in b.items():
                m = _mono_mul(ma, mb)
                v = out.get(m, 0) + ca * cb
                if v == 0:
                    out.pop(m, None)
                else:
                    out[m] = v
        return self._check(out)

    def _pow(self, a: dict, p: flint.fmpq) -> dict:
        if abs(p.p) > MAX_EXPONENT or p.q > MAX_EXPONENT or (p.q == 1 and abs(int(p.p)) * _bits(a) > MAX_COEFF_BITS):
            raise _too_large()
        if not a:  # 0^p
            return {} if p > 0 else ({((), ()): flint.fmpq(1)} if p == 0 else self._atom(("undefined", p)))
        if len(a) == 1:
            ((m, c),) = a.items()
            if p.q == 1:  # (c m)^k = c^k m^k for integers k
                return {_mono_pow(m, p): c ** int(p.p)}
            if c == 1 and ((len(m[0]) == 1 and m[0][0][1] == 1 and not m[1]) or not m[0]):
                return {_mono_pow(m, p): flint.fmpq(1)}  # x^p for an atom x; exp(P)^p = exp(p P)
        if p.q == 1 and 0 <= p.p <= 64:
            out = {((), ()): flint.fmpq(1)}
            for _ in range(int(p.p)):
                out = self._mul(out, a)
            return out
        return self._atom(("pow", self._key(a)), p)

    def normal_forms(self, dag: Dag) -> list[dict]:
        """The normal form of every output of ``dag`` (its inputs are atoms named by position)."""
        vals: list = []
        for node in dag.nodes:
            op, args = node[0], node[1:]
            if op == "const":
                vals.append({((), ()): args[0]} if args[0] != 0 else {})
            elif op == "var":
                vals.append(self._atom(("var", args[0])))
            elif op == "E":  # E = exp(1)
                vals.append({((), _key({((), ()): flint.fmpq(1)})): flint.fmpq(1)})
            elif op == "exp":  # exp(P) is a factor of the monomial: exp(P) exp(Q) = exp(P + Q)
                vals.append({((), self._key(vals[args[0]])): flint.fmpq(1)} if vals[args[0]] else
                            {((), ()): flint.fmpq(1)})
            elif op in ("pi", "true", "false"):
                vals.append(self._atom((op,)))
            elif op == "add":
                vals.append(self._add([vals[a] for a in args]))
            elif op == "mul":
                acc = vals[args[0]]
                for a in args[1:]:
                    acc = self._mul(acc, vals[a])
                vals.append(acc)
            elif op == "pow":
                vals.append(self._pow(vals[args[0]], args[1]))
            else:  # every other op: an atom of the normal forms of its arguments
                vals.append(self._atom((op, *(self._key(vals[a]) if type(a) is int else a for a in args))))
        return [vals[o] for o in dag.outputs]
