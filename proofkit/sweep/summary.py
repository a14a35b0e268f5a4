"""The summary of a sweep: a JSON document, a Markdown table, and plots (matplotlib, Agg).

The plots use matplotlib's object interface with the Agg canvas, so the caller's
pyplot backend and state are left alone.
"""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["summarize", "markdown_table", "write_plots", "write_summary"]

_ORDER = ("certified", "refuted", "inconclusive", "timeout", "error", "rejected", "crashed", "lost", "pending")
_COLOURS = {"certified": "#2e7d32", "refuted": "#c62828", "inconclusive": "#9e9e9e", "timeout": "#f9a825",
            "error": "#6a1b9a", "rejected": "#000000", "crashed": "#ef6c00", "lost": "#5d4037", "pending": "#e0e0e0"}


def _time(rec: Mapping[str, Any] | None) -> float | None:
    if not rec:
        return None
    for name in ("seconds", "wall_seconds"):
        v = rec.get(name)
        if isinstance(v, (int, float)):
            return float(v)
    return None


def summarize(tasks: Sequence[Any], records: Mapping[str, Mapping[str, Any] | None], malformed: Sequence[Any] = (),
              duplicates: Mapping[int, int] | None = None, ran: Sequence[str] = ()) -> dict[str, Any]:
    """The summary document: totals, groups, one row per task, malformed lines.

    Parameters
    ----------
    tasks : list of Task
    records : dict
        Key -> result record (None for a task without a record).
    malformed : list of MalformedTask
    duplicates : dict
        Line -> line of the first copy.
    ran : list of str
        Keys run by this invocation (the others were found finished).
    """
    ran_set = set(ran)
    rows, groups = [], {}
    for t in tasks:
        rec = records.get(t.key) or {}
        outcome = rec.get("outcome", "pending")
        row = {"line": t.line, "id": t.id, "group": t.group, "kind": t.kind, "key": t.key, "outcome": outcome,
               "seconds": _time(rec), "values": rec.get("values", {}),
               "certificates": rec.get("certificate_count", len(rec.get("certificates", []))),
               "kernel_ok": all(k.get("ok") for k in rec.get("kernel", [])),
               "note": rec.get("message") or rec.get("note", ""), "ran_now": t.key in ran_set}
        rows.append(row)
        g = groups.setdefault(t.group, {"tasks": 0, "outcomes": Counter(), "times": []})
        g["tasks"] += 1
        g["outcomes"][outcome] += 1
        if row["seconds"] is not None:
            g["times"].append(row["seconds"])
    group_rows = {}
    for name, g in groups.items():
        times = g["times"]
        group_rows[name] = {"tasks": g["tasks"], "outcomes": dict(g["outcomes"]),
                            "seconds_total": sum(times), "seconds_median": statistics.median(times) if times else None,
                            "seconds_max": max(times) if times else None}
    totals = Counter(r["outcome"] for r in rows)
    return {"tasks": len(rows), "outcomes": dict(totals), "malformed": [
        {"line": getattr(e, "line", None), "error": str(e)} for e in malformed],
        "duplicates": {str(k): v for k, v in (duplicates or {}).items()},
        "ran": len(ran_set), "skipped": len(rows) - len([r for r in rows if r["ran_now"]]),
        "seconds_total": sum(r["seconds"] or 0.0 for r in rows), "groups": group_rows, "rows": rows}


def _fmt_values(values: Mapping[str, Any]) -> str:
    parts = []
    for k, v in values.items():
        if isinstance(v, float):
            parts.append(f"{k}={v:.6g}")
        elif isinstance(v, list):
            parts.append(f"{k}=[{', '.join(f'{x:.4g}' for x in v[:4])}{', ...' if len(v) > 4 else ''}]")
        else:
            parts.append(f"{k}={v}")
    return ", ".join(parts)


def _cell(text: Any, width: int = 80) -> str:
    """One table cell: at most ``width`` characters, shortened at a word boundary (marked with "...")."""
    s = str(text).replace("|", "\\|").replace("\n", " ")
    if len(s) <= width:
        return s
    cut = s[:width - 3].rsplit(" ", 1)[0] if " " in s[:width - 3] else s[:width - 3]
    return cut.rstrip(" ,;:") + "..."


def markdown_table(summary: Mapping[str, Any], title: str = "proofkit sweep") -> str:
    """The summary as Markdown: totals, one row per group, one row per task, malformed lines."""
    outcomes = [o for o in _ORDER if any(o in g["outcomes"] for g in summary["groups"].values())]
    lines = [f"# {title}", "",
             f"{summary['tasks']} tasks: " + ", ".join(f"{summary['outcomes'][o]} {o}" for o in _ORDER
                                                      if summary["outcomes"].get(o))
             + f"; {len(summary['malformed'])} malformed lines; ran {summary['ran']}, "
             f"already finished {summary['skipped']}; task time {summary['seconds_total']:.2f} s", "",
             "| group | tasks | " + " | ".join(outcomes) + " | time total (s) | median (s) | max (s) |",
             "|---|---:|" + "---:|" * len(outcomes) + "---:|---:|---:|"]
    for name, g in summary["groups"].items():
        med = "" if g["seconds_median"] is None else f"{g['seconds_median']:.3f}"
        mx = "" if g["seconds_max"] is None else f"{g['seconds_max']:.3f}"
        lines.append(f"| {_cell(name, 40)} | {g['tasks']} | " + " | ".join(str(g["outcomes"].get(o, 0)) for o in outcomes)
                     + f" | {g['seconds_total']:.3f} | {med} | {mx} |")
    lines += ["", "| line | id | kind | outcome | time (s) | values | note |", "|---:|---|---|---|---:|---|---|"]
    for r in summary["rows"]:
        t = "" if r["seconds"] is None else f"{r['seconds']:.3f}"
        lines.append(f"| {r['line']} | {_cell(r['id'], 30)} | {r['kind']} | {r['outcome']} | {t} | "
                     f"{_cell(_fmt_values(r['values']), 60)} | {_cell(r['note'], 70)} |")
    if any(len(str(r["note"])) > 70 for r in summary["rows"]):
        lines += ["", "Notes longer than the table's column end with \"...\": summary.json and the records in "
                      "results/ hold them in full."]
    if summary["malformed"]:
        lines += ["", "Malformed lines (not run):", ""] + [f"- {m['error']}" for m in summary["malformed"]]
    if summary["duplicates"]:
        lines += ["", "Duplicates (run once): " + ", ".join(f"line {k} = line {v}"
                                                             for k, v in summary["duplicates"].items())]
    return "\n".join(lines) + "\n"


def write_plots(summary: Mapping[str, Any], folder: str) -> dict[str, str]:
    """verdicts.png (outcomes per group), times.png (time per task), values.png (value distributions)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    os.makedirs(folder, exist_ok=True)
    written: dict[str, str] = {}
    groups = list(summary["groups"])

    def save(fig: Any, name: str) -> None:
        FigureCanvasAgg(fig)
        path = os.path.join(folder, name)
        fig.savefig(path, dpi=110, bbox_inches="tight")
        written[name[:-4]] = path

    height = 1.2 + 0.45 * max(1, len(groups))
    fig = Figure(figsize=(8, height))
    ax = fig.add_subplot()
    left = [0] * len(groups)
    for o in _ORDER:
        counts = [summary["groups"][g]["outcomes"].get(o, 0) for g in groups]
        if any(counts):
            ax.barh(groups, counts, left=left, color=_COLOURS[o], label=o)
            left = [a + b for a, b in zip(left, counts)]
    ax.set_xlabel("tasks")
    ax.set_title("outcomes per group")
    ax.legend(loc="lower right", fontsize=8)
    save(fig, "verdicts.png")

    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    plotted = 0
    for i, g in enumerate(groups):
        rows = [r for r in summary["rows"] if r["group"] == g and r["seconds"] is not None]
        plotted += len(rows)
        xs = [i + 0.25 * ((j % 7) - 3) / 3 for j in range(len(rows))]
        ax.scatter(xs, [max(r["seconds"], 1e-4) for r in rows], c=[_COLOURS.get(r["outcome"], "#000") for r in rows],
                   s=18)
    ax.set_xticks(range(len(groups)), groups, rotation=30, ha="right", fontsize=8)
    if plotted:  # a log axis needs data (a resumed sweep that ran nothing has no times)
        ax.set_yscale("log")
    ax.set_ylabel("seconds per task")
    ax.set_title("time per task (colour: outcome)")
    save(fig, "times.png")

    series: dict[str, list[float]] = {}
    for r in summary["rows"]:
        for k, v in r["values"].items():
            vals = v if isinstance(v, list) else [v]
            nums = [float(x) for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
            series.setdefault(k, []).extend(nums)
    series = {k: v for k, v in series.items() if v}
    names = sorted(series)[:9]
    if names:
        cols = min(3, len(names))
        rows_n = (len(names) + cols - 1) // cols
        fig = Figure(figsize=(4 * cols, 3 * rows_n))
        for i, k in enumerate(names):
            ax = fig.add_subplot(rows_n, cols, i + 1)
            ax.hist(series[k], bins=min(30, max(5, len(series[k]))), color="#1565c0")
            ax.set_title(k, fontsize=9)
        fig.suptitle("value distributions")
        save(fig, "values.png")
    return written


def write_summary(summary: Mapping[str, Any], out: str, *, plots: bool = True) -> dict[str, str]:
    """Write ``summary.json``, ``summary.md`` and ``plots/*.png`` under ``out``."""
    written = {}
    for key, name, text in (("summary_json", "summary.json", json.dumps(summary, indent=1, sort_keys=True,
                                                                       allow_nan=False)),
                            ("summary", "summary.md", markdown_table(summary))):
        path = os.path.join(out, name)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        written[key] = path
    if plots and summary["rows"]:
        written.update(write_plots(summary, os.path.join(out, "plots")))
    return written
