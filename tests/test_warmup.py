"""``warmup_all(parallel=True)``: on a fresh install, each kernel module
compiles in a fresh process of its own, one per core at a time; the
processes write Numba's cache and this process then loads it.  Tested on a
tiny package of two kernels (compiling the real ones takes half a minute)
and, for the detection of a fresh install, on the real kernels with an
empty cache folder.  And what the warm-up is for: a fit on writable or
read-only data compiles no kernel specialization beyond it."""

import os
import subprocess
import sys

import pytest

from skchaosprune import _kernels

KERNEL = """
import numpy as np
from numba import njit


@njit(cache=True)
def double(x):
    return 2.0 * x


def warmup():
    double(np.float64(1.0))
"""


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``warmpkg`` with two kernel modules, importable here and in
    child processes; its cache goes to its own ``__pycache__``."""
    root = tmp_path / "warmpkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    for name in ("one", "two"):
        (root / f"{name}.py").write_text(KERNEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(tmp_path)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    yield "warmpkg"
    for name in [n for n in sys.modules if n == "warmpkg" or n.startswith("warmpkg.")]:
        del sys.modules[name]


def test_children_write_the_cache_that_this_process_loads(package):
    assert _kernels._uncached(["one", "two"], package) == ["one", "two"]
    _kernels._warm_in_processes(["one", "two"], package)
    assert _kernels._uncached(["one", "two"], package) == []
    from warmpkg import one

    one.warmup()
    stats = one.double.stats
    assert sum(stats.cache_hits.values()) == 1 and not sum(stats.cache_misses.values())


def test_a_failing_child_raises_with_its_error(package, tmp_path):
    (tmp_path / "warmpkg" / "bad.py").write_text(
        "def warmup():\n    raise ValueError('no kernel here')\n")
    with pytest.raises(RuntimeError, match="(?s)bad \\(exit 1\\): .*no kernel here"):
        _kernels._warm_in_processes(["one", "bad"], package)


MARKERS = """
import os, time

LOG = {log!r}


def warmup():
    open(os.path.join(LOG, "{name}.start"), "w").close()
    {body}
    open(os.path.join(LOG, "{name}.end"), "w").close()
"""


def _marking_modules(root, log, bodies):
    for name, body in bodies.items():
        (root / f"{name}.py").write_text(MARKERS.format(log=str(log), name=name, body=body))


def test_one_worker_runs_the_children_in_turn(package, tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    _marking_modules(tmp_path / "warmpkg", log, {
        "first": "time.sleep(0.2)",
        # Started only once the first ended:
        "second": "assert os.path.exists(os.path.join(LOG, 'first.end')), 'overlap'",
    })
    _kernels._warm_in_processes(["first", "second"], package, workers=1)
    assert sorted(p.name for p in log.iterdir()) == [
        "first.end", "first.start", "second.end", "second.start"]


def test_two_workers_run_two_children_at_once(package, tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    _marking_modules(tmp_path / "warmpkg", log, {
        # Ends only once the second has started (or fails after a minute):
        "first": ("t = time.time()\n"
                  "    while not os.path.exists(os.path.join(LOG, 'second.start')):\n"
                  "        assert time.time() - t < 60, 'not concurrent'\n"
                  "        time.sleep(0.01)"),
        "second": "pass",
    })
    _kernels._warm_in_processes(["first", "second"], package, workers=2)
    assert (log / "first.end").exists() and (log / "second.end").exists()


def test_a_fresh_install_is_detected_on_the_real_kernels(tmp_path):
    # An empty cache folder is what a fresh install looks like to Numba.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = ("from skchaosprune import _kernels as k; n = k._modules(); "
            "print(n, k._uncached(n))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=300, check=True).stdout.strip()
    assert out == "['granger', 'lyapunov', 'mlp'] ['granger', 'lyapunov', 'mlp']"
    # This session's warm-up (conftest) left every module cached.
    assert _kernels._uncached(_kernels._modules()) == []


FITS = """
import json
import numpy as np
from sklearn.datasets import load_iris
from skchaosprune import DenseMLPClassifier, DenseMLPRegressor, ChaosCausalPruning
from skchaosprune.pruning import IterativePruning, OBSPruning
from skchaosprune.lyapunov import divergence_curve, lyapunov_exponent, windowed_lyapunov
from skchaosprune.causality import granger_pvalues
from skchaosprune import _kernels
from skchaosprune._kernels import granger, lyapunov, mlp

def compiled():
    return {f"{m.__name__}.{k}": len(v.signatures)
            for m in (granger, lyapunov, mlp) for k, v in vars(m).items()
            if hasattr(v, "signatures") and hasattr(v, "py_func")}

_kernels.warmup_all()
before = compiled()
X, y = load_iris(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
X_ro, y_ro = X.copy(), y.copy()
X_ro.setflags(write=False)
y_ro.setflags(write=False)
sw = np.linspace(0.5, 1.5, 150)
for Xa, ya in ((X, y), (X_ro, y), (X_ro, y_ro), (X, y_ro)):
    for kw in ({}, {"solver": "sgd", "early_stopping": True}, {"solver": "lbfgs"},
               {"trajectory_dtype": "float32", "keep_trajectory": True}):
        DenseMLPClassifier((5,), max_iter=3, random_state=0, **kw).fit(Xa, ya)
        DenseMLPRegressor((5,), max_iter=3, random_state=0, **kw).fit(Xa, Xa[:, 0])
    DenseMLPClassifier((5,), max_iter=3, random_state=0).fit(Xa, ya, sample_weight=sw)
    DenseMLPClassifier((5,), max_iter=3, random_state=0).partial_fit(Xa, ya, classes=np.unique(y))
    for pruning in (ChaosCausalPruning(window=20, maxlag=2), IterativePruning(sparsity=0.5),
                    OBSPruning(0.5)):
        DenseMLPClassifier((5,), max_iter=20, batch_size=10, random_state=0,
                           pruning=pruning).fit(Xa, ya)
traj = np.random.default_rng(0).normal(size=(600, 6))
traj_ro = traj.copy()
traj_ro.setflags(write=False)
for t in (traj, traj_ro):
    les = windowed_lyapunov(t, window=50)
    lyapunov_exponent(t[:, 0])
    divergence_curve(t[:, 1], dim=2, delay=1, steps=3)
    les_ro = les.copy()
    les_ro.setflags(write=False)
    for series in (les, les_ro):
        granger_pvalues(series[:, 0], series, maxlag=1)
        granger_pvalues(series[:, 0], series, maxlag=1, method="exact")
after = compiled()
print(json.dumps({k: [before.get(k, 0), n] for k, n in after.items()
                  if n != before.get(k, 0)}))
"""


def test_fits_compile_nothing_beyond_the_warm_up():
    """Fitting on every mix of writable and read-only data (scikit-learn's
    checks and joblib pass read-only arrays), each solver, sample weights,
    partial_fit and the strategies that run kernels compiles no kernel
    specialization that ``warmup_all`` did not: a new one would compile
    inside a user's first fit (seconds per kernel tree)."""
    out = subprocess.run([sys.executable, "-c", FITS], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "{}"
