"""The command line as a user runs it."""

import subprocess
import sys

import pytest

from skchaosprune.cli import main


def test_demo_prints_test_accuracy(capsys):
    assert main(["demo", "--dataset", "iris", "--epochs", "30", "--hidden", "6"]) == 0
    out = capsys.readouterr().out
    assert "dense 4-6-3 MLP" in out
    accuracy = float(out.split("test accuracy")[1])
    assert accuracy >= 0.9


def test_module_entry_point_and_bad_arguments():
    run = subprocess.run([sys.executable, "-m", "skchaosprune", "demo", "--dataset", "nope"],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "invalid choice: 'nope'" in run.stderr
    assert "Traceback" not in run.stderr


def test_help_lists_demo(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "demo" in capsys.readouterr().out
