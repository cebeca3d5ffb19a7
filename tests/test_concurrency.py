"""Every joblib backend, forked children and concurrent threads give the
results of a serial run (skchaosprune._parallel says why the parallel
kernels step aside where they are unsafe).

The cases of each Numba threading layer run in a fresh Python process with
a timeout, so that a hang or an abort fails the tests instead of blocking
the suite.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

TIMEOUT = 600

PRELUDE = textwrap.dedent("""
    import json, sys
    import numpy as np
    from sklearn.datasets import load_iris
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import StandardScaler
    from skchaosprune import ChaosCausalPruning, DenseMLPClassifier
    from skchaosprune.lyapunov import windowed_lyapunov

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)

    def estimator(seed=0):
        return DenseMLPClassifier((6,), activation="sigmoid", batch_size=1, solver="sgd",
                                  momentum=0.0, alpha=0.0, learning_rate_init=0.05,
                                  max_iter=12, n_iter_no_change=float("inf"),
                                  pruning=ChaosCausalPruning(window=30, maxlag=3),
                                  random_state=seed)

    def fingerprint(est):
        return [float(est.sparsity_), float(np.sum(est.granger_pvalues_)),
                float(sum(np.abs(c).sum() for c in est.coefs_))]

    def warm_parent():
        # The parent runs the parallel kernels before any worker starts.
        rng = np.random.default_rng(0)
        windowed_lyapunov(rng.normal(size=(300, 400)), window=100)
        estimator(0).fit(X, y)
""")


def _run(code, env=None):
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=TIMEOUT, env=full_env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Terminating" not in proc.stderr, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Each case is a function of the child process that returns JSON; the cases
# of one threading layer run in one process, in this order (a Python
# process with the package imported costs about 1.6 s to start), and each
# test checks its own case.
CASES = """
    from concurrent.futures import ThreadPoolExecutor
    import multiprocessing as mp
    from joblib import parallel_backend

    def serial():
        return [fingerprint(estimator(s).fit(X, y)) for s in (0, 1, 2, 3)]

    def job(seed):
        return fingerprint(estimator(seed).fit(X, y))

    def fork_pool():
        with mp.get_context("fork").Pool(2) as pool:
            return pool.map(job, [0, 1, 2, 3])

    def threads():
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(job, [0, 1, 2, 3]))

    def grid(n_jobs):
        search = GridSearchCV(estimator(), {"pruning__alpha": [0.05, 0.5]}, cv=3,
                              n_jobs=n_jobs)
        return search.fit(X, y)

    def grid_under(backend, reference):
        with parallel_backend(backend, n_jobs=2):
            parallel = grid(2)
        return [reference.cv_results_["mean_test_score"].tolist(),
                parallel.cv_results_["mean_test_score"].tolist(),
                fingerprint(reference.best_estimator_), fingerprint(parallel.best_estimator_)]

    # The parent runs the parallel kernels before any worker starts.
    warm_parent()
    out = {}
    if not WORKQUEUE:
        out["serial"] = serial()
        out["fork"] = fork_pool()
    out["threads"] = threads()
    reference = grid(1)
    for backend in (["threading"] if WORKQUEUE else ["loky", "threading", "multiprocessing"]):
        out[f"grid-{backend}"] = grid_under(backend, reference)
    print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def default_layer():
    """The cases under Numba's default threading layer."""
    return _run("WORKQUEUE = False\n" + textwrap.dedent(CASES))


@pytest.fixture(scope="module")
def workqueue():
    """The cases under workqueue, which aborts when two threads enter a
    parallel region."""
    return _run("WORKQUEUE = True\n" + textwrap.dedent(CASES),
                env={"NUMBA_THREADING_LAYER": "workqueue"})


def test_fork_pool_after_the_parent_ran_kernels(default_layer):
    assert default_layer["fork"] == default_layer["serial"]


@pytest.mark.parametrize("layer", ["default_layer", "workqueue"])
def test_threads_fitting_at_once(default_layer, layer, request):
    """Plain threads (concurrent.futures) fitting four estimators at once,
    under the default threading layer and under workqueue."""
    assert request.getfixturevalue(layer)["threads"] == default_layer["serial"]


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_grid_search_under_every_joblib_backend(default_layer, backend):
    ref_scores, scores, ref_best, best = default_layer[f"grid-{backend}"]
    assert scores == ref_scores
    assert best == ref_best


def test_grid_search_threads_under_workqueue(workqueue):
    ref_scores, scores, ref_best, best = workqueue["grid-threading"]
    assert scores == ref_scores and best == ref_best
