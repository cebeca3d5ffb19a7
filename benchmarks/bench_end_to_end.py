"""End to end: the chaos-causality method on banknote, skchaosprune against a
plain Python/NumPy + nolds + statsmodels pipeline like the paper's code.

Both sides run the whole method with the paper's banknote settings
(docs/method.md section 9): network 4-8-1, sigmoid hidden and output units,
squared error on the sigmoid output, one sample per SGD update, learning
rate 0.5, 100 epochs; every weight recorded after every update; windows of
250 updates with 10 % overlap (stride 225); per window and per weight the
largest Lyapunov exponent with TISEAN's ``lyap_r -m2 -d1 -s3`` settings and
the paper's first-step slope; windows whose range is below 1e-5 are static
(exponent 0); the risk (validation misclassification rate) at the end of
each window; per weight a Granger test of "its exponent series causes the
risk series" (maxlag 14, ``ssr_chi2test``, minimum p-value over lags;
skchaosprune skips the lags at which the risk's own lagged design is
degenerate, docs/method.md section 4);
weights with p >= 0.05 pruned; the sparse network retrained from the same
initial weights (rewinding) for another 100 epochs with the mask applied
after every update.  The training accuracy is recorded after every epoch on
both sides (``record_train_score=True`` in ``paper_estimator``).

Data: ``load_paper_dataset('banknote', data_dir)`` (80/20 split, seed 42,
per-feature standardisation; ``--scaling reference`` gives the reference
code's per-sample scaling instead).  Both sides hold out 10 % of the 1,097
training samples for the risk series, so both train on 987 samples:
98,700 updates per 100 epochs, 438 windows, 40 weights.

skchaosprune: ``paper_estimator('banknote', pruning='chaos_causal')`` (the
strategy ``paper_pruning('banknote')``: window 250, maxlag 14,
``risk='error'``, alpha 0.05) and one ``fit``.  Its stages come from
``pruning_cost_``: training + recording is
``dense_seconds - dynamics_seconds`` (the compiled SGD kernel, which
streams the weight rows out in chunks to the Lyapunov accumulator instead of
keeping the whole trajectory, and measures the risk at each window end);
exponents are ``dynamics_seconds``; Granger tests ``granger_seconds``;
retraining ``retrain_seconds``; total is the wall time of ``fit`` (which
also includes the validation split and set-up).  Numba compilation is
excluded (a small warm-up fit first); each stage's figure is its minimum
over several identical fits (5; 3 with ``--quick``), the total the minimum
``fit`` wall time, so the stages need not add up to the total.

The reference pipeline (run once; it takes a minute or two):

1. Training + recording: a Python loop over epochs and samples; per sample
   a NumPy forward pass, backward pass and update on column vectors (as the
   paper's ``Helper.py`` does), then the flattened weights written into a
   preallocated array (as its ``pipeline.py`` does), and at each window end
   the validation misclassification rate.  It starts from our estimator's
   ``initial_coefs_`` / ``initial_intercepts_`` but shuffles with its own
   random generator (ours cannot easily be replicated) and holds out its
   own 10 % validation split of the same size: **the two runs are equal in
   work, not numerically identical.**  Kinder to the peer than the paper's
   code: the weights are kept in memory (the paper's code appended every
   row to a CSV file), accuracies are computed vectorised (the paper's code
   looped over samples), the sigmoid derivative is ``a * (1 - a)``, and the
   loss is ``0.5 * (a - y)^2`` like ours (the paper's code used the sum of
   squares, i.e. a gradient twice as large at the same learning rate).
2. Exponents: ``nolds.lyap_r(window, emb_dim=2, lag=1, min_tsep=0,
   trajectory_len=4, fit='poly')`` for every weight and window (static
   windows skipped, exponent 0; an error gives 0): the closest nolds
   settings (2-D delay vectors of lag 1, only the point itself excluded as
   a neighbour, the divergence followed for 3 steps, a least-squares line
   through the 4 curve points; nolds does not rescale, has no ``D < 1``
   bound and fits all 4 points instead of the first step, so its values
   differ from TISEAN's while its cost is what matters here).  The paper
   ran TISEAN's ``lyap_r`` executable once per window from MATLAB.
   nolds 0.6.3 does not import on Python < 3.12; the work-around of
   ``bench_lyapunov.py`` (``import_nolds``) is reused.
3. Granger tests: ``statsmodels.tsa.stattools.grangercausalitytests`` on
   ``[risk, exponents of one weight]`` per weight, maxlag 14, the minimum
   ``ssr_chi2test`` p-value over lags; an error keeps the weight (p = 0),
   as the paper's code did.
4. Retraining: the same Python loop from the same initial weights and the
   same data order as step 1, the mask multiplied in after every update,
   no recording.

The whole reference pipeline runs with one BLAS thread (threadpoolctl): its
fastest setting for these tiny matrices, as in ``bench_granger.py``.
skchaosprune uses numba's default thread count.

If the nolds stage is projected (from the first weight's windows) to take
longer than ``--budget`` seconds (default 300), only as many weights as fit
in the budget are run through nolds and the stage time is extrapolated
linearly to all weights; the other weights' exponents (needed by the Granger
stage) are then taken, untimed, from ``skchaosprune.lyapunov`` on the
reference's own trajectory.  Extrapolated figures are marked with ``*``.
``--nolds-weights N`` forces that subset size.

A second part (issue 15) measures the chaos-causal fit against its own
dense fit on sklearn's digits (1,797 samples, 64 features standardised):
a 64-32-10 network, one-sample SGD (``solver='sgd'`` without momentum or
L2 where the estimator has those parameters, learning rate 0.01, no early
stop), 20 epochs; ``ChaosCausalPruning(window=200, maxlag=14)``.  Both
fits run in the same process, alternately, several times (minimum each);
the chaos-causal fit also with the Lyapunov kernel before issue 15
(``tests/_lyapunov_reference_kernel.py``, bit-identical results, swapped in
for ``skchaosprune.lyapunov``'s kernel module), so before and after come
from one run.  A third kernel bounds what a faster neighbour search could
give: this kernel with the search replaced by one distance per reference
point (``free_search_kernel``; its exponents are wrong, every other stage
costs what it costs).  Printed: the ratio chaos fit / dense fit (target <= 10x),
the per-stage table of the chaos fit from ``pruning_cost_``, and the peak
traced memory (tracemalloc) of chaos-causal fits of 10 and 20 epochs
(memory flat in epochs).  ``--digits-only`` runs only this part.

Run from the repository root (the package need not be installed)::

    python benchmarks/bench_end_to_end.py             # about 2 minutes
    python benchmarks/bench_end_to_end.py --quick     # 12 epochs, ~20 s

``--data-dir`` is the folder with ``binary_banknote.csv`` (default
``../shared/data`` relative to the repository root); if it is missing the
script says so in one line and exits with status 2.  Otherwise the exit
status is 0 (it is a measurement, not a test).
"""

import argparse
import os
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import numba  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import statsmodels  # noqa: E402
from _common import machine as _machine  # noqa: E402
from bench_lyapunov import import_nolds  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from statsmodels.tsa.stattools import grangercausalitytests  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skchaosprune import lyapunov as _lyapunov_module  # noqa: E402
from skchaosprune.datasets import (  # noqa: E402
    load_paper_dataset,
    paper_estimator,
    paper_pruning,
)
from skchaosprune.lyapunov import windowed_lyapunov  # noqa: E402

DATASET = "banknote"
NOLDS_PARAMS = dict(emb_dim=2, lag=1, min_tsep=0, trajectory_len=4, fit="poly")
MIN_RANGE = 1e-5
MAXLAG = 14
ALPHA = 0.05
OVERLAP = 0.1
VALIDATION = 0.1


def machine():
    return _machine(np, numba, sklearn, statsmodels) + f" ({numba.get_num_threads()} numba threads)"


def nolds_version():
    try:
        from importlib.metadata import version

        return version("nolds")
    except Exception:  # noqa: BLE001 - only for the printout
        return "?"


# ---------------------------------------------------------------------------
# the reference pipeline: plain Python/NumPy, nolds, statsmodels


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_accuracy(X, y, W1, b1, W2, b2):
    out = sigmoid(W2 @ sigmoid(W1 @ X.T + b1) + b2)[0]
    return float(np.mean((out > 0.5) == (y == 1)))


def ref_ends(n_rows, window, overlap):
    """Last row of each complete window of a trajectory of n_rows rows."""
    h = int(round(window * (1 - overlap)))
    n_windows = (n_rows - window) // h + 1 if n_rows >= window else 0
    return [i * h + window - 1 for i in range(n_windows)], h


def ref_sgd(X, y, Xv, yv, params, lr, epochs, seed, record, window=None, mask=None):
    """One-sample SGD in a Python loop (the paper's Helper.py, tidied).

    record: keep every weight after every update (row 0: the initial
    weights) and the validation risk at each window end.
    """
    W1, b1, W2, b2 = (p.copy() for p in params)
    n = X.shape[0]
    n_weights = W1.size + W2.size
    total = n * epochs
    traj = risk = None
    ends = set()
    if record:
        traj = np.zeros((total + 1, n_weights))
        traj[0] = np.concatenate((W1.ravel(), W2.ravel()))
        ends = set(ref_ends(total + 1, window, OVERLAP)[0])
        risk = []
    if mask is not None:
        m1, m2 = mask
        W1 *= m1
        W2 *= m2
    Y = y.astype(np.float64)
    rng = np.random.default_rng(seed)
    train_acc = []
    t = 0
    for _ in range(epochs):
        for j in rng.permutation(n):
            x = X[j].reshape(-1, 1)
            z1 = W1 @ x + b1
            a1 = sigmoid(z1)
            z2 = W2 @ a1 + b2
            a2 = sigmoid(z2)
            dz2 = (a2 - Y[j]) * a2 * (1.0 - a2)
            dW2 = dz2 @ a1.T
            dz1 = (W2.T @ dz2) * a1 * (1.0 - a1)
            dW1 = dz1 @ x.T
            W1 -= lr * dW1
            b1 -= lr * dz1
            W2 -= lr * dW2
            b2 -= lr * dz2
            if mask is not None:
                W1 *= m1
                W2 *= m2
            t += 1
            if record:
                traj[t] = np.concatenate((W1.ravel(), W2.ravel()))
                if t in ends:
                    risk.append(1.0 - ref_accuracy(Xv, yv, W1, b1, W2, b2))
        train_acc.append(ref_accuracy(X, y, W1, b1, W2, b2))
    return (W1, b1, W2, b2), traj, (np.array(risk) if record else None), train_acc


def ref_exponents(nolds, traj, window, columns):
    """nolds.lyap_r per window for the given weight columns."""
    h = int(round(window * (1 - OVERLAP)))
    n_windows = (traj.shape[0] - window) // h + 1
    le = np.zeros((n_windows, len(columns)))
    errors = static = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c, k in enumerate(columns):
            for i in range(n_windows):
                seg = traj[i * h:i * h + window, k]
                if seg.max() - seg.min() < MIN_RANGE:
                    static += 1
                    continue
                try:
                    le[i, c] = nolds.lyap_r(seg, **NOLDS_PARAMS)
                except Exception:  # noqa: BLE001 - the reference caught everything
                    errors += 1
    return le, errors, static


def ref_granger(risk, le):
    """statsmodels per weight; errors keep the weight (p = 0)."""
    pvalues = np.empty(le.shape[1])
    errors = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(le.shape[1]):
            try:
                res = grangercausalitytests(np.column_stack([risk, le[:, k]]), MAXLAG)
                pvalues[k] = min(res[lag][0]["ssr_chi2test"][1]
                                 for lag in range(1, MAXLAG + 1))
            except Exception:  # noqa: BLE001 - the reference caught everything
                pvalues[k] = 0.0
                errors += 1
    return pvalues, errors


def run_reference(data, settings, epochs, init, nolds, budget, nolds_weights, seed=0):
    X_fit, X_val, y_fit, y_val = train_test_split(
        data.X_train, data.y_train, test_size=VALIDATION, random_state=seed,
        stratify=data.y_train)
    coefs, intercepts = init
    params = (coefs[0].T.copy(), intercepts[0].reshape(-1, 1).copy(),
              coefs[1].T.copy(), intercepts[1].reshape(-1, 1).copy())
    lr, window = settings.learning_rate, settings.window
    times = {}
    notes = []
    t_all = time.perf_counter()

    t0 = time.perf_counter()
    dense, traj, risk, dense_acc = ref_sgd(X_fit, y_fit, X_val, y_val, params, lr,
                                           epochs, seed, record=True, window=window)
    times["train"] = time.perf_counter() - t0
    n_w1 = params[0].size

    n_weights = traj.shape[1]
    t0 = time.perf_counter()
    le_first, err0, stat0 = ref_exponents(nolds, traj, window, [0])
    t_first = time.perf_counter() - t0
    if nolds_weights is None:
        projected = t_first * n_weights
        nolds_weights = n_weights if projected <= budget else max(1, int(budget // t_first))
    nolds_weights = max(1, min(nolds_weights, n_weights))
    t0 = time.perf_counter()
    le_rest, err1, stat1 = ref_exponents(nolds, traj, window, list(range(1, nolds_weights)))
    t_nolds = t_first + time.perf_counter() - t0
    t0 = time.perf_counter()  # not part of the reference's work
    tisean = windowed_lyapunov(traj, window=window, overlap=OVERLAP, min_range=MIN_RANGE)
    untimed = time.perf_counter() - t0
    le = tisean.copy()
    le[:, :nolds_weights] = np.column_stack([le_first, le_rest])
    extrapolated = nolds_weights < n_weights
    times["exponents"] = t_nolds * n_weights / nolds_weights
    if extrapolated:
        notes.append(
            f"* exponents: nolds ran on {nolds_weights} of {n_weights} weights in "
            f"{t_nolds:.1f} s, extrapolated linearly to {times['exponents']:.1f} s; the "
            "other weights' exponents come from skchaosprune.lyapunov (untimed)")
    n_windows = le.shape[0]

    t0 = time.perf_counter()
    pvalues, g_errors = ref_granger(risk, le)
    times["granger"] = time.perf_counter() - t0

    keep = pvalues < ALPHA
    m1 = keep[:n_w1].reshape(params[0].shape).astype(np.float64)
    m2 = keep[n_w1:].reshape(params[2].shape).astype(np.float64)
    t0 = time.perf_counter()
    (W1, b1, W2, b2), _, _, sparse_acc = ref_sgd(
        X_fit, y_fit, X_val, y_val, params, lr, epochs, seed, record=False,
        mask=(m1, m2))
    times["retrain"] = time.perf_counter() - t0
    times["total"] = time.perf_counter() - t_all - untimed
    if extrapolated:
        times["total"] += times["exponents"] - t_nolds

    return dict(
        times=times, notes=notes, extrapolated=extrapolated,
        n_fit=X_fit.shape[0], n_updates=traj.shape[0] - 1, n_windows=n_windows,
        n_weights=n_weights, nolds_calls=n_windows * nolds_weights,
        nolds_errors=err0 + err1, static=stat0 + stat1, granger_errors=g_errors,
        pvalues=pvalues, sparsity=1.0 - keep.mean(), n_pruned=int((~keep).sum()),
        test_acc=ref_accuracy(data.X_test, data.y_test, W1, b1, W2, b2),
        dense_train_acc=dense_acc[-1], sparse_train_acc=sparse_acc[-1],
        le_vs_tisean=float(np.mean(np.abs(le[:, :nolds_weights]
                                          - tisean[:, :nolds_weights]))),
        le_means=(float(le[:, :nolds_weights].mean()),
                  float(tisean[:, :nolds_weights].mean())),
        dense_test_acc=ref_accuracy(data.X_test, data.y_test, *dense),
    )


# ---------------------------------------------------------------------------
# skchaosprune


def ours(epochs, random_state=0):
    return paper_estimator(DATASET, pruning="chaos_causal", max_iter=epochs,
                           random_state=random_state)


def warm_up(data):
    """Compile every kernel the chaos-causal fit uses (not timed)."""
    est = paper_estimator(DATASET, pruning=paper_pruning(DATASET, window=50), max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(data.X_train, data.y_train)


def run_ours(data, epochs, repeats):
    """``repeats`` identical fits; each stage's figure is its minimum over
    the fits (the noise of a shared machine only adds), total the minimum
    fit wall time."""
    times = None
    caught = []
    for _ in range(repeats):
        est = ours(epochs)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            est.fit(data.X_train, data.y_train)
            wall = time.perf_counter() - t0
        caught = [f"{type(x.message).__name__}: {x.message}" for x in w]
        cost = est.pruning_cost_
        run = dict(
            train=cost["dense_seconds"] - cost["dynamics_seconds"],
            exponents=cost["dynamics_seconds"],
            granger=cost["granger_seconds"],
            retrain=cost["retrain_seconds"],
            total=wall,
        )
        times = run if times is None else {k: min(times[k], run[k]) for k in run}
    # test accuracy of the dense network, for the record
    C, B = est.dense_coefs_, est.dense_intercepts_
    out = sigmoid(sigmoid(data.X_test @ C[0] + B[0]) @ C[1] + B[1])[:, 0]
    dense_pred = np.where(out > 0.5, est.classes_[1], est.classes_[0])
    return dict(
        times=times, est=est, warnings=caught,
        n_updates=cost["dense_updates"], n_windows=est.lyapunov_exponents_.shape[0],
        n_weights=est.lyapunov_exponents_.shape[1],
        sparsity=est.sparsity_,
        n_pruned=sum(int((~m).sum()) for m in est.masks_),
        test_acc=est.score(data.X_test, data.y_test),
        dense_test_acc=float(np.mean(dense_pred == data.y_test)),
        dense_train_acc=est.dense_train_score_curve_[-1],
        sparse_train_acc=est.train_score_curve_[-1],
    )


# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# issue 15: the chaos-causal fit of digits 64-32-10 against its dense fit


def digits_estimator(pruning, epochs=20):
    from skchaosprune import DenseMLPClassifier

    est = DenseMLPClassifier(hidden_layer_sizes=(32,), batch_size=1, max_iter=epochs,
                             learning_rate_init=0.01, random_state=0, pruning=pruning)
    # plain one-sample SGD for every epoch, whatever the estimator's defaults
    extra = dict(solver="sgd", momentum=0.0, alpha=0.0, n_iter_no_change=10**6, tol=0.0)
    est.set_params(**{k: v for k, v in extra.items() if k in est.get_params()})
    return est


# The neighbour search of the kernel, replaced by one distance per
# reference point, in a loop without branches or scattered stores: sorted
# position p gets order[p + 1] (p - 1 for the last) as its "neighbour" and
# their distance (1/2 for copies, as if a neighbour had been found), so the
# curve's cost stays that of a real one.  A cost model for the lower bound.
_FREE_SEARCH = '''@njit
def _nearest(n_ref, n_cand, dim, theiler, order, opad, keys, vecs, band, bbest,
             bbj, nbr, nbd):
    for p in range(n_cand):
        r = p + 1 if p + 1 < n_cand else p - 1
        d = 0.0
        for q in range(dim):
            e = (keys[r] - keys[p]) if q == 0 else (
                vecs[(q - 1) * n_cand + r] - vecs[(q - 1) * n_cand + p])
            d += e * e
        nbr[p] = order[r]
        nbd[p] = d if 0.0 < d < 1.0 else 0.5


'''


def free_search_kernel():
    """The Lyapunov kernel module with its neighbour search replaced by
    ``_FREE_SEARCH`` (and every window sent to it): wrong exponents, but
    every other stage of the kernel at its own cost and the search at
    almost none.  A fit with it bounds from below what a faster neighbour
    search alone could reach."""
    import importlib.util
    import inspect
    import tempfile

    src = inspect.getsource(_lyapunov_module._k)
    start = src.index("@njit(cache=True)\ndef _nearest(")
    end = src.index("@njit(cache=True)\ndef _nearest_scan(")
    src = src[:start] + _FREE_SEARCH + src[end:]
    if "few = _few_levels(keys, n_cand)" not in src:
        raise RuntimeError("free_search_kernel: the kernel's source changed; update it")
    src = src.replace("few = _few_levels(keys, n_cand)", "few = False")
    src = src.replace("cache=True", "cache=False")
    path = os.path.join(tempfile.mkdtemp(prefix="skchaosprune-bench-"), "free_search.py")
    with open(path, "w") as f:
        f.write(src)
    spec = importlib.util.spec_from_file_location("free_search_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_digits(repeats):
    import tracemalloc

    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    from skchaosprune import ChaosCausalPruning

    tests = os.path.join(ROOT, "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import _lyapunov_reference_kernel as before_kernel

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    new_kernel = _lyapunov_module._k

    def chaos(epochs=20):
        return digits_estimator(ChaosCausalPruning(window=200, maxlag=14), epochs)

    def fit(est, kernel):
        _lyapunov_module._k = kernel
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                est.fit(X, y)
                return time.perf_counter() - t0
        finally:
            _lyapunov_module._k = new_kernel

    free_kernel = free_search_kernel()
    # warm-up (compilation), every kernel
    fit(digits_estimator(None), new_kernel)
    fit(chaos(), new_kernel)
    fit(chaos(), before_kernel)
    fit(chaos(), free_kernel)
    dense = np.inf
    stages = {}
    same = True
    for _ in range(repeats):
        dense = min(dense, fit(digits_estimator(None), new_kernel))
        for label, kernel in (("after", new_kernel), ("before", before_kernel),
                              ("free search", free_kernel)):
            est = chaos()
            wall = fit(est, kernel)
            c = est.pruning_cost_
            run = dict(train=c["dense_seconds"] - c["dynamics_seconds"],
                       exponents=c["dynamics_seconds"], granger=c["granger_seconds"],
                       retrain=c["retrain_seconds"], total=wall)
            old = stages.get(label)
            stages[label] = run if old is None else {k: min(old[k], run[k]) for k in run}
            if label == "after":
                exps = est.lyapunov_exponents_
            elif label == "before":
                same &= bool(np.array_equal(exps, est.lyapunov_exponents_))
    shape = exps.shape
    peaks = {}
    for epochs in (10, 20):
        est = chaos(epochs)
        tracemalloc.start()
        fit(est, new_kernel)
        peaks[epochs] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return dict(dense=dense, stages=stages, same=same, shape=shape, peaks=peaks)


def print_digits(d, repeats):
    print(f"\n[digits 64-32-10] batch 1, 20 epochs, window 200, maxlag 14; "
          f"{d['shape'][0]} windows x {d['shape'][1]} weights = "
          f"{d['shape'][0] * d['shape'][1]:,} exponents; minimum over {repeats} "
          f"alternating fits, {numba.get_num_threads()} numba threads")
    print(f"  dense fit (pruning=None): {d['dense']:.3f} s")
    names = [("train", "dense training + recording"), ("exponents", "Lyapunov exponents"),
             ("granger", "Granger tests"), ("retrain", "retraining"),
             ("total", "whole chaos-causal fit")]
    print(f"  {'stage':<28} {'before s':>9} {'after s':>9} {'after / dense fit':>18} "
          f"{'free search s':>14} {'free / dense fit':>17}")
    for key, name in names:
        b, a = d["stages"]["before"][key], d["stages"]["after"][key]
        f = d["stages"]["free search"][key]
        print(f"  {name:<28} {b:>9.3f} {a:>9.3f} {a / d['dense']:>17.1f}x {f:>14.3f} "
              f"{f / d['dense']:>16.1f}x")
    ratio_b = d["stages"]["before"]["total"] / d["dense"]
    ratio_a = d["stages"]["after"]["total"] / d["dense"]
    n_exp = d["shape"][0] * d["shape"][1]
    print(f"  exponents per window: before {1e6 * d['stages']['before']['exponents'] / n_exp:.2f} "
          f"us, after {1e6 * d['stages']['after']['exponents'] / n_exp:.2f} us (all threads)")
    print(f"  chaos fit / dense fit: before {ratio_b:.1f}x, after {ratio_a:.1f}x "
          f"(target <= 10x: {'met' if ratio_a <= 10 else 'not met'}); exponents equal "
          f"bit for bit: {d['same']}")
    ratio_f = d["stages"]["free search"]["total"] / d["dense"]
    print(f"  lower bound: with its neighbour search replaced by one distance per point "
          f"(\"free search\", wrong exponents), the chaos fit takes {ratio_f:.1f}x the "
          f"dense fit: a faster neighbour search alone cannot bring the fit below about that")
    print(f"  peak traced memory of the chaos fit: 10 epochs "
          f"{d['peaks'][10] / 2**20:.1f} MiB, 20 epochs {d['peaks'][20] / 2**20:.1f} MiB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="12 epochs instead of 100 for both sides (~20 s)")
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "data"),
                        help="folder holding binary_banknote.csv "
                             "(default: ../shared/data relative to the repository root)")
    parser.add_argument("--scaling", choices=["per_feature", "reference"],
                        default="per_feature",
                        help="load_paper_dataset scaling (default per_feature)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="skchaosprune fits, the fastest reported (default 5; quick 3)")
    parser.add_argument("--budget", type=float, default=300.0,
                        help="seconds the nolds stage may take before it is run on a "
                             "subset of weights and extrapolated (default 300)")
    parser.add_argument("--nolds-weights", type=int, default=None,
                        help="run nolds on only this many weights and extrapolate")
    parser.add_argument("--digits-only", action="store_true",
                        help="only the digits 64-32-10 chaos fit / dense fit part")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    if args.digits_only:
        print("Machine:", machine())
        print_digits(run_digits(repeats), repeats)
        return 0

    data_dir = os.path.normpath(args.data_dir)
    csv_path = os.path.join(data_dir, "binary_banknote.csv")
    if not os.path.isfile(csv_path):
        print(f"bench_end_to_end: no {csv_path}; pass --data-dir DIR (the folder "
              "holding the paper's data files).", file=sys.stderr)
        return 2

    data = load_paper_dataset(DATASET, data_dir, scaling=args.scaling)
    settings = data.settings
    epochs = 12 if args.quick else settings.epochs
    repeats = args.repeats or (3 if args.quick else 5)
    nolds = import_nolds()

    print("Machine:", machine())
    print("  (shared with other processes; skchaosprune figures are per-stage minima "
          f"over {repeats} fits, the reference pipeline runs once, with one BLAS thread)")
    print(f"Data: banknote ({csv_path}), {data.X_train.shape[0]} train / "
          f"{data.X_test.shape[0]} test samples, scaling={args.scaling}; "
          f"{int(round(VALIDATION * 100))} % of train held out for the risk series")
    print(f"Method: {settings.net} sigmoid, squared error, one-sample SGD, lr "
          f"{settings.learning_rate}, {epochs} epochs (+ {epochs} retraining, rewound), "
          f"window {settings.window}, overlap {OVERLAP}, lyap_r m=2 d=1 s=3, first-step "
          f"slope, min_range {MIN_RANGE:g}, maxlag {MAXLAG}, ssr_chi2test (min over "
          f"lags), alpha {ALPHA}")
    print(f"Reference exponents: nolds {nolds_version()} "
          f"lyap_r({', '.join(f'{k}={v!r}' for k, v in NOLDS_PARAMS.items())})\n")

    warm_up(data)
    mine = run_ours(data, epochs, repeats)
    est = mine["est"]
    init = (est.initial_coefs_, est.initial_intercepts_)
    # The peer multiplies tiny matrices: one BLAS thread is its fastest
    # setting (as in bench_granger.py), and keeps BLAS threads from fighting
    # over the cores.
    with threadpool_limits(1):
        ref = run_reference(data, settings, epochs, init, nolds, args.budget,
                            args.nolds_weights)

    print(f"Work, reference: {ref['n_updates']:,} updates on {ref['n_fit']} samples "
          f"(x2 with retraining), {ref['n_windows']} windows x {ref['n_weights']} "
          f"weights = {ref['n_windows'] * ref['n_weights']:,} exponents "
          f"({ref['nolds_calls']:,} nolds calls, {ref['static']} static windows "
          f"skipped, {ref['nolds_errors']} errors), {ref['n_weights']} "
          f"grangercausalitytests calls ({ref['granger_errors']} errors)")
    print(f"Work, skchaosprune: {mine['n_updates']:,} updates (x2 with retraining), "
          f"{mine['n_windows']} windows x {mine['n_weights']} weights = "
          f"{mine['n_windows'] * mine['n_weights']:,} exponents, one granger_pvalues "
          "call")
    print("The two runs are equal in work, not numerically identical (same initial "
          "weights, different data order and validation split).\n")

    stages = [("train", "training + recording"), ("exponents", "Lyapunov exponents"),
              ("granger", "Granger tests"), ("retrain", "retraining"),
              ("total", "total")]
    header = (f"{'stage':<22} {'reference s':>12} {'skchaosprune s':>15} "
              f"{'ratio (ref/ours)':>17}")
    print(header)
    print("-" * len(header))
    for key, name in stages:
        r, o = ref["times"][key], mine["times"][key]
        star = "*" if ref["extrapolated"] and key in ("exponents", "total") else " "
        print(f"{name:<22} {r:>11.3f}{star} {o:>15.3f} {r / o:>16.1f}x")
    for note in ref["notes"]:
        print(note)
    rt, ot = ref["times"], mine["times"]
    n_exp = ref["n_windows"] * ref["n_weights"]
    print(f"Per unit: training {1e6 * rt['train'] / ref['n_updates']:.1f} vs "
          f"{1e6 * ot['train'] / mine['n_updates']:.2f} us per update; exponents "
          f"{1e6 * rt['exponents'] / n_exp:.0f} vs "
          f"{1e6 * ot['exponents'] / (mine['n_windows'] * mine['n_weights']):.1f} us "
          f"per window; Granger {1e3 * rt['granger'] / ref['n_weights']:.1f} vs "
          f"{1e3 * ot['granger'] / mine['n_weights']:.2f} ms per weight")
    print("skchaosprune stages from pruning_cost_ (training + recording = dense_seconds "
          f"- dynamics_seconds), each the\n  minimum over {repeats} fits; total = minimum "
          "wall time of fit (set-up and split included)")

    print("\nResults (for the record):")
    print(f"  skchaosprune: pruned {mine['n_pruned']} of {mine['n_weights']} weights "
          f"(sparsity {mine['sparsity']:.3f}); test accuracy dense "
          f"{mine['dense_test_acc']:.4f}, pruned + retrained {mine['test_acc']:.4f}; "
          f"final train accuracy dense {mine['dense_train_acc']:.4f}, sparse "
          f"{mine['sparse_train_acc']:.4f}")
    print(f"  reference:    pruned {ref['n_pruned']} of {ref['n_weights']} weights "
          f"(sparsity {ref['sparsity']:.3f}); test accuracy dense "
          f"{ref['dense_test_acc']:.4f}, pruned + retrained {ref['test_acc']:.4f}; "
          f"final train accuracy dense {ref['dense_train_acc']:.4f}, sparse "
          f"{ref['sparse_train_acc']:.4f}")
    print(f"  reference nolds exponents vs TISEAN-definition exponents "
          f"(skchaosprune.lyapunov) on the same windows: mean |diff| "
          f"{ref['le_vs_tisean']:.3f} (means {ref['le_means'][0]:.3f} vs "
          f"{ref['le_means'][1]:.3f})")
    if mine["warnings"]:
        print("  skchaosprune warnings:", "; ".join(mine["warnings"]))
    print_digits(run_digits(repeats), repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
