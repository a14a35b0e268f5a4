"""The works cited by claims, as BibTeX entries: the ``.bib`` of a report and the reference texts of the blueprint.

A claim's ``source`` names a work the way a citation reads (``"Nguyen & Hein 2017, Theorem 3.8"``);
:func:`reference` gives the full entry of that work: the entries of the seed library are built in
(authors, title, venue, year, pages and an arXiv identifier or DOI, each checked against the
publisher's or arXiv's record), and :func:`register` adds the works of a user's graph. A work
without an entry is still cited: its entry carries the name the claims use and nothing else, so
that no bibliographic field is ever invented.

Examples
--------
>>> ref = reference("Nguyen & Hein 2017")
>>> ref.key, ref.fields["eprint"]
('nguyenhein2017', '1704.08045')
>>> print(bibtex(["Mityagin"]).splitlines()[0])
@article{mityagin,
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from proofkit.errors import InvalidInput

__all__ = ["Reference", "reference", "register", "bibtex", "bib_key", "SEED_REFERENCES"]


def bib_key(work: str) -> str:
    """The BibTeX key of a work name: its letters and digits, lower case (``"Du et al. 2019"`` -> ``duetal2019``)."""
    return re.sub(r"[^a-z0-9]", "", str(work).lower()) or "source"


_ENTRY_TYPES = ("article", "inproceedings", "misc", "book", "techreport")
_FIELD_ORDER = ("author", "title", "journal", "booktitle", "series", "volume", "number", "pages", "publisher", "year",
                "doi", "eprint", "archiveprefix", "note", "howpublished", "key")


@dataclass(frozen=True)
class Reference:
    """One work: its BibTeX entry type and fields (BibTeX syntax, LaTeX accents escaped).

    ``eprint`` is an arXiv identifier (printed as ``arXiv:<id>``), ``doi`` a DOI without its URL.
    """

    key: str
    entry_type: str
    fields: dict[str, str] = field(default_factory=dict)

    def bibtex(self) -> str:
        """The BibTeX entry; an arXiv identifier is also written into ``note`` so that every style prints it."""
        fields = dict(self.fields)
        if "eprint" in fields:
            fields.setdefault("archiveprefix", "arXiv")
            arxiv = f"arXiv:{fields['eprint']}"
            fields["note"] = f"{fields['note']}, {arxiv}" if fields.get("note") else arxiv
        order = [k for k in _FIELD_ORDER if k in fields] + sorted(k for k in fields if k not in _FIELD_ORDER)
        body = ",\n".join(f"  {k} = {{{fields[k]}}}" for k in order)
        return f"@{self.entry_type}{{{self.key},\n{body}\n}}"

    def text(self) -> str:
        """The entry as one line of plain text (authors. Title. Venue, year. arXiv/DOI), for HTML and Markdown."""
        f = {k: _plain(v) for k, v in self.fields.items()}
        parts = []
        if f.get("author"):
            parts.append(_authors(f["author"]) + ".")
        if f.get("title"):
            parts.append(f["title"] + ".")
        venue = f.get("journal") or f.get("booktitle") or f.get("howpublished") or f.get("publisher") or ""
        if venue:
            if f.get("booktitle"):
                venue = "In " + venue
            if f.get("volume"):
                venue += f", {f['volume']}" + (f"({f['number']})" if f.get("number") else "")
            if f.get("pages"):
                venue += (":" if f.get("volume") else ", pages ") + f["pages"]
            parts.append(venue + (f", {f['year']}." if f.get("year") else "."))
        elif f.get("year"):
            parts.append(f["year"] + ".")
        if f.get("note"):
            parts.append(f["note"][:1].upper() + f["note"][1:] + ".")
        if f.get("eprint"):
            parts.append(f"arXiv:{f['eprint']}.")
        if f.get("doi"):
            parts.append(f"doi:{f['doi']}.")
        return " ".join(parts) if parts else f.get("key", self.key)


def _plain(value: str) -> str:
    s = value.replace("--", "\u2013")
    s = re.sub(r"\\'\{?([A-Za-z])\}?", lambda m: m.group(1) + "\u0301", s)
    s = re.sub(r"\\\"\{?([A-Za-z])\}?", lambda m: m.group(1) + "\u0308", s)
    import unicodedata

    s = unicodedata.normalize("NFC", s)
    return s.replace("{", "").replace("}", "").replace("\\&", "&")


def _authors(names: str) -> str:
    people = [p.strip() for p in names.split(" and ")]
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


def _entry(bib_key_: str, entry_type: str, **fields: str) -> Reference:
    return Reference(bib_key_, entry_type, fields)


#: The works the seed library cites, by the name its claims use. Every field was checked against the
#: publisher's page (PMLR, IEEE, MIT Press, NeurIPS proceedings) or the arXiv listing.
SEED_REFERENCES: dict[str, Reference] = {
    "Nguyen & Hein 2017": _entry(
        "nguyenhein2017", "inproceedings", author="Quynh Nguyen and Matthias Hein",
        title="The loss surface of deep and wide neural networks",
        booktitle="Proceedings of the 34th International Conference on Machine Learning (ICML)",
        series="Proceedings of Machine Learning Research", volume="70", pages="2603--2612", year="2017",
        eprint="1704.08045"),
    "Yu & Chen 1995": _entry(
        "yuchen1995", "article", author="Xiao-Hu Yu and Guo-An Chen",
        title="On the local minima free condition of backpropagation learning",
        journal="IEEE Transactions on Neural Networks", volume="6", number="5", pages="1300--1303", year="1995",
        doi="10.1109/72.410380"),
    "Lu & Kawaguchi 2017": _entry(
        "lukawaguchi2017", "misc", author="Haihao Lu and Kenji Kawaguchi", title="Depth creates no bad local minima",
        year="2017", eprint="1702.08580"),
    "Laurent & Brecht 2018": _entry(
        "laurentbrecht2018", "inproceedings", author="Thomas Laurent and James von Brecht",
        title="Deep linear networks with arbitrary loss: All local minima are global",
        booktitle="Proceedings of the 35th International Conference on Machine Learning (ICML)",
        series="Proceedings of Machine Learning Research", volume="80", pages="2902--2907", year="2018",
        eprint="1712.01473"),
    "Nguyen 2019": _entry(
        "nguyen2019", "inproceedings", author="Quynh Nguyen", title="On connected sublevel sets in deep learning",
        booktitle="Proceedings of the 36th International Conference on Machine Learning (ICML)",
        series="Proceedings of Machine Learning Research", volume="97", pages="4790--4799", year="2019",
        eprint="1901.07417"),
    "Nguyen 2021": _entry(
        "nguyen2021", "misc", author="Quynh Nguyen", title="A note on connectivity of sublevel sets in deep learning",
        year="2021", eprint="2101.08576"),
    "Du et al. 2019": _entry(
        "duetal2019", "inproceedings", author="Simon S. Du and Xiyu Zhai and Barnab{\\'a}s P{\\'o}czos and Aarti Singh",
        title="Gradient descent provably optimizes over-parameterized neural networks",
        booktitle="International Conference on Learning Representations (ICLR)", year="2019", eprint="1810.02054"),
    "Kawaguchi, Huang & Kaelbling 2019": _entry(
        "kawaguchihuangkaelbling2019", "article", author="Kenji Kawaguchi and Jiaoyang Huang and Leslie Pack Kaelbling",
        title="Every local minimum value is the global minimum value of induced model in nonconvex machine learning",
        journal="Neural Computation", volume="31", number="12", pages="2293--2323", year="2019", eprint="1904.03673"),
    "Kawaguchi & Kaelbling 2020": _entry(
        "kawaguchikaelbling2020", "inproceedings", author="Kenji Kawaguchi and Leslie Pack Kaelbling",
        title="Elimination of all bad local minima in deep learning",
        booktitle="Proceedings of the 23rd International Conference on Artificial Intelligence and Statistics "
                  "(AISTATS)",
        series="Proceedings of Machine Learning Research", volume="108", pages="853--863", year="2020",
        eprint="1901.00279"),
    "Kawaguchi 2016": _entry(
        "kawaguchi2016", "inproceedings", author="Kenji Kawaguchi", title="Deep learning without poor local minima",
        booktitle="Advances in Neural Information Processing Systems 29 (NeurIPS)", pages="586--594", year="2016",
        eprint="1605.07110"),
    "Safran & Shamir 2018": _entry(
        "safranshamir2018", "inproceedings", author="Itay Safran and Ohad Shamir",
        title="Spurious local minima are common in two-layer {ReLU} neural networks",
        booktitle="Proceedings of the 35th International Conference on Machine Learning (ICML)",
        series="Proceedings of Machine Learning Research", volume="80", pages="4433--4441", year="2018",
        eprint="1712.08968"),
    "Mityagin": _entry(
        "mityagin", "article", author="Boris S. Mityagin", title="The zero set of a real analytic function",
        journal="Mathematical Notes", volume="107", number="3", pages="529--530", year="2020",
        doi="10.1134/S0001434620030189", eprint="1512.07276"),
    "Lecture notes": _entry(
        "lecturenotes", "misc", key="Lecture notes",
        title="On the loss surfaces of neural networks: why all minima of sufficiently wide non-linear networks are "
              "global",
        year="n.d.", note="Lecture notes in {R}ussian; the text names no author or date"),
}

_REGISTRY: dict[str, Reference] = dict(SEED_REFERENCES)


def _bib_value(text: str) -> str:
    """Plain text as a BibTeX field value (braces balanced, LaTeX specials escaped)."""
    out = []
    for ch in str(text):
        out.append({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                    "\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}.get(ch, ch))
    return "".join(out)


def register(name: str, *, entry_type: str = "misc", text: str | None = None, **fields: str) -> Reference:
    """Register the work called ``name`` in claim sources: BibTeX fields (plain text values), or a
    free-text ``text`` (printed as the entry's note). Returns the entry; later registrations replace earlier.

    Examples
    --------
    >>> register("Example & Sample 1999", entry_type="article", author="Ann Example and Bo Sample",
    ...          title="A title", journal="J. Ex.", year="1999").key
    'examplesample1999'
    """
    if entry_type not in _ENTRY_TYPES:
        raise InvalidInput("entry_type", f"one of {_ENTRY_TYPES}", repr(entry_type))
    if not str(name).strip():
        raise InvalidInput("name", "the name of a work as claim sources write it", repr(name))
    values = {k.lower(): _bib_value(v) for k, v in fields.items() if v is not None and str(v).strip()}
    if text:
        values["note"] = _bib_value(text)
    if "author" not in values and "key" not in values:
        values["key"] = _bib_value(name)
    if "title" not in values and "note" not in values:
        values["title"] = _bib_value(name)
    values.setdefault("year", _year(name))
    ref = Reference(bib_key(name), entry_type, values)
    _REGISTRY[name] = ref
    return ref


def _year(work: str) -> str:
    m = re.search(r"\b((?:19|20)\d\d)[a-z]?\b", str(work))
    return m.group(1) if m else "n.d."


def reference(work: str) -> Reference:
    """The entry of a work: registered or built in; otherwise an entry that only names the work (and its year
    when the name has one)."""
    if work in _REGISTRY:
        return _REGISTRY[work]
    return Reference(bib_key(work), "misc", {"key": _bib_value(work), "title": _bib_value(work), "year": _year(work)})


def bibtex(works: list[str]) -> str:
    """The ``.bib`` text of the given works (one entry per distinct key, in the given order)."""
    seen: set[str] = set()
    out = []
    for w in works:
        ref = reference(w)
        if ref.key not in seen:
            seen.add(ref.key)
            out.append(ref.bibtex())
    return "\n\n".join(out) + "\n"
