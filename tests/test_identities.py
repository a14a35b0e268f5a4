import sympy

from proofkit.symbolic import Network, check_identity


def _two_layer():
    net = Network([2, 2, 1], activation="sigmoid")
    X = sympy.Matrix([[1, 0], [sympy.Rational(1, 2), 2], [-1, 1]])
    obj = net.loss(X, [[1], [0], [1]])
    return net, X, obj


def _hand_delta1(net, obj, drop_sigma_prime):
    s = lambda t: 1 / (1 + sympy.exp(-t))  # noqa: E731
    ds = lambda t: s(t) * (1 - s(t))  # noqa: E731
    G1, F2 = obj.G(1), obj.F(2)
    Y = sympy.Matrix(obj.Y)
    delta2 = 2 * (F2 - Y)  # linear output layer: sigma' = 1
    W2 = net.weights[2]
    back = delta2 * W2.T
    if drop_sigma_prime:
        return back
    return back.multiply_elementwise(G1.applyfunc(ds))


def test_correct_hand_derivation_of_delta_1_is_proved():
    net, X, obj = _two_layer()
    res = check_identity(_hand_delta1(net, obj, False), obj.Delta(1))
    assert res.verdict == "proved" and res.method == "exact engine (kernel-checked certificate)"
    from proofkit.kernel import check_certificate

    assert check_certificate(res.certificate.to_json())  # the attached certificate is the kernel's
    # and the gradient it implies, X^T Delta_1, equals direct differentiation
    grad = obj.gradient()
    gW1 = sympy.Matrix(2, 2, lambda a, j: grad[obj.params.index(net.weights[1][a, j]), 0])
    assert check_identity(X.T * _hand_delta1(net, obj, False), gW1).verdict == "proved"


def test_delta_1_with_a_dropped_sigma_prime_is_refuted_with_witness():
    net, X, obj = _two_layer()
    res = check_identity(_hand_delta1(net, obj, True), obj.Delta(1))
    assert res.verdict == "refuted"
    assert res.witness is not None and set(res.witness) <= set(obj.params)
    # the witness really separates the sides: re-evaluate independently with sympy at 50 digits
    i, j = res.entry
    lhs = _hand_delta1(net, obj, True)[i, j].subs(res.witness)
    rhs = obj.Delta(1)[i, j].subs(res.witness)
    assert abs((lhs - rhs).evalf(50)) > 1e-10


def test_rational_identity_and_refutation_are_exact():
    x, y = sympy.symbols("x y")
    assert check_identity((x**2 - y**2) / (x - y), x + y).verdict == "proved"
    res = check_identity((x + y) ** 3, x**3 + y**3)
    assert res.verdict == "refuted" and res.method == "exact evaluation"
    value = ((x + y) ** 3 - x**3 - y**3).subs(res.witness)
    assert value != 0 and str(value) == res.enclosure


def test_true_identity_outside_the_symbolic_method_is_inconclusive_not_proved():
    x = sympy.Symbol("x")
    # sin(2x) = 2 sin x cos x needs the addition theorem, which the exact engine does not know
    res = check_identity(sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x), prec=128, max_prec=512)
    assert res.verdict == "inconclusive" and res.certificate is None
    assert "evidence" in res.method and res.detail.startswith("undecided")
    # sin^2 + cos^2 = 1 is a relation the engine uses: proved, with a certificate
    assert check_identity(sympy.sin(x) ** 2 + sympy.cos(x) ** 2, sympy.Integer(1)).certificate is not None


def test_tiny_difference_is_refuted_by_relative_precision():
    x = sympy.Symbol("x")
    rhs = sympy.erf(x) ** 2 + sympy.Integer(10) ** -200 * sympy.exp(-(x**2) - 1000)
    assert check_identity(sympy.erf(x) ** 2, rhs, prec=128).verdict == "refuted"


def test_tiny_but_nonzero_difference_is_refuted_at_high_precision():
    x = sympy.Symbol("x")
    res = check_identity(sympy.exp(x), sympy.exp(x) + sympy.Integer(10) ** -40, prec=512)
    assert res.verdict == "refuted"


# -- issue 9: floats are exact binary numbers; witnesses respect assumptions; no crash on any node -----------------
def test_float_literals_are_exact_in_identities():
    x = sympy.Symbol("x")
    r = check_identity((10**16 + 1) * x, 1e16 * x)
    assert r.verdict == "refuted" and r.witness is not None
    assert check_identity(0.1 * x, x / 10).verdict == "refuted"  # 0.1 as a double is not 1/10
    assert check_identity(0.5 * x, x / 2).verdict == "proved"  # 0.5 is exactly 1/2
    assert check_identity(1e16 * x, 10**16 * x).verdict == "proved"


def test_witnesses_respect_symbol_assumptions():
    p = sympy.Symbol("p", positive=True)
    r = check_identity(sympy.sqrt(p**2 + 2 * p + 1), p + 1)  # true for p > 0, false for p < -1
    assert r.verdict != "refuted"
    r = check_identity(sympy.sqrt(p**2 + 2 * p + 1), p + 2)  # false for every p > 0
    assert r.verdict == "refuted" and r.witness[p] > 0
    n = sympy.Symbol("n", integer=True, nonnegative=True)
    r = check_identity(sympy.sqrt(n**2), n)  # true for n >= 0
    assert r.verdict != "refuted"
    r = check_identity(n**3, n**2)
    assert r.verdict == "refuted" and r.witness[n].is_integer and r.witness[n] >= 0
    q = sympy.Symbol("q", irrational=True)  # no rational witness is admissible
    assert check_identity(q, 1).verdict == "inconclusive"


def test_symbols_with_one_name_and_different_assumptions_are_not_merged():
    import pytest

    from proofkit.errors import InvalidInput

    with pytest.raises(InvalidInput, match="two symbols named 'x'"):
        check_identity(sympy.Symbol("x", positive=True), sympy.Symbol("x"))


def test_unsupported_nodes_raise_before_symengine():
    import pytest

    from proofkit.errors import InvalidInput

    x = sympy.Symbol("x")
    with pytest.raises(InvalidInput, match="Derivative"):
        check_identity(sympy.Derivative(sympy.re(x), x), 0)
    with pytest.raises(InvalidInput, match="argument 'rhs'.*ImaginaryUnit"):
        check_identity(x, sympy.I * x)


def test_piecewise_conditions_shared_by_cse_evaluate():
    x = sympy.Symbol("x")
    pw = sympy.Piecewise((x, x > 0), (-x, True))
    assert check_identity(pw, sympy.Abs(x)).verdict in ("proved", "inconclusive")
    r = check_identity(pw, x)
    assert r.verdict == "refuted" and r.witness[x] < 0


def test_sides_with_different_free_symbols_are_noted():
    """A correct formula typed with one's own symbols: the refutation is right for the identity as stated
    (all values of every symbol), and the result says the two sides have different free symbols."""
    net = Network([1, 1, 1], activation="sigmoid", bias=False)
    obj = net.loss([[1]], [[0]])
    w1, w2 = sympy.symbols("w1 w2")
    s = 1 / (1 + sympy.exp(-w1))
    mine = sympy.Matrix([2 * w2**2 * s**2 * (1 - s), 2 * w2 * s**2])  # d/dW of (w2 s(w1))^2, in my own names
    res = check_identity(obj.gradient(), mine)
    assert res.verdict == "refuted"
    assert res.notes and "different free symbols" in res.notes[0] and "w1, w2" in res.notes[0]
    assert "W^{(1)}_{11}" in res.notes[0] and "different free symbols" in res.detail
    renamed = mine.subs({w1: obj.params[0], w2: obj.params[1]})
    same = check_identity(obj.gradient(), renamed)
    assert same.verdict == "proved" and same.notes == []


def test_one_side_without_a_symbol_is_noted_even_when_proved():
    x, y = sympy.symbols("x y")
    res = check_identity(x * (y + 1) - x * y, x)
    assert res.verdict == "proved" and "only lhs has y" in res.notes[0]


# -- issue 20: index notation of real derivations; precision raised automatically; undecided is not refuted ---------
def test_sums_indexed_and_matrix_symbols_are_written_out_and_noted():
    i, a = sympy.symbols("i a", integer=True)
    x, w = sympy.IndexedBase("x"), sympy.IndexedBase("w")
    # d/dw_j of (sum_i w_i x_i)^2 = 2 x_j sum_i w_i x_i, for n = 3
    s = sympy.Sum(w[i] * x[i], (i, 1, 3))
    from proofkit.symbolic.concrete import write_out

    grad = [sympy.diff(write_out(s, "s") ** 2, write_out(w[k], "w")) for k in (1, 2, 3)]
    res = check_identity(sympy.Matrix(grad), sympy.Matrix([2 * x[k] * s for k in (1, 2, 3)]))
    assert res.verdict == "proved"
    assert any("Sum over i written out (3 terms)" in n for n in res.notes)
    wrong = check_identity(sympy.Matrix(grad), sympy.Matrix([x[k] * s for k in (1, 2, 3)]))
    assert wrong.verdict == "refuted" and {v.name for v in wrong.witness} <= {f"{b}[{k}]" for b in "xw" for k in (1, 2, 3)}
    W = sympy.MatrixSymbol("W", 2, 3)
    assert check_identity(W.T * W, (W.T * W).T).verdict == "proved"  # W^T W is symmetric
    res = check_identity(W * W.T, (W.T.T * W.T).T)  # (W W^T)^T = W W^T
    assert res.verdict == "proved" and any("written out entrywise (2 x 2)" in n for n in res.notes)
    assert check_identity(sympy.Trace(W.T * W), sympy.Sum(sympy.Sum(W[a, i] ** 2, (i, 0, 2)), (a, 0, 1))).verdict \
        == "proved"
    # variables given as a matrix symbol or an indexed base
    assert check_identity(sympy.Sum(x[i], (i, 1, 2)) ** 2, x[1] ** 2 + 2 * x[1] * x[2] + x[2] ** 2, [x]).verdict \
        == "proved"
    import pytest

    from proofkit.errors import InvalidInput

    n = sympy.Symbol("n", integer=True)
    with pytest.raises(InvalidInput, match="argument 'lhs'.*integer bounds"):
        check_identity(sympy.Sum(x[i], (i, 1, n)), 0)


def test_tiny_difference_is_refuted_after_raising_the_precision_automatically():
    x = sympy.Symbol("x")
    eps = sympy.exp(-10**4)
    # the difference is eps^2 = e^(-20000): separated from 0 only above ~29,000 bits
    res = check_identity((sympy.exp(x) + eps) ** 2, sympy.exp(2 * x) + 2 * sympy.exp(x) * eps)
    assert res.verdict == "refuted" and "raised automatically" in res.detail
    assert abs(((sympy.exp(x) + eps) ** 2 - sympy.exp(2 * x) - 2 * sympy.exp(x) * eps).subs(res.witness).evalf(
        30, maxn=40000)) > 0
    # within a smaller budget: undecided, saying how small the difference is and which precision was reached
    small = check_identity((sympy.exp(x) + eps) ** 2, sympy.exp(2 * x) + 2 * sympy.exp(x) * eps, max_prec=4096)
    assert small.verdict == "inconclusive" and small.detail.startswith("undecided")
    assert "4096-bit" in small.detail and "max_prec" in small.detail


def test_undecided_wording_never_reads_as_a_refutation():
    x = sympy.Symbol("x")
    res = check_identity(sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x), prec=64, max_prec=128)  # true
    assert res.verdict == "inconclusive" and res.detail.startswith("undecided")
    assert "not identically" not in res.detail and "refut" not in res.detail


def _kernel_accepts(res) -> bool:
    from proofkit.kernel import check_certificate

    return res.certificate is not None and check_certificate(res.certificate.to_json()) is not None


def test_every_proof_is_a_kernel_certificate_and_certify_identity_agrees():
    from proofkit.certify.identity import certify_identity

    t, a, b = sympy.symbols("t a b")
    cases = [(sympy.Max(0, t), (t + sympy.Abs(t)) / 2), (sympy.Max(a, b), (a + b + sympy.Abs(a - b)) / 2),
             (sympy.Heaviside(t, 0) * t, sympy.Max(0, t)), (sympy.sign(t) * t, sympy.Abs(t)),
             (sympy.exp(t / 2) * sympy.exp(t / 3), sympy.exp(5 * t / 6)),
             (1 / (1 + sympy.exp(-t * sympy.log(2))), 2**t / (1 + 2**t)),
             (sympy.log(sympy.exp(a) + sympy.exp(b)), a + sympy.log(1 + sympy.exp(b - a)))]
    for lhs, rhs in cases:
        res = check_identity(lhs, rhs)
        assert res.verdict == "proved" and _kernel_accepts(res), (lhs, rhs, res.detail)
        assert certify_identity(lhs, rhs).verdict == "certified"


def test_piecewise_and_exponential_near_misses_are_not_proved():
    t, a, b = sympy.symbols("t a b")
    near = [(sympy.Max(0, t), (t - sympy.Abs(t)) / 2), (sympy.Max(a, b), (a + b + sympy.Abs(a + b)) / 2),
            (sympy.Heaviside(t, 0), sympy.Heaviside(t, 1)),  # differ at t = 0 only
            (sympy.exp(t / 2) * sympy.exp(t / 3), sympy.exp(2 * t / 3)),
            (1 / (1 + sympy.exp(-t * sympy.log(2))), 2**t / (2 + 2**t))]
    for lhs, rhs in near:
        res = check_identity(lhs, rhs)
        assert res.verdict != "proved" and res.certificate is None, (lhs, rhs)
        assert res.verdict == "refuted"  # each has a witness the search finds


def test_heaviside_with_any_value_at_zero():
    t = sympy.Symbol("t")
    for h0 in (0, sympy.Rational(1, 3), 1):
        res = check_identity(sympy.Heaviside(t, h0) * t, sympy.Max(0, t))
        assert res.verdict == "proved", h0
    res = check_identity(sympy.Heaviside(t, 0), (1 + sympy.sign(t)) / 2)  # differ at t = 0 (0 against 1/2)
    assert res.verdict != "proved"


def test_softmax_gauss_newton_decomposition_is_proved_and_a_dropped_term_refuted():
    net = Network([1, 2, 2], activation="tanh")
    X, Y = [[1], [-2]], [[1, 0], [0, 1]]
    obj = net.loss(X, Y, loss="cross_entropy")
    th, Fq = obj.params, obj.F(2)
    gn, curv = sympy.zeros(len(th)), sympy.zeros(len(th))
    for n in range(2):
        q = [Fq[n, k] for k in range(2)]
        p = [sympy.exp(qk) / sum(sympy.exp(ql) for ql in q) for qk in q]
        J = sympy.Matrix([[sympy.diff(qk, t) for t in th] for qk in q])
        gn += J.T * (sympy.diag(*p) - sympy.Matrix(p) * sympy.Matrix(p).T) * J
        for k in range(2):
            curv += (p[k] - Y[n][k]) * sympy.hessian(q[k], th)
    H = obj.hessian()
    res = check_identity(gn + curv, H)
    assert res.verdict == "proved" and _kernel_accepts(res)
    wrong = check_identity(gn, H)  # the Gauss-Newton term alone is not the Hessian
    assert wrong.verdict == "refuted" and wrong.witness


def test_the_kernels_budget_is_a_parameter_and_over_budget_is_undecided():
    x, y = sympy.symbols("x y")
    lhs, rhs = (x + y) ** 6, sympy.expand((x + y) ** 6)
    tight = check_identity(lhs, rhs, [x, y], budget=1e-5)
    assert tight.verdict == "inconclusive" and tight.detail.startswith("undecided") and "over budget" in tight.detail
    assert check_identity(lhs, rhs, [x, y], budget=30).verdict == "proved"
    from proofkit.certify import certify_identity

    assert certify_identity(lhs, rhs, [x, y], budget=1e-5).verdict == "inconclusive"
    import pytest

    from proofkit.errors import InvalidInput

    with pytest.raises(InvalidInput, match="budget"):
        check_identity(lhs, rhs, [x, y], budget=0)
