"""The command line: version, help texts, JSON on errors, ``show`` and ``verify`` messages."""

import argparse
import json

import pytest

import proofkit
from proofkit import certify_nonsingular, cli
from proofkit.claims import Claim, ClaimGraph


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"proofkit {proofkit.__version__}"


def test_every_command_has_a_description_and_every_option_help(capsys):
    commands = _subparsers(cli.build_parser())
    assert {"check", "report", "show", "verify", "demo", "activations", "losses"} <= set(commands)
    for name, parser in commands.items():
        assert parser.description and len(parser.description) > 30, name
        for action in parser._actions:
            assert action.help, f"{name}: {action.option_strings or action.dest} has no help text"
        assert cli.main([name, "--help"]) == 0
        out = capsys.readouterr().out
        # the description is printed right after the usage lines
        assert parser.description.split()[0] in out.split("\n\n")[1], name


def test_usage_errors_are_json_with_json(capsys):
    assert cli.main(["verify", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["kind"] == "UsageError" and "CERT.json" in data["error"]
    assert cli.main(["verify"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "usage: proofkit verify" in captured.err


def test_verify_unreadable_file_is_json_with_json(tmp_path, capsys):
    missing = str(tmp_path / "nope.json")
    assert cli.main(["verify", missing, "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data == {"ok": False, "error": f"cannot read {missing!r}: No such file or directory", "kind": "OSError"}


def test_verify_accepts_and_rejects(tmp_path, capsys):
    path = tmp_path / "cert.json"
    path.write_text(certify_nonsingular([[1, 2], [3, 4]]).to_json())
    assert cli.main(["verify", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    data = json.loads(path.read_text())
    data["inputs"]["A"]["entries"][0][0] = "2"
    path.write_text(json.dumps(data))
    assert cli.main(["verify", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


def _saved_graph(tmp_path) -> str:
    g = ClaimGraph()
    g.add_claim(Claim("A", kind="assumption", statement="$x > 0$", established="cited"))
    path = str(tmp_path / "graph.json")
    g.save(path)
    return path


def test_verify_on_a_graph_file_verifies_the_graph(tmp_path, capsys):
    path = _saved_graph(tmp_path)
    assert cli.main(["verify", path]) == 0
    assert "1 claim graphs" in capsys.readouterr().out
    data = json.loads(open(path).read())
    data["claims"].append({"label": "Q", "kind": "conjecture", "statement": "open", "expected": "refuted"})
    open(path, "w").write(json.dumps(data))
    assert cli.main(["verify", path, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and "Q is ready: expected 'refuted'" in out["problems"][0]


@pytest.mark.parametrize("content, why", [("not json at all", "not JSON"), ("[1, 2]", "list"),
                                          ('{"a": 1}', "no certificate schema"),
                                          ('{"schema": "proofkit.sweep-summary"}', "no certificate schema")])
def test_verify_exits_2_on_what_is_not_a_certificate(tmp_path, capsys, content, why):
    path = tmp_path / "x.json"
    path.write_text(content)
    assert cli.main(["verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not a certificate" in err and why in err
    assert cli.main(["verify", str(path), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["kind"] == "NotACertificate"
    # a certificate (its schema says so) that the kernel refuses is rejected: 1
    bad = json.loads(certify_nonsingular([[1, 2], [3, 4]]).to_json())
    bad["claim"] = {"type": "nonsingular", "n": 3}
    path.write_text(json.dumps(bad))
    assert cli.main(["verify", str(path)]) == 1
    # a folder with nothing to verify is a usage error too
    (tmp_path / "x.json").unlink()
    (tmp_path / "notes.json").write_text('{"a": 1}')
    capsys.readouterr()
    assert cli.main(["verify", str(tmp_path)]) == 2
    assert "no certificate, sweep record or claim graph found" in capsys.readouterr().err


def test_verify_help_states_the_exit_codes():
    text = cli.build_parser().format_help() + _subparsers(cli.build_parser())["verify"].format_help()
    flat = " ".join(text.split())
    assert "Exit 0 when everything is accepted, 1 when something is rejected, 2 when the file cannot be read, is " \
           "not a certificate" in flat


def test_show_unknown_claim_is_json_with_json(tmp_path, capsys):
    path = _saved_graph(tmp_path)
    assert cli.main(["show", "no-such-claim", path, "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["kind"] == "UnknownClaim" and "no-such-claim" in data["error"]
    assert cli.main(["show", "no-such-claim", path]) == 2
    assert "proofkit: error:" in capsys.readouterr().err


def test_check_missing_graph_is_json_with_json(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path / "missing.json"), "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and "missing.json" in data["error"]


def _tiny_library() -> ClaimGraph:
    g = ClaimGraph()
    g.add_claim(Claim("D", kind="definition", statement="regular", established="cited"))
    g.add_claim(Claim("I", kind="instance", statement="$A_0$ is regular", uses=["D"],
                      checker=lambda: certify_nonsingular([[1, 2], [3, 4]])))
    return g


def test_show_without_saved_results_says_it_runs_the_checkers(tmp_path, monkeypatch, capsys):
    import proofkit.library

    monkeypatch.setattr(proofkit.library, "seed_graph", _tiny_library)
    out = str(tmp_path / "report")  # no previous results there
    assert cli.main(["show", "I", "--out", out, "--json"]) == 0
    captured = capsys.readouterr()
    assert "no saved result for I" in captured.err and "running" in captured.err and "ran 1 checkers" in captured.err
    data = json.loads(captured.out)  # the message does not spoil the JSON
    assert data["status"] == "instance certified" and len(data["certificates"]) == 1


def test_show_with_saved_results_runs_nothing(tmp_path, monkeypatch, capsys):
    import proofkit.library

    monkeypatch.setattr(proofkit.library, "seed_graph", _tiny_library)
    out = tmp_path / "report"
    out.mkdir()
    g = _tiny_library()
    g.check()
    g.save(str(out / "graph.json"))
    assert cli.main(["show", "I", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "instance certified" in captured.out


@pytest.mark.parametrize("argv", [["demo", "--widths", "x"], ["no-such-command"]])
def test_usage_errors_without_json_print_usage(argv, capsys):
    assert cli.main(argv) == 2
    assert "usage: proofkit" in capsys.readouterr().err


def test_show_list_prints_every_label(tmp_path, monkeypatch, capsys):
    import proofkit.library

    monkeypatch.setattr(proofkit.library, "seed_graph", _tiny_library)
    assert cli.main(["show", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["D", "definition"] and out.splitlines()[1].split()[:2] == ["I", "instance"]
    assert "2 claims" in out
    path = _saved_graph(tmp_path)
    assert cli.main(["show", "--list", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"label": "A", "kind": "assumption", "title": ""}]
    assert cli.main(["show"]) == 2
    assert "--list" in capsys.readouterr().err


def test_check_a_saved_graph_says_what_it_did_and_how_to_write(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    g = _tiny_library()
    g.check()
    g.save("g.json")
    assert cli.main(["check", "g.json"]) == 0
    out = capsys.readouterr().out
    assert "no checker was run" in out and "was not written" in out and "--write" in out
    assert "tied to them by their binding only" in out and ": I" in out
    assert not (tmp_path / "proofkit-report").exists()
    assert cli.main(["check", "g.json", "--json"]) == 0
    assert "--write" in json.loads(capsys.readouterr().out)["not_written"]
    # with --write: the report of this graph, titled as this graph (never the seed library's title)
    assert cli.main(["check", "g.json", "--write", "--no-pdf", "--out", "rep"]) == 0
    tex = (tmp_path / "rep" / "report.tex").read_text()
    assert "neural-network" not in tex and "Claims, proofs and certificates" in tex
    assert (tmp_path / "rep" / "graph.json").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    import os

    old = os.umask(0)
    os.umask(old)
    return old
