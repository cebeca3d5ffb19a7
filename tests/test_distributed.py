"""GridSearchCV and cross_validate on a Dask cluster (joblib's ``dask``
backend) give the results of the same search under loky.

Needs the ``distributed`` extra (``pip install -e ".[distributed]"``); the
whole module is skipped without it.  A real ``LocalCluster`` of two worker
processes (one thread each, started by spawn) is started once for the
module.  What is shipped to the workers is the pickled estimator with its
strategy and the data of each split; the workers' fits run in a worker
thread, so skchaosprune._parallel gives them the serial kernels, which are
bit-identical to the parallel ones: every comparison below is exact.

Hangs fail instead of blocking: every cluster operation runs in a daemon
thread with a timeout, and a faulthandler watchdog dumps the stacks and
ends the process if the module as a whole overruns.
"""

import faulthandler
import functools
import json
import os
import pickle
import sys
import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

distributed = pytest.importorskip("distributed")

import cloudpickle  # noqa: E402  (a dependency of distributed)
from joblib import parallel_backend  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_validate  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skchaosprune import (  # noqa: E402
    CausalPruningTransformer,
    ChaosCausalPruning,
    DenseMLPClassifier,
)
from skchaosprune._parallel import parallel_allowed  # noqa: E402

STEP_TIMEOUT = 120      # seconds for one cluster start, search or close
MODULE_TIMEOUT = 600    # the watchdog: dump every stack and exit

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)

# Grids without failing candidates (smaller alphas cut outputs off on some
# folds of these short runs) and with distinct scores on the estimator.
GRIDS = {
    "estimator": {"pruning__alpha": [0.5, 0.7, 0.9]},
    "pipeline": {"prune__pruning__alpha": [0.3, 0.5, 0.7]},
    "pipeline_memory": {"prune__pruning__alpha": [0.3, 0.5, 0.7]},
}


def _network(pruning=None):
    return DenseMLPClassifier((6,), activation="sigmoid", batch_size=1, solver="sgd",
                              momentum=0.0, alpha=0.0, learning_rate_init=0.05,
                              max_iter=12, n_iter_no_change=float("inf"),
                              pruning=pruning, random_state=0)


def _make(case, memory=None):
    if case == "estimator":
        return _network(ChaosCausalPruning(window=30, maxlag=3))
    return Pipeline([
        ("prune", CausalPruningTransformer(_network(),
                                           pruning=ChaosCausalPruning(window=30, maxlag=3),
                                           memory=memory)),
        ("clf", LogisticRegression(max_iter=500)),
    ])


def _fingerprint(model):
    """Sparsity, sum of the Granger p-values and sum of |weights|; for the
    pipeline (whose transformer keeps a dense network and decides its mask
    lazily), the mask's sparsity, the sums of the exponents and risks the
    p-values came from, of |dense weights| and of |logistic weights|, and
    the support."""
    if isinstance(model, DenseMLPClassifier):
        return [float(model.sparsity_), float(np.sum(model.granger_pvalues_)),
                float(sum(np.abs(c).sum() for c in model.coefs_))]
    prune, clf = model.named_steps["prune"], model.named_steps["clf"]
    keep = np.concatenate([m.ravel() for m in prune.masks_])
    net = prune.estimator_
    return [float(1 - keep.mean()), float(np.sum(net.lyapunov_exponents_)),
            float(np.sum(net.risk_series_)), float(sum(np.abs(c).sum() for c in net.coefs_)),
            float(np.abs(clf.coef_).sum()), prune.get_support().tolist()]


def _within(seconds, fn, *args, **kwargs):
    """fn(*args, **kwargs) in a daemon thread; a test failure after
    ``seconds`` (a daemon thread does not keep a hung process alive)."""
    box = {}

    def target():
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # re-raised in the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True,
                              name=f"within-{getattr(fn, '__name__', 'call')}")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        faulthandler.dump_traceback(file=sys.stderr)
        pytest.fail(f"{getattr(fn, '__name__', fn)} did not finish within {seconds} s "
                    "(a hang on the cluster?); stacks dumped to stderr")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _start():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True,
        dashboard_address=None, worker_dashboard_address=None,
        death_timeout=STEP_TIMEOUT)            # a worker without a scheduler exits
    try:
        client = distributed.Client(cluster, timeout=STEP_TIMEOUT)
        client.wait_for_workers(2, timeout=STEP_TIMEOUT)
    except BaseException:
        cluster.close(timeout=STEP_TIMEOUT)
        raise
    return cluster, client


def _stop(cluster, client):
    try:
        client.close(timeout=STEP_TIMEOUT)
    finally:
        cluster.close(timeout=STEP_TIMEOUT)


@pytest.fixture(scope="module")
def client():
    faulthandler.dump_traceback_later(MODULE_TIMEOUT, exit=True)
    try:
        cluster, client = _within(STEP_TIMEOUT, _start)
        client.pids_at_start = client.run(os.getpid)
        try:
            yield client
        finally:
            _within(STEP_TIMEOUT, _stop, cluster, client)
    finally:
        faulthandler.cancel_dump_traceback_later()


def _run(kind, case, backend, memory=None):
    """One search (kind 'grid') or cross-validation (kind 'cv') with the
    model of ``case``, as a user would write it, under ``backend``."""
    # joblib's backend setting is per thread: set it in the thread that runs.
    with warnings.catch_warnings(record=True) as caught, \
            parallel_backend(backend, **({"n_jobs": 2} if backend == "loky" else {})):
        warnings.simplefilter("always")
        if kind == "grid":
            result = GridSearchCV(_make(case, memory), GRIDS[case], cv=3,
                                  n_jobs=2).fit(X, y)
        else:
            model = _make(case, memory).set_params(
                **{key: 0.5 for key in GRIDS[case]})   # a candidate that fits on every fold
            result = cross_validate(model, X, y, cv=3, n_jobs=2, return_estimator=True)
    # The fixed-length runs (n_iter_no_change=inf) end at max_iter with
    # scikit-learn's ConvergenceWarning; anything else is a fault.
    other = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    assert not other, [str(w.message) for w in other]
    return result


@functools.cache
def _cached(kind, case, backend, memory_dir=None):
    return _within(STEP_TIMEOUT, _run, kind, case, backend, memory_dir)


@functools.cache
def _cached_on_dask(client, kind, case, memory_dir=None):
    with distributed.get_task_stream(client=client) as stream:
        result = _cached(kind, case, "dask", memory_dir)
    return result, {task["worker"] for task in stream.data}


def _dask(client, kind, case, memory_dir=None):
    result, workers = _cached_on_dask(client, kind, case, memory_dir)
    # The fits ran on the cluster's workers, and none of them died and was
    # replaced (an abort in a kernel would do that).
    assert workers and workers <= set(client.pids_at_start)
    assert client.run(os.getpid) == client.pids_at_start
    return result


SCORE_KEYS = ("mean_test_score", "std_test_score", "rank_test_score",
              "split0_test_score", "split1_test_score", "split2_test_score")


def _assert_same_search(got, expected):
    for key in SCORE_KEYS:
        np.testing.assert_array_equal(got.cv_results_[key], expected.cv_results_[key],
                                      err_msg=key)
    assert got.cv_results_["params"] == expected.cv_results_["params"]
    assert got.best_index_ == expected.best_index_
    assert got.best_params_ == expected.best_params_
    assert got.best_score_ == expected.best_score_
    assert _fingerprint(got.best_estimator_) == _fingerprint(expected.best_estimator_)


@pytest.mark.parametrize("case", ["estimator", "pipeline"])
def test_grid_search_on_dask_equals_loky(client, case):
    got = _dask(client, "grid", case)
    expected = _cached("grid", case, "loky")
    _assert_same_search(got, expected)
    if case == "estimator":     # the candidates really differ
        assert len(set(got.cv_results_["mean_test_score"])) == 3


def test_grid_search_with_memory_on_dask_equals_loky(client, tmp_path_factory):
    """The transformer's cache of dense runs, written by the worker
    processes (a directory they all reach: here the local disk)."""
    dask_dir = str(tmp_path_factory.mktemp("cache_dask"))
    loky_dir = str(tmp_path_factory.mktemp("cache_loky"))
    got = _dask(client, "grid", "pipeline_memory", dask_dir)
    expected = _cached("grid", "pipeline_memory", "loky", loky_dir)
    _assert_same_search(got, expected)
    _assert_same_search(got, _cached("grid", "pipeline", "loky"))
    assert os.listdir(dask_dir)   # the workers wrote the cache


@pytest.mark.parametrize("case", ["estimator", "pipeline"])
def test_cross_validate_on_dask_equals_loky(client, case):
    got = _dask(client, "cv", case)
    expected = _cached("cv", case, "loky")
    np.testing.assert_array_equal(got["test_score"], expected["test_score"])
    assert ([_fingerprint(e) for e in got["estimator"]]
            == [_fingerprint(e) for e in expected["estimator"]])


def test_dask_workers_run_the_serial_kernels(client):
    """A worker's tasks run in a worker thread, not its main thread."""
    futures = [client.submit(parallel_allowed, pure=False, workers=[address])
               for address in client.pids_at_start]
    assert _within(STEP_TIMEOUT, client.gather, futures) == [False, False]


@pytest.mark.parametrize("case", ["estimator", "pipeline"])
def test_best_estimator_survives_pickling_and_predicts_on_a_worker(client, case):
    best = _dask(client, "grid", case).best_estimator_
    expected_labels, expected_proba = best.predict(X), best.predict_proba(X)
    for module in (pickle, cloudpickle):     # what joblib and Dask ship with
        copy = module.loads(module.dumps(best))
        assert _fingerprint(copy) == _fingerprint(best)
        np.testing.assert_array_equal(copy.predict(X), expected_labels)
        np.testing.assert_array_equal(copy.predict_proba(X), expected_proba)
    # Shipped to a worker process, it predicts there what it predicts here.
    future = client.submit(best.predict_proba, X, pure=False)
    np.testing.assert_array_equal(_within(STEP_TIMEOUT, future.result), expected_proba)


# -- the studies on the cluster (issue 26) ---------------------------------------

#: Wall-time fields: the only ones a parallel run may change.
TIME_KEYS = ("seconds", "decision_seconds", "retrain_seconds", "cost_seconds", "cost_ratio")

SWEEP_CASE = dict(quick=True, seeds=(0, 1), sparsities=(0.5,),
                  methods=["chaos_loss", "magnitude", "random", "shuffle_loss", "lamp", "imp_lr",
                           "obs", "fresh_chaos", "small_dense", "ft_loss", "pt_loss"],
                  regimes=("paper", "sklearn"))
SWEEP_DATA = ["sklearn_iris", "sklearn_diabetes"]


def _sweep(**kwargs):
    from skchaosprune.experiments import sweep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sweep(SWEEP_DATA, **SWEEP_CASE, **kwargs)


def _without_times(result):
    rows = [{k: v for k, v in r.items() if k not in TIME_KEYS} for r in result["rows"]]
    summary = [{k: v for k, v in s.items() if not k.startswith("cost_")}
               for s in result["summary"]]
    return {"rows": rows, "summary": summary, "wilcoxon": result["wilcoxon"],
            "counts": result["counts"], "settings": result["settings"]}


def _on_dask(client, fn, *args, **kwargs):
    def run():
        with parallel_backend("dask"):
            return fn(*args, **kwargs)

    with distributed.get_task_stream(client=client) as stream:
        result = _within(3 * STEP_TIMEOUT, run)
    workers = {task["worker"] for task in stream.data}
    assert workers and workers <= set(client.pids_at_start)   # it ran on the cluster
    assert client.run(os.getpid) == client.pids_at_start       # no worker died
    return result


def test_sweep_on_dask_equals_the_serial_sweep(client):
    serial = _sweep(n_jobs=1)
    seen = []
    got = _on_dask(client, _sweep, progress=lambda *args: seen.append(args))
    assert json.dumps(_without_times(got)) == json.dumps(_without_times(serial))
    # Rows of every kind ran there: regression, both regimes, the controls.
    assert {r["regime"] for r in got["rows"]} == {"paper", "sklearn"}
    assert {r["task"] for r in got["rows"]} == {"classification", "regression"}
    assert {r["method"] for r in got["rows"]} >= {"obs", "fresh_chaos", "small_dense"}
    # The progress bar advanced once per finished unit (2 data sets x 2
    # regimes x 2 seeds), then 'done'.
    assert [m.endswith("finished") for m, *_ in seen] == [True] * 8 + [False]
    assert seen[-1][1] == seen[-1][2] and [d for _, d, _ in seen] == sorted(
        d for _, d, _ in seen)


def test_reproduce_on_dask_equals_the_serial_run(client, data_dir):
    from skchaosprune.experiments import reproduce

    def run(**kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return reproduce(["iris", "banknote"], data_dir=data_dir, seeds=(0, 1),
                             max_iter=6, pruning={"window": 30, "maxlag": 3},
                             on_error="record", **kwargs)

    serial = run(n_jobs=1)
    got = _on_dask(client, run)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in serial]
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in got] == strip
    assert [(r["dataset"], r["seed"]) for r in got][::5] == [
        ("iris", 0), ("iris", 1), ("banknote", 0), ("banknote", 1)]
