"""Wall time of one GridSearchCV under each joblib backend, Dask included.

Setting: iris, standardised; ``DenseMLPClassifier((6,), activation='sigmoid',
batch_size=1, learning_rate_init=0.05, max_iter=200,
pruning=ChaosCausalPruning(window=30, maxlag=3), random_state=0)``, tuned by
``GridSearchCV(..., {'pruning__alpha': [0.3, 0.5, 0.8, 1.0]}, cv=3)``: 12
fits and one refit, each a dense run with its recorded dynamics, the
exponents, the Granger tests and the retraining (200 epochs: the paper's
iris run; about 0.1 s per fit here).  ``--quick``: max_iter=12 (the size of
tests/test_distributed.py, where per-task overheads dominate);
``--max-iter N`` sets it.

The ``n_jobs=1`` run is not single-threaded throughout: in the main thread
the Lyapunov and Granger kernels run their parallel versions on every Numba
thread (skchaosprune._parallel), while loky workers get one Numba thread
each (joblib limits inner threads to cpu_count // n_jobs) and threading,
multiprocessing and Dask workers the serial kernels.

Backends, all with two workers, in this order (forking backends before any
backend that starts threads in this process): ``n_jobs=1`` (no backend),
``threading``, ``multiprocessing``, ``loky``, and ``dask`` on a
``distributed.LocalCluster(n_workers=2, threads_per_worker=1,
processes=True)`` started in this process.  Each backend gets one untimed
warm-up search first (it starts the pool or cluster workers, which import
the package and load the compiled Numba kernels from their cache); then the
search is timed ``--repeats`` times and the best (minimum) is reported with
its ratio to ``n_jobs=1`` (time / time with n_jobs=1: below 1 is faster).
The script also checks that every backend found the same scores, best
parameters and best estimator (sparsity, sum of p-values, sum of |weights|).

Only public APIs are used (scikit-learn, joblib, distributed, skchaosprune).
Needs the ``distributed`` extra for the dask row (without it the row says
so).  Run from the repository root::

    python benchmarks/bench_backends.py            # under a minute
    python benchmarks/bench_backends.py --quick    # about 15 s

Exit status is 0 (a measurement, not a test) unless the backends disagree.
"""

import argparse
import os
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import joblib  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from _common import machine  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skchaosprune import ChaosCausalPruning, DenseMLPClassifier  # noqa: E402

GRID = {"pruning__alpha": [0.3, 0.5, 0.8, 1.0]}
BACKENDS = ["n_jobs=1", "threading", "multiprocessing", "loky", "dask"]


def search(X, y, max_iter, backend):
    template = DenseMLPClassifier((6,), activation="sigmoid", batch_size=1,
                                  learning_rate_init=0.05, max_iter=max_iter,
                                  pruning=ChaosCausalPruning(window=30, maxlag=3),
                                  random_state=0)
    if backend == "n_jobs=1":
        return GridSearchCV(template, GRID, cv=3, n_jobs=1).fit(X, y)
    with joblib.parallel_backend(backend, n_jobs=2):
        return GridSearchCV(template, GRID, cv=3, n_jobs=2).fit(X, y)


def summary(result):
    best = result.best_estimator_
    return (result.cv_results_["mean_test_score"].tolist(), result.best_params_,
            [float(best.sparsity_), float(np.sum(best.granger_pvalues_)),
             float(sum(np.abs(c).sum() for c in best.coefs_))])


def timed(X, y, max_iter, backend, repeats):
    """(best seconds, summary) after an untimed warm-up search."""
    reference = summary(search(X, y, max_iter, backend))
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = search(X, y, max_iter, backend)
        best = min(best, time.perf_counter() - t0)
        assert summary(result) == reference, backend
    return best, reference


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="max_iter=12 (the test's size)")
    parser.add_argument("--max-iter", type=int, default=None,
                        help="epochs per fit (default 200, 12 with --quick)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed searches per backend (default 3)")
    args = parser.parse_args(argv)
    max_iter = args.max_iter or (12 if args.quick else 200)
    repeats = args.repeats or 3

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    try:
        import dask
        import distributed
    except ImportError:
        distributed = None
    modules = [np, numba, sklearn, joblib] + ([dask, distributed] if distributed else [])
    print("Machine:", machine(*modules), f"(numba {numba.get_num_threads()} threads)")
    n_fits = len(GRID["pruning__alpha"]) * 3
    print(f"Search: GridSearchCV, iris, 4-6-3 sigmoid, batch 1, max_iter={max_iter}, "
          f"ChaosCausalPruning(window=30, maxlag=3), {len(GRID['pruning__alpha'])} alphas "
          f"x cv=3 = {n_fits} fits + refit; 2 workers per backend")
    print(f"Timing: best (minimum) of {repeats} after one untimed warm-up search per "
          "backend, all in this process\n")

    load_before = os.getloadavg()[0]
    times, summaries, notes = {}, {}, {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for backend in BACKENDS:
            if backend != "dask":
                times[backend], summaries[backend] = timed(X, y, max_iter, backend, repeats)
                continue
            if distributed is None:
                notes[backend] = "not installed: pip install -e '.[distributed]'"
                continue
            t0 = time.perf_counter()
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                               processes=True, dashboard_address=None)
            client = distributed.Client(cluster)
            notes[backend] = f"cluster start {time.perf_counter() - t0:.1f} s, not counted"
            try:
                times[backend], summaries[backend] = timed(X, y, max_iter, backend, repeats)
            finally:
                client.close()
                cluster.close()

    header = f"{'backend':<16} {'seconds':>8} {'ratio to n_jobs=1':>18}  note"
    print(header)
    print("-" * len(header))
    base = times["n_jobs=1"]
    for backend in BACKENDS:
        if backend in times:
            print(f"{backend:<16} {times[backend]:>8.2f} {times[backend] / base:>18.2f}  "
                  f"{notes.get(backend, '')}")
        else:
            print(f"{backend:<16} {'-':>8} {'-':>18}  {notes.get(backend, '')}")

    reference = summaries["n_jobs=1"]
    same = all(s == reference for s in summaries.values())
    print(f"\nBest parameters {reference[1]}, mean test scores "
          f"{[round(s, 4) for s in reference[0]]}")
    print("Identical scores, best parameters and best estimator under every backend:",
          "yes" if same else "NO")
    print(f"Load average (1 min) before and after: {load_before:.2f}, "
          f"{os.getloadavg()[0]:.2f}: on a loaded machine the n_jobs=1 row (parallel "
          "kernels, OpenMP threads that spin while they wait) slows most")
    kinds = sorted({w.category.__name__ for w in caught})
    print(f"Warnings raised in this process: {len(caught)} {kinds if kinds else ''}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
