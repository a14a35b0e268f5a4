"""An independent exact oracle for certificate statements (uses no kernel code).

:func:`statement_holds` reads a certificate's JSON with the standard library, exact
``Fraction`` arithmetic and sympy, and says whether everything the certificate states is
true: the verdict on the claim, the claim fields (as given by the inputs), every number,
witness and enclosure in the evidence, and that no text claims more (``reason`` is null). It answers ``True``, ``False``,
or ``None`` when it cannot decide exactly (inputs outside its fragment: enclosure matrices,
analytic claims in more than one variable or with a non-polynomial expression).

The fragment is what the kernel mutation fuzzer (``benchmarks/fuzz_kernel.py``) needs:
exact matrices, identities of rational functions, ReLU regions, and one-variable
polynomial losses for critical points and strict (possibly spurious) minima, whose critical points
are isolated exactly by sympy's real-root isolation. Identities with transcendental
functions (which mutants of stored expressions produce) are judged by ``sympy.simplify``
(certified) or an 80-digit evaluation at the rational witness (refuted): the only place
the oracle is not exact; it answers ``None`` when these do not settle the question.
"""

from __future__ import annotations

import base64
import re
import struct
import sys
from fractions import Fraction
from typing import Any

import sympy

__all__ = ["statement_holds", "dag_to_sympy"]

_DYADIC = re.compile(r"(-?[0-9]+)\*2\^(-?[0-9]+)")
_Q = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")


class Undecided(Exception):
    pass


def _q(s: Any) -> Fraction:
    if not isinstance(s, str) or not _Q.fullmatch(s):
        raise ValueError(s)
    q = Fraction(s)
    if (str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}") != s:
        raise ValueError(s)
    return q


def _ball(d: Any) -> tuple[Fraction, Fraction]:
    """A stated ball as exact (lo, hi); its text is not judged here beyond being a string."""
    if not isinstance(d, dict) or set(d) != {"mid", "rad", "text"}:
        raise ValueError(d)
    vals = []
    for key in ("mid", "rad"):
        m = _DYADIC.fullmatch(d[key])
        if m is None:
            raise ValueError(d)
        e = int(m.group(2))
        vals.append(Fraction(int(m.group(1))) * (Fraction(2) ** e))
    mid, rad = vals
    if rad < 0:
        raise ValueError(d)
    return mid - rad, mid + rad


def _in(x: Any, ball: tuple[Fraction, Fraction]) -> bool:
    lo, hi = ball
    return bool(sympy.Rational(lo.numerator, lo.denominator) <= x <= sympy.Rational(hi.numerator, hi.denominator))


def _matrix(rec: Any) -> list[list[Fraction]]:
    if rec["kind"] == "rational":
        return [[_q(x) for x in row] for row in rec["entries"]]
    if rec["kind"] == "float64":
        m, n = rec["shape"]
        raw = base64.b64decode(rec["entries"], validate=True)
        vals = struct.unpack(f"<{m * n}d", raw)
        return [[Fraction(v) for v in vals[i * n:(i + 1) * n]] for i in range(m)]
    raise Undecided("enclosure matrices")


def _S(A: list[list[Fraction]]) -> sympy.Matrix:
    return sympy.Matrix([[sympy.Rational(x.numerator, x.denominator) for x in r] for r in A])


def _det_mod(A: list[list[Fraction]], p: int, scaling: str) -> int:
    rows = []
    for r in A:
        if scaling == "pow2":  # float64 entries m 2^e (53-bit m): the row times 2^(-min e)
            es = [_frexp_e(x) for x in r if x != 0]
            ints = [int(x * Fraction(2) ** (-min(es) if es else 0)) for x in r]
        else:
            den = 1
            for x in r:
                den = den * x.denominator // _gcd(den, x.denominator)
            ints = [int(x * den) for x in r]
        rows.append([v % p for v in ints])
    return int(sympy.Matrix(rows).det(method="bareiss") % p)


def _frexp_e(x: Fraction) -> int:
    """The exponent e of a float64 value written m 2^e with a 53-bit integer m (numpy.frexp convention)."""
    import math

    _, E = math.frexp(float(x))
    return E - 53


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _rank(A: list[list[Fraction]]) -> int:
    return _S(A).rank(simplify=True)


def _ldl(A: list[list[Fraction]]) -> list[Fraction]:
    n = len(A)
    a = [row[:] for row in A]
    piv = []
    for k in range(n):
        p = a[k][k]
        piv.append(p)
        if p <= 0:
            break
        for i in range(k + 1, n):
            f = a[i][k] / p
            for j in range(k + 1, n):
                a[i][j] -= f * a[k][j]
    return piv


def _form(A: list[list[Fraction]], v: list[Fraction]) -> Fraction:
    return sum((v[i] * A[i][j] * v[j] for i in range(len(v)) for j in range(len(v))), Fraction(0))


def _check_kernel_vectors(A: list[list[Fraction]], vecs: list[list[str]], rank: int) -> bool:
    n = len(A[0])
    V = [[_q(x) for x in v] for v in vecs]
    if len(V) != n - rank or any(len(v) != n for v in V):
        return False
    if V and _rank([list(col) for col in V]) != len(V):
        return False
    return all(sum(r[j] * v[j] for j in range(n)) == 0 for v in V for r in A)


def _matrix_claim(c: dict[str, Any]) -> bool:
    t, v, ev, inp = c["claim"]["type"], c["verdict"], c["evidence"], c["inputs"]
    A = _matrix(inp["A"])
    m, n = len(A), len(A[0])
    if list(inp["A"]["shape"]) != [m, n]:
        return False
    claim = c["claim"]
    if t in ("nonsingular", "positive_definite", "indefinite", "det_sign", "eigenvalues"):
        if m != n or claim.get("n") != n or type(claim.get("n")) is not int:
            return False
    S = _S(A)
    det = S.det() if m == n else None
    if t == "nonsingular":
        if set(claim) != {"type", "n"}:
            return False
        if "prime" in ev and _det_mod(A, int(_q(ev["prime"])), ev.get("scaling", "lcm")) != int(_q(ev["det_mod_p"])):
            return False
        if v == "refuted" and ev.get("rank") != _rank(A):
            return False
        return (det != 0) == (v == "certified")
    if t == "rank_at_least":
        r = inp["r"]
        if claim != {"type": t, "r": r, "shape": [m, n]} or type(r) is not int:
            return False
        if v == "certified":
            rows, cols = ev["rows"], ev["cols"]
            if len(rows) != r or len(cols) != r or len(set(rows)) != r or len(set(cols)) != r:
                return False
            if any(not 0 <= i < m for i in rows) or any(not 0 <= j < n for j in cols):
                return False
            return _S([[A[i][j] for j in cols] for i in rows]).det() != 0
        return _rank(A) < r and ev["rank"] == _rank(A)
    if t in ("exact_rank", "rank_deficient"):
        rank = _rank(A)
        if ev["rank"] != rank or ("kernel" in ev and not _check_kernel_vectors(A, ev["kernel"], rank)):
            return False
        if t == "exact_rank":
            return claim == {"type": t, "rank": rank, "shape": [m, n]} and v == "certified"
        return claim == {"type": t, "shape": [m, n]} and (rank < min(m, n)) == (v == "certified")
    if t == "det_sign":
        sign = int(bool(det > 0)) - int(bool(det < 0))
        if claim != {"type": t, "sign": sign, "n": n} or v != "certified":
            return False
        return "det_exact" not in ev or _q(ev["det_exact"]) == Fraction(int(sympy.fraction(det)[0]),
                                                                        int(sympy.fraction(det)[1]))
    if S != S.T:
        return False
    if t == "positive_definite":
        pd = S.is_positive_definite
        if set(claim) != {"type", "n"} or pd != (v == "certified"):
            return False
        if "minor" in ev:
            k = ev["minor"]
            if type(k) is not int or not 1 <= k <= n or _S([row[:k] for row in A[:k]]).det() > 0:
                return False
        if "witness" in ev:
            w = [_q(x) for x in ev["witness"]]
            if len(w) != n or not any(w) or _form(A, w) > 0:
                return False
        return True
    if t == "indefinite":
        for side, sgn in (("negative", -1), ("positive", 1)):
            w = [_q(x) for x in ev[side]]
            f = _form(A, w) if len(w) == n else Fraction(0)
            if f * sgn <= 0:
                return False
        return set(claim) == {"type", "n"} and v == "certified"
    if t == "eigenvalues":
        x = sympy.Symbol("x")
        roots = sympy.Poly(S.charpoly(x).as_expr(), x).real_roots()
        inertia = [sum(1 for r in roots if r < 0), sum(1 for r in roots if r == 0), sum(1 for r in roots if r > 0)]
        if claim != {"type": t, "inertia": inertia, "n": n} or v != "certified" or inertia[1]:
            return False
        balls = [_ball(b) for b in ev["eigenvalues"]]
        if len(balls) != n:
            return False
        return all(sum(1 for r in roots if _in(r, b)) == 1 for b in balls) and \
            all(sum(1 for b in balls if _in(r, b)) == 1 for r in roots)
    raise Undecided(t)


def _leibniz_witness(c: dict[str, Any]) -> bool:
    """Lemma 4.3's recipe rebuilt here: exact projections, then det E(alpha) exactly (rational entries) or at
    120 digits (t_i = sigma^(k-1)(<a, x_i>) and the entries evaluated by mpmath)."""
    import mpmath

    inp, claim = c["inputs"], c["claim"]
    if set(inp) != {"sigma", "X", "direction", "alpha", "beta", "kind", "k"} or inp["kind"] not in ("bounded", "growth"):
        return False
    X = [[_q(v) for v in x] for x in inp["X"]]
    a, alpha, beta, k = [_q(v) for v in inp["direction"]], _q(inp["alpha"]), _q(inp["beta"]), inp["k"]
    N, E = len(X), "[1_N, A(alpha)]" if inp["kind"] == "bounded" else "[A(alpha), 1_N]"
    fields = {"type": "leibniz_witness", "N": N, "k": k, "kind": inp["kind"], "alpha": inp["alpha"], "beta": inp["beta"]}
    del E  # (the matrix's layout is the kind's)
    if claim != fields or type(k) is not int or not k >= 1 or not alpha > 0 or not a or \
            any(len(x) != len(a) for x in X) or N < 2:
        return False
    p = sorted(sum((ai * xi for ai, xi in zip(a, x)), Fraction(0)) for x in X)
    if len(set(p)) < N:
        return False
    if N > 8:
        raise Undecided("N > 8")
    if abs(alpha) * (p[-1] - p[0]) + abs(beta) > 10**4:  # (sympy's evaluation of exp(-z) there did not finish)
        raise Undecided("arguments of sigma beyond 10^4")
    (sig,) = dag_to_sympy(inp["sigma"])
    (var,) = [sympy.Symbol(n, real=True) for n in inp["sigma"]["inputs"]]
    if k == 1:
        rows = [[sig.subs(var, sympy.Rational(str(alpha * (tc - ti) + beta))) for tc in p[:-1]] for ti in p]
        M = sympy.Matrix([[1, *r] if inp["kind"] == "bounded" else [*r, 1] for r in rows])
        if all(e.is_Rational for e in M):
            return M.det(method="bareiss") != 0
    safe = sympy.Symbol("oracle_t", real=True)  # a stored variable name may shadow a function (e.g. "exp")
    f = sympy.lambdify(safe, sig.subs(var, safe), "mpmath")
    with mpmath.workdps(120):
        t = [mpmath.mpf(v.numerator) / v.denominator for v in p]
        for _ in range(k - 1):
            t = [f(v) for v in t]
        if not all(u < v for u, v in zip(t, t[1:])):
            raise Undecided("layer-k inputs not increasing numerically")
        al, be = mpmath.mpf(alpha.numerator) / alpha.denominator, mpmath.mpf(beta.numerator) / beta.denominator
        rows = [[f(al * (tc - ti) + be) for tc in t[:-1]] for ti in t]
        det = mpmath.det(mpmath.matrix([[1, *r] if inp["kind"] == "bounded" else [*r, 1] for r in rows]))
        if abs(det) > mpmath.mpf(10) ** -60:
            return True
    raise Undecided("det E(alpha) numerically tiny")


def dag_to_sympy(dag: dict[str, Any]) -> list[sympy.Expr]:
    """The outputs of a ``proofkit.dag/1`` object as sympy expressions (written here, not borrowed)."""
    if set(dag) != {"format", "inputs", "nodes", "outputs"} or dag["format"] != "proofkit.dag/1":
        raise ValueError("not a DAG")
    xs = [sympy.Symbol(n, real=True) for n in dag["inputs"]]
    vals: list[Any] = []
    fns = {"exp": sympy.exp, "log": sympy.log, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
           "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh, "atan": sympy.atan, "asin": sympy.asin,
           "acos": sympy.acos, "erf": sympy.erf, "abs": sympy.Abs, "sign": sympy.sign}
    for i, node in enumerate(dag["nodes"]):
        op, args = node[0], node[1:]
        refs = [vals[a] for a in args if type(a) is int and 0 <= a < i] if op not in ("var", "const") else []
        if op not in ("var", "const", "pow", "heaviside") and len(refs) != len(args):
            raise ValueError("bad reference")
        if op == "var":
            vals.append(xs[args[0]])
        elif op == "const":
            vals.append(sympy.Rational(str(_q(args[0]))))
        elif op == "add":
            vals.append(sympy.Add(*refs))
        elif op == "mul":
            vals.append(sympy.Mul(*refs))
        elif op == "pow":
            vals.append(sympy.Pow(vals[args[0]], sympy.Rational(str(_q(args[1])))))
        elif op in fns and len(refs) == 1:
            vals.append(fns[op](refs[0]))
        elif op == "pi":
            vals.append(sympy.pi)
        elif op == "E":
            vals.append(sympy.E)
        elif op in ("max", "min"):
            vals.append((sympy.Max if op == "max" else sympy.Min)(*refs))
        elif op == "heaviside":
            vals.append(sympy.Heaviside(vals[args[0]], sympy.Rational(str(_q(args[1])))))
        elif op in ("lt", "le", "gt", "ge"):
            vals.append({"lt": sympy.Lt, "le": sympy.Le, "gt": sympy.Gt, "ge": sympy.Ge}[op](*refs))
        elif op in ("and", "or"):
            vals.append((sympy.And if op == "and" else sympy.Or)(*refs))
        elif op == "not":
            vals.append(sympy.Not(refs[0]))
        elif op in ("true", "false"):
            vals.append(sympy.true if op == "true" else sympy.false)
        elif op == "piecewise":
            vals.append(sympy.Piecewise(*[(refs[k], refs[k + 1]) for k in range(0, len(refs), 2)]))
        else:
            raise Undecided(f"op {op}")
    return [vals[o] for o in dag["outputs"]]


def _respects(q: Fraction, assumptions: list[str]) -> bool:
    tests = {"positive": q > 0, "negative": q < 0, "nonnegative": q >= 0, "nonpositive": q <= 0,
             "nonzero": q != 0, "integer": q.denominator == 1}
    return all(tests[a] for a in assumptions)


def _identity(c: dict[str, Any]) -> bool:
    inp, ev, v = c["inputs"], c["evidence"], c["verdict"]
    names = inp["variables"]
    if inp["lhs"]["inputs"] != names or inp["rhs"]["inputs"] != names:
        return False
    lhs, rhs = dag_to_sympy(inp["lhs"]), dag_to_sympy(inp["rhs"])
    if len(lhs) != len(rhs) or c["claim"] != {"type": "identity", "entries": len(lhs)}:
        return False
    rational = all(e.is_rational_function() if e.free_symbols else e.is_Rational for e in lhs + rhs)
    if v == "certified":
        if rational:
            return all(sympy.cancel(a - b) == 0 for a, b in zip(lhs, rhs))
        if all(sympy.simplify(sympy.expand(a - b)) == 0 for a, b in zip(lhs, rhs)):
            return True
        raise Undecided("a transcendental identity sympy does not simplify")
    k, w = ev["entry"], [_q(x) for x in ev["witness"]]
    assumptions = inp.get("assumptions", [[] for _ in names])
    if not 0 <= k < len(lhs) or len(w) != len(names) or not all(_respects(q, a) for q, a in zip(w, assumptions)):
        return False
    sub = {sympy.Symbol(n, real=True): sympy.Rational(q.numerator, q.denominator) for n, q in zip(names, w)}
    a, b = lhs[k].subs(sub), rhs[k].subs(sub)
    if a.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or b.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    if rational:
        return sympy.simplify(a - b) != 0
    diff = sympy.N(a - b, 80)  # transcendental values at a rational point: 80 digits (mpmath), not an exact proof
    if not diff.is_real:
        return False
    if abs(diff) > sympy.Float(10) ** -40:
        return True
    raise Undecided("difference too small to confirm")


def _relu(c: dict[str, Any]) -> bool:
    inp = c["inputs"]
    X = [[_q(x) for x in row] for row in inp["X"]]
    w, cs, rs = inp["width"], [_q(x) for x in inp["centers"]], [_q(x) for x in inp["radii"]]
    d, N = len(X[0]), len(X)
    if len(cs) != d * w + w or len(rs) != len(cs) or any(r <= 0 for r in rs):
        return False
    low = min(sum((x[a] * cs[a * w + j] - abs(x[a]) * rs[a * w + j] for a in range(d)), cs[d * w + j] - rs[d * w + j])
              for x in X for j in range(w))
    rank = _rank([row + [Fraction(1)] for row in X])
    return c["claim"] == {"type": "relu_linear_region", "N": N, "rank_bound": rank} and low > 0 and rank < N and \
        _q(c["evidence"]["min_preactivation"]) == low and c["verdict"] == "certified"


def _box_claim(c: dict[str, Any]) -> bool:
    t, inp = c["claim"]["type"], c["inputs"]
    key = "gradient" if t == "critical_point" else "loss"
    if c["verdict"] != "certified" or len(inp[key]["inputs"]) != 1:
        raise Undecided("only one-variable boxes")
    if t == "local_min" and c["claim"].get("via") != "krawczyk":
        raise Undecided("only strict minima")
    (f,) = dag_to_sympy(inp[key])
    x = sympy.Symbol(inp[key]["inputs"][0], real=True)
    if not f.is_polynomial(x):
        raise Undecided("non-polynomial")
    cq, rq = _q(inp["centers"][0]), _q(inp["radii"][0])
    if rq <= 0 or len(inp["centers"]) != 1 or len(inp["radii"]) != 1:
        return False
    lo, hi = sympy.Rational(str(cq - rq)), sympy.Rational(str(cq + rq))
    claim = {"type": t, "dimension": 1, "slice": False, "fixed": []}
    if t == "local_min":
        claim.update(strict=True, via="krawczyk", compare=inp["compare"])
    if c["claim"] != claim:
        return False
    g = f if t == "critical_point" else sympy.diff(f, x)
    roots = [r for r in sympy.Poly(g, x).real_roots() if lo <= r <= hi] if g != 0 else None
    if roots is None or len(set(roots)) != 1:
        return False
    root = roots[0]
    if t == "critical_point":
        return True
    h = sympy.Poly(sympy.diff(f, x, 2), x)
    inner = [r for r in sympy.Poly(sympy.diff(f, x, 3), x).real_roots() if lo < r < hi] \
        if sympy.diff(f, x, 3) != 0 else []
    if not all(h.eval(p) > 0 for p in [lo, hi, *inner]):
        return False
    if inp["compare"] == "none":
        return "better" not in inp and "global_value" not in inp
    fmin = min(f.subs(x, p) for p in [lo, hi, root])
    if inp["compare"] == "better_point":
        if "better" not in inp or "global_value" in inp or len(inp["better"]) != 1:
            return False
        better = f.subs(x, sympy.Rational(str(_q(inp["better"][0]))))
    else:
        if "global_value" not in inp or "better" in inp or inp["compare"] != "stated global value":
            return False
        better = sympy.Rational(str(_q(inp["global_value"])))
    return bool(fmin > better)


_LANDSCAPE_TYPES = frozenset({"critical_point", "local_min", "local_max", "saddle", "not_local_min", "classification"})


def statement_holds(cert: dict[str, Any]) -> bool | None:
    """True if everything the certificate states is true, False if something is false, None if undecided.

    ``cert`` is parsed certificate JSON. Inconclusive certificates state nothing (True).

    Examples
    --------
    >>> from proofkit import certify_nonsingular
    >>> import json
    >>> statement_holds(json.loads(certify_nonsingular([[1, 2], [3, 4]]).to_json()))
    True
    """
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # numerals may be longer than Python's default 4300 digits
    try:
        if cert["verdict"] == "inconclusive":
            return True
        if cert["verdict"] not in ("certified", "refuted"):
            return False
        if cert.get("reason") is not None or "margin" in cert:
            return False  # (a conclusive certificate carries no words of its own)
        t = cert["claim"]["type"]
        if t == "leibniz_alpha0":
            raise Undecided("a statement about every alpha >= alpha_0")
        if t == "leibniz_witness":
            return _leibniz_witness(cert)
        if t in _LANDSCAPE_TYPES:
            from proofkit.testing.landscape_oracle import _within_reach, judge

            _within_reach(cert.get("inputs"))  # no exact expansion of x^(10^5000), here or in _box_claim
            try:
                return judge(cert)
            except Undecided:
                if t not in ("critical_point", "local_min"):
                    raise
            return _box_claim(cert)
        if t == "identity":
            return _identity(cert)
        if t == "relu_linear_region":
            return _relu(cert)
        return _matrix_claim(cert)
    except Undecided:
        return None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError, struct.error):
        return False
    finally:
        sys.set_int_max_str_digits(old)
