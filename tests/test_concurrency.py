"""Every joblib backend, forked children and concurrent threads give the
results of a serial run (skchaosprune._parallel says why the parallel
kernels step aside where they are unsafe).

Each case runs in a fresh Python process with a timeout, so that a hang or
an abort fails the test instead of blocking the suite.
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


def _serial_fingerprints():
    return _run("""
        print(json.dumps([fingerprint(estimator(s).fit(X, y)) for s in (0, 1, 2, 3)]))
    """)


@pytest.fixture(scope="module")
def serial():
    return _serial_fingerprints()


def test_fork_pool_after_the_parent_ran_kernels(serial):
    got = _run("""
        import multiprocessing as mp
        warm_parent()
        def job(seed):
            return fingerprint(estimator(seed).fit(X, y))
        with mp.get_context("fork").Pool(2) as pool:
            print(json.dumps(pool.map(job, [0, 1, 2, 3])))
    """)
    assert got == serial


@pytest.mark.parametrize("layer", [None, "workqueue"])
def test_threads_fitting_at_once(serial, layer):
    """Plain threads (concurrent.futures) fitting four estimators at once,
    under the default threading layer and under workqueue (which aborts when
    two threads enter a parallel region)."""
    env = {"NUMBA_THREADING_LAYER": layer} if layer else None
    got = _run("""
        from concurrent.futures import ThreadPoolExecutor
        warm_parent()
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda s: fingerprint(estimator(s).fit(X, y)), [0, 1, 2, 3]))
        print(json.dumps(results))
    """, env=env)
    assert got == serial


GRID = """
    from joblib import parallel_backend
    warm_parent()
    def grid(n_jobs):
        search = GridSearchCV(estimator(), {"pruning__alpha": [0.05, 0.5]}, cv=3,
                              n_jobs=n_jobs)
        return search.fit(X, y)
    reference = grid(1)
    with parallel_backend(BACKEND, n_jobs=2):
        parallel = grid(2)
    print(json.dumps([
        reference.cv_results_["mean_test_score"].tolist(),
        parallel.cv_results_["mean_test_score"].tolist(),
        fingerprint(reference.best_estimator_), fingerprint(parallel.best_estimator_),
    ]))
"""


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_grid_search_under_every_joblib_backend(backend):
    ref_scores, scores, ref_best, best = _run(f"BACKEND = {backend!r}\n" + textwrap.dedent(GRID))
    assert scores == ref_scores
    assert best == ref_best


def test_grid_search_threads_under_workqueue():
    ref_scores, scores, ref_best, best = _run(
        "BACKEND = 'threading'\n" + textwrap.dedent(GRID),
        env={"NUMBA_THREADING_LAYER": "workqueue"})
    assert scores == ref_scores and best == ref_best
