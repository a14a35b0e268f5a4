"""What a claim's ``source`` cites: works with locations, and references to the document itself.

A source reads like ``"Nguyen & Hein 2017, Theorem 3.8"`` or ``"Yu & Chen 1995; lecture notes"``:
``;`` separates works, the part up to the year (or the first comma) names the work and the rest
locates the result in it. A part that names the document the graph belongs to (``"this paper"``,
``"this work, Lemma 2"``, ...) is not a work to cite: the claim is one of the graph's own results.
Outputs (report sections, bibliography) should take their citations from :func:`source_parts`,
never from the raw string.

Examples
--------
>>> [(p.work, p.location, p.own) for p in source_parts("this paper, Lemma 2; Doe 2020, Theorem 1")]
[('', 'Lemma 2', True), ('Doe 2020', 'Theorem 1', False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SourcePart", "source_parts", "SELF_REFERENCES"]

#: Words that name the document itself (case-insensitive, optionally followed by ``, location``).
SELF_REFERENCES = ("this paper", "this work", "this article", "this note", "this thesis", "this report",
                   "this book", "this chapter", "this document", "this section")

_YEAR = re.compile(r"^(.*?\b(?:19|20)\d\d[a-z]?)\b")
_SELF = re.compile(r"^(?:" + "|".join(re.escape(s) for s in SELF_REFERENCES) + r")\b[\s,.:;-]*", re.I)


@dataclass(frozen=True)
class SourcePart:
    """One ``;``-separated part of a source: the ``work`` cited (empty for the document itself), the
    ``location`` of the result in it, and whether it is the document itself (``own``)."""

    work: str
    location: str
    own: bool


def source_parts(source: str) -> list[SourcePart]:
    """The parts of a claim's source, each a cited work or a reference to the document itself.

    Examples
    --------
    >>> source_parts("Kawaguchi, Huang & Kaelbling 2019, Theorem 1")
    [SourcePart(work='Kawaguchi, Huang & Kaelbling 2019', location='Theorem 1', own=False)]
    >>> source_parts("This paper")
    [SourcePart(work='', location='', own=True)]
    """
    out = []
    for part in (p.strip() for p in str(source or "").split(";")):
        if not part:
            continue
        m = _SELF.match(part)
        if m:
            out.append(SourcePart("", part[m.end():].strip(), True))
            continue
        y = _YEAR.match(part)
        if y:
            work, rest = y.group(1), part[y.end():]
        else:
            work, _, rest = part.partition(",")
        out.append(SourcePart(work.strip(), rest.strip().lstrip(",").strip(), False))
    return out
