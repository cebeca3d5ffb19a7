"""The command line as a user runs it."""

import json
import re
import subprocess
import sys

import pytest

from skchaosprune.cli import build_parser, main

FAST = ["--hidden", "4", "--epochs", "12", "--window", "30", "--maxlag", "3", "--lr", "0.05"]
# FAST with a PT run (6 of the 12 epochs) long enough for maxlag 3 under
# either length rule (11 or 17 windows of 30 updates).
FAST_PT = [*FAST, "--partial-epochs", "6"]


def test_demo_prints_one_table_with_every_method(capsys, tmp_path):
    out_json = tmp_path / "demo.json"
    assert main(["demo", "--dataset", "iris", "--quiet", "--json", str(out_json), *FAST]) == 0
    out = capsys.readouterr().out
    assert "sklearn iris: 4-4-3 sigmoid MLP" in out
    assert "window 30, maxlag 3, risk loss, alpha 0.05" in out
    for method in ("dense", "chaos_ft", "chaos_pt", "magnitude", "random"):
        assert f" {method} " in out
    for column in ("accuracy", "macro F1", "pruned %", "FLOPs", "epochs to bench", "fit s"):
        assert column in out
    payload = json.loads(out_json.read_text())
    rows = {row["method"]: row for row in payload["rows"]}
    assert set(rows) == {"dense", "chaos_ft", "chaos_pt", "magnitude", "random"}
    # The baselines prune as much as the chaos-causal FT mask.
    assert rows["magnitude"]["sparsity"] == rows["chaos_ft"]["sparsity"]
    assert rows["random"]["sparsity"] == rows["chaos_ft"]["sparsity"]
    assert rows["dense"]["sparsity"] == 0.0 and rows["dense"]["flops"] == 2 * (16 + 12) + 4 + 3
    for method in ("chaos_ft", "chaos_pt"):
        assert (rows[method]["window"], rows[method]["maxlag"]) == (30, 3)
    for method in ("dense", "magnitude", "random"):
        assert (rows[method]["window"], rows[method]["maxlag"]) == (None, None)


@pytest.mark.parametrize("dataset", ["iris", "wine", "breast_cancer"])
def test_demo_with_the_default_window_and_maxlag(dataset, capsys, tmp_path):
    out_json = tmp_path / "demo.json"
    assert main(["demo", "--dataset", dataset, "--quiet", "--epochs", "12", "--hidden", "8",
                 "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    rows = json.loads(out_json.read_text())["rows"]
    assert [r["method"] for r in rows] == ["dense", "chaos_ft", "chaos_pt", "magnitude",
                                           "random"]
    ft = rows[1]
    # 'auto' resolved to numbers and printed (FT's); PT uses FT's window,
    # and its maxlag from its own, no more, windows.
    assert isinstance(ft["window"], int) and ft["window"] >= 20
    assert isinstance(ft["maxlag"], int) and 1 <= ft["maxlag"] <= 14
    pt = rows[2]
    assert pt["window"] == ft["window"]
    assert isinstance(pt["maxlag"], int) and 1 <= pt["maxlag"] <= ft["maxlag"]
    assert pt["dense_epochs"] <= ft["dense_epochs"] == 12
    assert f"window {ft['window']}, maxlag {ft['maxlag']}, risk loss" in out
    assert "auto" not in out
    for r in rows:
        assert f" {r['method']} " in out
        if not r["method"].startswith("chaos"):
            assert (r["window"], r["maxlag"]) == (None, None)


def test_demo_risk_error(capsys, tmp_path):
    out_json = tmp_path / "demo.json"
    # (4 hidden units: every weight fails the 'error' risk's tests on this
    # short run, and the no-collapse error stops the demo; 6 keep a path.)
    assert main(["demo", "--dataset", "iris", "--quiet", "--risk", "error",
                 "--json", str(out_json), *FAST, "--hidden", "6"]) == 0
    assert "window 30, maxlag 3, risk error" in capsys.readouterr().out
    rows = {row["method"]: row for row in json.loads(out_json.read_text())["rows"]}
    assert rows["magnitude"]["sparsity"] == rows["chaos_ft"]["sparsity"]


def test_demo_on_a_csv_file(capsys, tmp_path):
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    path = tmp_path / "my_flowers.csv"
    frame.to_csv(path, index=False)
    out_json = tmp_path / "demo.json"
    assert main(["demo", "--csv", str(path), "--target", "target", "--quiet",
                 "--json", str(out_json), *FAST]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: 4-4-3 sigmoid MLP")
    # The rows are named after the file, not 'csv'.
    lines = _table(out)
    assert set(lines) == {"dense", "chaos_ft", "chaos_pt", "magnitude", "random"}
    assert all(line.startswith("my_flowers ") for line in lines.values())
    assert {r["dataset"] for r in json.loads(out_json.read_text())["rows"]} == {"my_flowers"}


def test_demo_csv_errors_name_the_problem(tmp_path, capsys):
    cases = {
        "a,b,y\n1,x,0\n3,4,1\n": "non-numeric feature columns ['b']",
        "a,b,y\n1,,0\n3,4,1\n": "missing values",
        "a,b,y\n1,2\n3,4,1\n": "every row must have 3 fields",
        "a,b,y\n": "needs a header line and data rows",
    }
    for text, message in cases.items():
        path = tmp_path / "bad.csv"
        path.write_text(text)
        assert main(["demo", "--csv", str(path), "--target", "y", "--quiet"]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["demo", "--csv", "/nonexistent/file.csv", "--target", "y"],
     "cannot read /nonexistent/file.csv"),
    (["demo", "--csv", "{csv}"], "--csv needs --target"),
    (["demo", "--csv", "{csv}", "--target", "nope"], "has no column 'nope'"),
    (["demo", "--epochs", "0"], "--epochs must be at least 1"),
    (["demo", "--partial-epochs", "0"], "--partial-epochs must be at least 1"),
    (["demo", "--window", "0"], "--window must be at least 1"),
    (["demo", "--dataset", "iris", "--window", "1", "--quiet"], "'--window' parameter"),
    (["reproduce", "--data-dir", "/nonexistent", "--datasets", "banknote"], "binary_banknote.csv"),
    (["reproduce", "--data-dir", "/nonexistent", "--datasets", "mnist"], "unknown dataset"),
])
def test_errors_are_one_line_without_traceback(argv, message, tmp_path, capsys):
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n1,2,0\n3,4,1\n")
    argv = [a.replace("{csv}", str(csv)) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("skchaosprune: error:")
    assert "Traceback" not in err


def _table(out):
    """The demo's table lines by method: {method: line}."""
    return {line.split()[1]: line for line in out.splitlines()
            if len(line.split()) > 2 and line.split()[1] in
            ("dense", "chaos_ft", "chaos_pt", "magnitude", "random")}


@pytest.mark.parametrize("argv, failed, message", [
    (["--epochs", "1", "--batch-size", "32"], ("chaos_ft", "chaos_pt"),
     "too short for chaos-causal pruning"),
    (["--epochs", "2", "--window", "30", "--maxlag", "3"], ("chaos_ft", "chaos_pt"),
     "too short for chaos-causal pruning: --epochs=2 gives 216 updates"),
    (["--epochs", "12", "--window", "30", "--maxlag", "3", "--partial-epochs", "1",
      "--hidden", "4"], ("chaos_pt",),
     "too short for chaos-causal pruning: --partial-epochs=1 gives 108 updates"),
])
def test_a_run_too_short_for_a_method_fails_in_its_row(argv, failed, message, capsys):
    # The methods that could run keep their rows; the one that could not
    # says why in its own (and magnitude and random, which prune at the FT
    # mask's sparsity, say they were skipped when FT failed).
    assert main(["demo", "--dataset", "iris", "--quiet", *argv]) == 0
    lines = _table(capsys.readouterr().out)
    assert set(lines) == {"dense", "chaos_ft", "chaos_pt", "magnitude", "random"}
    for method in failed:
        assert lines[method].split()[2:6] == ["0", "failed:", "The", "dense"], lines[method]
    assert message in lines[failed[0]]
    assert "0.0" in lines["dense"] and "failed" not in lines["dense"]
    for method in ("magnitude", "random"):
        if "chaos_ft" in failed:
            assert (f"skipped: {method} prunes at chaos_ft's sparsity, and chaos_ft failed"
                    in lines[method])
        else:
            assert "failed" not in lines[method] and "skipped" not in lines[method]


def test_too_short_run_names_the_cli_flags(capsys):
    argv = ["demo", "--dataset", "iris", "--epochs", "2", "--window", "30", "--maxlag", "3",
            "--quiet"]
    assert main(argv) == 0
    row = _table(capsys.readouterr().out)["chaos_ft"]
    assert "--epochs" in row and "max_iter" not in row
    assert "Train longer (--epochs)" in row
    assert "--batch-size" in row and "batch_size" not in row
    assert "--window=30" in row and "--maxlag=3" in row


_PT_BROKE = RuntimeError("the PT decision broke\nsecond line")


def _fail_partial(monkeypatch, exc=_PT_BROKE):
    """Make the chaos-causal decision raise for mode='partial' only (the
    rest of the pipeline runs as it is)."""
    from skchaosprune import ChaosCausalPruning

    decide = ChaosCausalPruning.decide

    def failing(self, context):
        if self.mode == "partial":
            raise exc
        return decide(self, context)

    monkeypatch.setattr(ChaosCausalPruning, "decide", failing)


def test_demo_keeps_every_row_when_one_method_raises(monkeypatch, capsys, tmp_path):
    _fail_partial(monkeypatch)
    out_json = tmp_path / "demo.json"
    assert main(["demo", "--dataset", "iris", "--quiet", "--json", str(out_json),
                 *FAST_PT]) == 0
    captured = capsys.readouterr()
    lines = _table(captured.out)
    assert set(lines) == {"dense", "chaos_ft", "chaos_pt", "magnitude", "random"}
    # The failed row: the error's type and its first line only.
    assert lines["chaos_pt"].endswith("failed: RuntimeError: the PT decision broke")
    for method in ("dense", "chaos_ft", "magnitude", "random"):
        assert "failed" not in lines[method] and "+/-" not in lines[method]
        assert len(lines[method].split()) == 3 + 7, lines[method]
    assert "Traceback" not in captured.err and "skchaosprune: error" not in captured.err
    rows = {r["method"]: r for r in json.loads(out_json.read_text())["rows"]}
    assert rows["chaos_pt"]["error"] == "RuntimeError: the PT decision broke"
    assert rows["chaos_pt"]["accuracy"] is None and rows["chaos_pt"]["sparsity"] is None
    assert all(rows[m]["error"] is None for m in ("dense", "chaos_ft", "magnitude", "random"))
    assert rows["magnitude"]["sparsity"] == rows["chaos_ft"]["sparsity"]


def test_demo_keeps_the_dense_row_when_chaos_ft_raises(monkeypatch, capsys):
    from skchaosprune import ChaosCausalPruning

    def failing(self, context):
        raise ValueError("no mask today")

    monkeypatch.setattr(ChaosCausalPruning, "decide", failing)
    assert main(["demo", "--dataset", "iris", "--quiet", *FAST_PT]) == 0
    lines = _table(capsys.readouterr().out)
    assert lines["chaos_ft"].split()[3:] == "failed: no mask today".split()  # no type: ValueError
    assert lines["chaos_pt"].split()[3:] == "failed: no mask today".split()
    assert lines["magnitude"].endswith(
        "skipped: magnitude prunes at chaos_ft's sparsity, and chaos_ft failed")
    assert "failed" not in lines["dense"] and "skipped" not in lines["dense"]


def test_demo_fails_when_every_method_fails(monkeypatch, capsys):
    from skchaosprune import DenseMLPClassifier

    def failing(self, X, y, **kwargs):
        raise RuntimeError("nothing trains")

    monkeypatch.setattr(DenseMLPClassifier, "fit", failing)
    assert main(["demo", "--dataset", "iris", "--quiet", *FAST]) == 1
    captured = capsys.readouterr()
    lines = _table(captured.out)
    assert set(lines) == {"dense", "chaos_ft", "chaos_pt", "magnitude", "random"}
    assert lines["dense"].split()[3:] == "failed: RuntimeError: nothing trains".split()
    assert captured.err == ("skchaosprune: error: every method failed; the first: "
                            "RuntimeError: nothing trains\n")


def test_reproduce_keeps_every_row_when_one_method_raises(data_dir, monkeypatch, capsys,
                                                         tmp_path):
    from skchaosprune import MagnitudePruning

    decide, calls = MagnitudePruning.decide, []

    def failing_once(self, context):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("magnitude broke on seed 0")
        return decide(self, context)

    monkeypatch.setattr(MagnitudePruning, "decide", failing_once)
    out_json = tmp_path / "rep.json"
    assert main(["reproduce", "--data-dir", str(data_dir), "--datasets", "iris3", "--seeds",
                 "2", "--quiet", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    lines = _table(out)
    assert set(lines) == {"dense", "chaos_ft", "chaos_pt", "magnitude", "random"}
    # The summary averages the seed that worked and says the other failed.
    assert lines["magnitude"].endswith("1 of 2 failed: RuntimeError: magnitude broke on seed 0")
    assert "+/-" in lines["magnitude"]
    payload = json.loads(out_json.read_text())
    magnitude = next(s for s in payload["summary"] if s["method"] == "magnitude")
    assert (magnitude["n"], magnitude["failed"]) == (2, 1)
    ok = [r for r in payload["rows"] if r["method"] == "magnitude" and r["error"] is None]
    assert len(ok) == 1 and magnitude["accuracy"] == [ok[0]["accuracy"], 0.0]


def test_unreadable_paper_file(tmp_path, capsys):
    (tmp_path / "binary_banknote.csv").write_text("not,a\nnumber,table\n")
    assert main(["reproduce", "--data-dir", str(tmp_path), "--datasets", "banknote"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "skchaosprune: error: cannot read the banknote data (binary_banknote.csv)")
    assert err.count("\n") == 1


def test_bad_arguments_exit_2_in_one_line():
    run = subprocess.run([sys.executable, "-m", "skchaosprune", "demo", "--dataset", "nope"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "invalid choice: 'nope'" in run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


@pytest.mark.parametrize("flag", ["--window", "--maxlag"])
def test_bad_window_or_maxlag_exits_2_in_one_line(flag, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", flag, "abc"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: expected 'auto' or an integer, got 'abc'" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_window_and_maxlag_default_to_auto():
    args = build_parser().parse_args(["demo"])
    assert (args.window, args.maxlag, args.risk) == ("auto", "auto", "loss")
    args = build_parser().parse_args(["demo", "--window", "auto", "--maxlag", "7"])
    assert (args.window, args.maxlag) == ("auto", 7)
    args = build_parser().parse_args(["reproduce", "--data-dir", "d"])
    assert args.risk == "error"
    args = build_parser().parse_args(["reproduce", "--data-dir", "d", "--risk", "loss"])
    assert args.risk == "loss"


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "demo" in out and "reproduce" in out


def test_reproduce_on_the_paper_data(data_dir, capsys, tmp_path):
    out_json = tmp_path / "rep.json"
    code = main(["reproduce", "--data-dir", str(data_dir), "--datasets", "banknote",
                 "--seeds", "2", "--quiet", "--json", str(out_json)])
    assert code == 0
    out = capsys.readouterr().out
    assert "banknote" in out and "chaos_pt" in out and "+/-" in out
    assert "risk=error" in out
    payload = json.loads(out_json.read_text())
    assert {row["seed"] for row in payload["rows"]} == {0, 1}
    # The paper's window and maxlag for banknote, in the chaos-causal rows.
    for row in payload["rows"]:
        chaos = row["method"].startswith("chaos")
        assert (row["window"], row["maxlag"]) == ((250, 14) if chaos else (None, None))


def _project_version():
    """The version as pyproject.toml declares it (not the code under test)."""
    from pathlib import Path

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, as tomli
        import tomli as tomllib
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    return tomllib.loads(text)["project"]["version"]


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"skchaosprune {_project_version()}\n"


def test_version_flag_of_python_m():
    done = subprocess.run([sys.executable, "-m", "skchaosprune", "--version"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"skchaosprune {_project_version()}\n"
    assert done.stderr == ""


def test_version_flag_of_the_console_script():
    import shutil

    script = shutil.which("skchaosprune")
    if script is None:
        pytest.skip("the skchaosprune console script is not installed")
    done = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["skchaosprune", _project_version()]


def _installed_versions():
    """Versions as the installed distributions report them."""
    from importlib import metadata

    return {name: metadata.version(name)
            for name in ("numpy", "scipy", "numba", "scikit-learn", "statsmodels")}


def test_demo_json_records_the_settings_and_the_versions(tmp_path, capsys):
    import platform

    out_json = tmp_path / "demo.json"
    argv = ["demo", "--dataset", "iris", "--quiet", "--json", str(out_json), "--alpha", "0.2",
            "--seed", "3", *FAST]
    assert main(argv) == 0
    capsys.readouterr()
    payload = json.loads(out_json.read_text())
    versions = payload["versions"]
    assert versions["skchaosprune"] == _project_version()
    assert versions["python"] == platform.python_version()
    for name, version in _installed_versions().items():
        assert versions[name] == version, name
    arguments = payload["arguments"]
    # Every option, those given and the defaults.
    assert arguments["dataset"] == "iris" and arguments["alpha"] == 0.2
    assert arguments["seed"] == 3 and arguments["hidden"] == 4 and arguments["epochs"] == 12
    assert arguments["window"] == 30 and arguments["maxlag"] == 3 and arguments["lr"] == 0.05
    assert arguments["risk"] == "loss" and arguments["batch-size"] == 1
    assert arguments["benchmark"] == 0.9 and arguments["json"] == str(out_json)
    settings = payload["settings"]
    assert settings["estimator"]["hidden_layer_sizes"] == [4]
    assert settings["estimator"]["max_iter"] == 12
    assert settings["estimator"]["learning_rate_init"] == 0.05
    assert settings["estimator"]["random_state"] == 3
    assert settings["estimator"]["activation"] == "sigmoid"
    assert settings["pruning"]["alpha"] == 0.2
    assert (settings["pruning"]["window"], settings["pruning"]["maxlag"]) == (30, 3)
    assert settings["pruning"]["risk"] == "loss"
    # Strict JSON (no NaN/Infinity) in what the settings record.
    json.dumps(settings, allow_nan=False)


def test_sweep_json_records_the_arguments_and_the_versions(tmp_path, capsys):
    out_json = tmp_path / "sweep.json"
    assert main(["sweep", "--dataset", "iris", "--quick", "--quiet", "--hidden", "4",
                 "--epochs", "8", "--sparsities", "0.5", "--json", str(out_json)]) == 0
    capsys.readouterr()
    payload = json.loads(out_json.read_text())
    assert payload["command"] == "sweep"
    assert payload["versions"]["skchaosprune"] == _project_version()
    for name, version in _installed_versions().items():
        assert payload["versions"][name] == version, name
    assert payload["arguments"]["dataset"] == ["iris"]
    assert payload["arguments"]["sparsities"] == ["0.5"]
    assert payload["arguments"]["quick"] is True and payload["arguments"]["hidden"] == 4
    assert payload["settings"]["sparsities"] == [0.5]   # the study's own settings stay


def test_reproduce_help_cites_the_method_page(capsys):
    for command in ("reproduce", "demo", "sweep"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "ALGORITHM" not in text
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    assert "docs/method.md section 9" in " ".join(capsys.readouterr().out.split())


def _warn_in_magnitude(monkeypatch):
    """MagnitudePruning's decision warns (in two lines), then decides."""
    import warnings

    from skchaosprune import MagnitudePruning

    decide = MagnitudePruning.decide

    def warning(self, context):
        warnings.warn("a warning\n  over two lines", UserWarning, stacklevel=2)
        return decide(self, context)

    monkeypatch.setattr(MagnitudePruning, "decide", warning)


def test_demo_prints_warnings_in_one_line_each(monkeypatch, capsys):
    _warn_in_magnitude(monkeypatch)
    assert main(["demo", "--dataset", "iris", "--quiet", *FAST_PT]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "skchaosprune: warning (magnitude): UserWarning: a warning over two lines" in err
    assert all(line.startswith("skchaosprune: warning (") for line in err), err
    assert not any(".py:" in line or "warnings.warn" in line for line in err)


def test_reproduce_prints_warnings_in_one_line_each(data_dir, monkeypatch, capsys):
    import warnings

    _warn_in_magnitude(monkeypatch)
    assert main(["reproduce", "--data-dir", str(data_dir), "--datasets", "iris3",
                 "--seeds", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert ("skchaosprune: warning (iris3 seed 0: magnitude): UserWarning: a warning over "
            "two lines") in err
    assert all(line.startswith("skchaosprune: warning (iris3 seed 0: ") for line in err), err
    assert not any(".py:" in line or "runpy" in line for line in err)
    assert captured.out.startswith("The paper's experiments (scaling=per_feature, risk=error), "
                                   "mean +/- std over 1 seed\n")
    # The command's handler is gone once it returns.
    assert warnings.showwarning is not None and \
        warnings.showwarning.__module__ != "skchaosprune.cli"


def test_titles_count_in_the_singular_and_the_plural(capsys):
    assert main(["demo", "--dataset", "iris", "--quiet", "--epochs", "1", "--batch-size",
                 "32"]) == 0
    assert "SGD (batch 32) x 1 epoch, window" in capsys.readouterr().out
    assert main(["demo", "--dataset", "iris", "--quiet", *FAST_PT]) == 0
    assert "SGD (batch 1) x 12 epochs, window 30" in capsys.readouterr().out


def test_readme_set_up_gives_the_python_versions_a_venv_and_two_commands():
    import re
    from pathlib import Path

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, as tomli
        import tomli as tomllib
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    # Exactly two commands to run: the main job and the tests.
    blocks = re.findall(r"```\n(.*?)```", section, flags=re.S)
    assert [b.strip() for b in blocks] == [
        "python -m pip install . && python -m skchaosprune demo",
        'python -m pip install -e ".[test]" && python -m pytest']
    # The oldest version named is pyproject's requires-python.
    requires = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "requires-python"]
    oldest = re.fullmatch(r">=(\d+\.\d+)", requires).group(1)
    assert re.search(rf"Python {re.escape(oldest)} to 3\.\d+", section)
    assert "python -m venv .venv && . .venv/bin/activate" in section
    # The time of the whole command (install and first demo), not "a minute".
    assert "about a minute" not in section
    assert re.search(r"whole command took \d+ min \d+ s", section)


def test_reproduce_n_jobs_prints_the_serial_table(data_dir, capsys):
    argv = ["reproduce", "--data-dir", str(data_dir), "--datasets", "iris", "--seeds", "2",
            "--quiet"]
    assert main(argv) == 0
    serial = capsys.readouterr().out
    assert main([*argv, "--n-jobs", "2"]) == 0
    parallel = capsys.readouterr().out

    def without_fit_seconds(text):   # the 'fit s' column (2 decimals) is a wall time
        return [[t for t in line.split() if not re.fullmatch(r"\d+\.\d\d", t)]
                for line in text.splitlines()]

    assert without_fit_seconds(parallel) == without_fit_seconds(serial)
    assert main([*argv, "--n-jobs", "0"]) == 1
    assert "--n-jobs must not be 0" in capsys.readouterr().err


def test_sweep_methods_regimes_regression_and_n_jobs(capsys, tmp_path):
    out_json = tmp_path / "s.json"
    assert main(["sweep", "--dataset", "iris", "--regression", "diabetes", "--quick",
                 "--quiet", "--sparsities", "0.5", "--methods", "lamp", "small_dense",
                 "fresh_magnitude",
                 "--regime", "paper", "sklearn", "--n-jobs", "2",
                 "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out_json.read_text())
    # fresh_magnitude brings its source, magnitude.
    assert payload["settings"]["methods"] == ["dense", "magnitude", "lamp", "fresh_magnitude",
                                              "small_dense"]
    assert payload["settings"]["datasets"] == ["sklearn_iris", "sklearn_diabetes",
                                               "sklearn_iris@sklearn",
                                               "sklearn_diabetes@sklearn"]
    assert payload["arguments"]["n-jobs"] == 2
    assert "sklearn_diabetes (10-32-1 sigmoid, identity output" in out
    assert "test R^2; dense" in out and "cost, s (x the dense training)" in out
    assert "Findings at 0.05 after adjusting" in out
    assert "lamp against magnitude: mean score difference" in out
    assert "holm=" in out and "bh=" in out
    with pytest.raises(SystemExit):
        main(["sweep", "--dataset", "iris", "--methods", "nope"])
