"""``proofkit check`` writes every output, and regenerates those whose tools became available."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import proofkit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(proofkit.__file__)))


def _check(cwd, path):
    env = {**os.environ, "PATH": path, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "proofkit", "check"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_check_regenerates_outputs_when_a_tool_appears(tmp_path):
    python_bin = os.path.dirname(sys.executable)
    # without TeX and without system Graphviz: the SVG comes from graphviz-pure (if installed), no PDF
    r = _check(tmp_path, python_bin)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "proofkit-report"
    assert "pdf: skipped" in r.stdout and not (out / "report.pdf").exists()
    assert (out / "html" / "index.html").exists() and (out / "report.tex").exists()
    manifest = json.loads((out / "outputs.json").read_text())
    assert manifest["pdflatex"] is False
    if shutil.which("graphviz-pure", path=python_bin):
        assert (out / "graph.svg").exists() and manifest["graphviz"] == "graphviz-pure"
    # TeX is now available: the next check is not "up to date", it writes the PDF
    r = _check(tmp_path, os.environ["PATH"])
    assert r.returncode == 0, r.stderr
    assert "up to date" not in r.stdout and (out / "report.pdf").exists()
    # and a third run with nothing changed is up to date
    r = _check(tmp_path, os.environ["PATH"])
    assert "up to date" in r.stdout
