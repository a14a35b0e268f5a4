"""Math is marked where text is written (``$...$``): printers never guess which words are math."""

from __future__ import annotations

import pytest

from proofkit.library import seed_graph
from proofkit.printing.mathtext import (
    escape_text,
    math,
    math_to_unicode,
    plain_segments,
    plain_to_html,
    plain_to_latex,
    plain_to_unicode,
)
from proofkit.printing.sources import number_claims


# Each of these was typeset (partly) as math by the former text-to-math heuristics.
@pytest.mark.parametrize("text", [
    "Counterexample L8",  # the claim's number set in math italics
    "SHA-256 ...29f2399bff262b4e",  # a hash ending in a letter: "...4$e$"
    "rank over Q (fmpq_mat)",
    "widths 1-1-1, N = 4",
    "Safran & Shamir 2018 (found and certified by proofkit)",
    "k = -1 and x - y",
    "Instance 4.3b",
])
def test_unmarked_text_is_text(text):
    assert plain_segments(text) == [("text", text)]
    assert "$" not in plain_to_latex(text)
    assert "<math" not in plain_to_html(text)


def test_marked_math_is_math():
    assert plain_segments(r"violates $n_k \ge N - 1$ of Theorem 3.8") == [
        ("text", "violates "), ("math", r"n_k \ge N - 1"), ("text", " of Theorem 3.8")]
    assert plain_to_latex(r"$\lambda_0 > 0$, certified") == r"$\lambda_0 > 0$, certified"
    assert plain_to_html("$x$").startswith("<math")


def test_literal_dollars():
    text = escape_text("a $5 fee, and $10")
    assert plain_segments(text) == [("text", "a $5 fee, and $10")]
    assert plain_to_latex(text) == r"a \$5 fee, and \$10"
    assert plain_segments("width " + math("n_1 = 1")) == [("text", "width "), ("math", "n_1 = 1")]


def test_latex_text_is_t1_safe():
    tex = plain_to_latex("widths 1 < 3, a -> b, x | y and $1 < 3$")
    assert "<" not in tex.replace("$1 < 3$", "") and "|" not in tex


def test_unicode_for_labels():
    assert plain_to_unicode(r"$\lambda_0 > 0$, $n_k \ge N - 1$") == "λ₀ > 0, nₖ ≥ N − 1"
    assert math_to_unicode(r"4\times 4") == "4 × 4"
    assert math_to_unicode("-1") == "−1" and math_to_unicode("x^{-1}") == "x⁻¹"
    assert plain_to_unicode("k = -1") == "k = -1"  # text keeps its hyphen


def test_the_library_marks_its_math():
    """Titles and notes of the seed library: every formula is marked, so the LaTeX of the unmarked text
    has no subscripts, relations or Greek written out in ASCII."""
    g = seed_graph()
    nums = number_claims(g)
    for label, claim in g.claims.items():
        for text in (claim.title, claim.note, nums[label].heading):
            for kind, s in plain_segments(text):
                if kind == "text":
                    assert not any(w in s for w in ("lambda_", "n_k", ">=", "<=", " N = ", "sigma(")), (label, s)
        assert "$" not in plain_to_latex(nums[label].heading), label
