"""Smoke run of an installed skchaosprune (CI: the built wheel and sdist, each
in a clean venv). Run it with that venv's python from outside the source
tree, so that the installed copy is the one imported:

    cd /tmp && /path/to/venv/bin/python /path/to/.ci/smoke.py

Checks: the package comes from site-packages and its version is the
installed distribution's; every module imports (without the optional
extras); a pruned classifier and a regressor fit and predict; the console
script prints the version; ``python -m skchaosprune demo`` answers --help
and runs a tiny demo to its table and JSON.
"""

import importlib
import json
import pkgutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

import skchaosprune
from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, DenseMLPRegressor

site = Path(sysconfig.get_paths()["purelib"]).resolve()
where = Path(skchaosprune.__file__).resolve()
assert site in where.parents, f"imported {where}, not the copy installed in {site}"
version = metadata.version("skchaosprune")
assert skchaosprune.__version__ == version, (skchaosprune.__version__, version)

modules = [m.name for m in pkgutil.walk_packages(skchaosprune.__path__, "skchaosprune.")]
for name in modules:
    importlib.import_module(name)
for needed in ("skchaosprune.pruning", "skchaosprune.experiments", "skchaosprune._kernels"):
    assert needed in modules, f"{needed} is not installed"

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
# The chaos-causal pruning end to end (dense run, exponents, Granger tests,
# mask, retraining), sized as the CLI tests' fast demo.
clf = DenseMLPClassifier(
    hidden_layer_sizes=(4,), solver="sgd", momentum=0.0, batch_size=1,
    learning_rate_init=0.05, max_iter=12, random_state=0,
    pruning=ChaosCausalPruning(window=30, maxlag=3))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # convergence, collapse repair: not checked here
    clf.fit(X, y)
    reg = DenseMLPRegressor(hidden_layer_sizes=(3,), max_iter=20, random_state=0)
    reg.fit(X[:, :3], X[:, 3])
assert clf.predict(X).shape == (150,) and set(clf.predict(X)) <= {0, 1, 2}
assert clf.predict_proba(X).shape == (150, 3)
assert np.isfinite(reg.predict(X[:, :3])).all()
kept = sum(int(m.sum()) for m in clf.masks_)
total = sum(m.size for m in clf.masks_)
print(f"smoke: fit and predict (pruned classifier keeps {kept} of {total} weights, "
      f"accuracy {clf.score(X, y):.3f}; regressor R^2 {reg.score(X[:, :3], X[:, 3]):.3f})")

bindir = Path(sys.executable).parent
out = subprocess.run([str(bindir / "skchaosprune"), "--version"],
                     check=True, capture_output=True, text=True).stdout
assert out == f"skchaosprune {version}\n", out
subprocess.run([sys.executable, "-m", "skchaosprune", "demo", "--help"],
               check=True, capture_output=True)
with tempfile.TemporaryDirectory() as tmp:
    result = Path(tmp) / "demo.json"
    demo = subprocess.run(
        [sys.executable, "-m", "skchaosprune", "demo", "--dataset", "iris", "--quiet",
         "--hidden", "4", "--epochs", "12", "--window", "30", "--maxlag", "3",
         "--lr", "0.05", "--partial-epochs", "6", "--json", str(result)],
        check=True, capture_output=True, text=True)
    rows = json.loads(result.read_text())["rows"]
assert len(rows) >= 4, rows
print(f"smoke: skchaosprune {version} from {where.parent}: {len(modules)} modules import, "
      f"--version, demo --help and a tiny demo ({len(rows)} rows) pass")
