"""The paper's comparison: dense, chaos-causal (FT and PT), magnitude and
random pruning on one dataset over several seeds (docs/method.md sections 6-9).

:func:`run_methods` fits every method per seed and measures it,
:func:`compare_methods` does one seed on any data;
:func:`~skchaosprune.experiments.summarize` reduces the rows to mean and
standard deviation per (dataset, method),
:func:`~skchaosprune.experiments.format_table` prints them.

Examples
--------
>>> from skchaosprune.experiments import format_table, run_methods, summarize
>>> rows = run_methods("digits", seeds=(0,), methods=("dense",), max_iter=2)
>>> sorted(rows[0])                                   # doctest: +NORMALIZE_WHITESPACE
['accuracy', 'dataset', 'dense_epochs', 'epochs_to_benchmark', 'error', 'f1_macro',
 'flops', 'maxlag', 'method', 'n_weights', 'pruned_weights', 'seconds', 'seed',
 'sparsity', 'total_updates', 'window']
>>> rows[0]["flops"]                                  # 2*(64*50 + 50*10) + 50 + 10
7460
>>> print(format_table(summarize(rows)).splitlines()[0])   # doctest: +ELLIPSIS
dataset  method  n  accuracy ...
"""

import math
import time

import numpy as np

from .. import metrics
from .._network import updates_per_epoch
from ..datasets import PAPER_SETTINGS, load_paper_dataset, paper_estimator, paper_pruning
from ._runner import run_units
from .common import FIELDS, _error_text

__all__ = ["METHODS", "compare_methods", "reproduce", "run_methods"]

#: The methods :func:`run_methods` knows, in the order it fits them.
METHODS = ("dense", "chaos_ft", "chaos_pt", "magnitude", "random")


def _updates_per_epoch(estimator, n_train):
    """Updates per epoch of ``estimator`` fitted on ``n_train`` samples.

    It trains on what ``train_test_split`` leaves after holding out
    ``ceil(validation_fraction * n_train)`` samples, in batches of its own
    size (``estimator._batch``, which resolves ``batch_size='auto'``)."""
    fraction = estimator.validation_fraction
    n_fit = n_train - math.ceil(fraction * n_train) if fraction else n_train
    return updates_per_epoch(n_fit, estimator._batch(n_fit))


def _chaos_template(estimator, pruning):
    """The chaos-causal strategy the FT and PT rows start from."""
    from sklearn.base import clone

    from ..pruning import ChaosCausalPruning, resolve_strategy

    strategy = resolve_strategy(pruning if pruning is not None else estimator.pruning)
    if not isinstance(strategy, ChaosCausalPruning):
        strategy = ChaosCausalPruning()
    return clone(strategy)


def _method_estimator(template, strategy, method, *, sparsity, partial_epochs, per_epoch):
    """A clone of ``template`` configured for one method."""
    from sklearn.base import clone

    from ..pruning import MagnitudePruning, RandomPruning

    est = clone(template)
    if method == "dense":
        pruning = None
    elif method == "chaos_ft":
        pruning = clone(strategy).set_params(mode="full", sparsity=None)
    elif method == "chaos_pt":
        pruning = clone(strategy).set_params(
            mode="partial", sparsity=None,
            partial_epochs="auto" if partial_epochs is None else partial_epochs)
    elif method == "magnitude":
        pruning = MagnitudePruning(sparsity=sparsity)
    else:
        pruning = RandomPruning(sparsity=sparsity, random_state=template.random_state)
    est.set_params(pruning=pruning)
    if (not method.startswith("chaos") and est.validation_fraction > 0
            and est.risk_every is None):
        # The chaos-causal runs hold out a validation split for the risk
        # series and train on the rest.  Recording a risk (once per epoch)
        # makes the other methods hold out the same split (same seed), so
        # every method trains on the same samples, from the same initial
        # weights, in the same order.
        est.set_params(risk_every=per_epoch)
    return est


def _row(dataset, method, seed, est, seconds, X_test, y_test, benchmark):
    from sklearn.metrics import f1_score

    pred = est.predict(X_test)
    n_weights = int(sum(m.size for m in est.masks_))
    pruned = int(sum((~m).sum() for m in est.masks_))
    cost = getattr(est, "pruning_cost_", None)
    plan = getattr(est, "pruning_params_", {})
    epochs = (None if benchmark is None
              else metrics.epochs_to_accuracy(est.train_score_curve_, benchmark))
    return {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "accuracy": float(np.mean(pred == np.asarray(y_test))),
        "f1_macro": float(f1_score(y_test, pred, average="macro")),
        "sparsity": 100.0 * metrics.sparsity(est),
        "flops": metrics.flops(est),
        "epochs_to_benchmark": epochs,
        "seconds": seconds,
        "total_updates": int(cost["total_updates"] if cost else est.t_),
        "dense_epochs": int(cost["dense_epochs"] if cost else est.n_iter_),
        "pruned_weights": pruned,
        "n_weights": n_weights,
        "window": plan.get("window"),
        "maxlag": plan.get("maxlag"),
        "error": None,
    }


def _failed_row(dataset, method, seed, seconds, error):
    """The row of a method that raised (or was not run): every metric None
    and ``error`` saying why."""
    row = dict.fromkeys(FIELDS)
    row.update(dataset=dataset, method=method, seed=seed, seconds=seconds, error=error)
    return row



def _check_methods(methods):
    methods = tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"Unknown method(s) {unknown}; choose from {list(METHODS)}.")
    if not methods:
        raise ValueError(f"methods is empty; choose from {list(METHODS)}.")
    if {"magnitude", "random"} & set(methods) and "chaos_ft" not in methods:
        raise ValueError(
            "'magnitude' and 'random' are pruned at the sparsity of the chaos-causal "
            "FT mask: include 'chaos_ft' in methods."
        )
    return [m for m in METHODS if m in methods]


def _check_on_error(on_error):
    if on_error not in ("raise", "record"):
        raise ValueError(f"on_error must be 'raise' or 'record'; got {on_error!r}.")


def _check_partial_epochs(partial_epochs):
    if partial_epochs is not None and (
        isinstance(partial_epochs, bool) or not isinstance(partial_epochs, (int, np.integer))
        or partial_epochs < 1
    ):
        raise ValueError(f"partial_epochs must be a positive int or None; got {partial_epochs!r}.")


def _compare(template, X_train, y_train, X_test, y_test, *, benchmark, order,
             partial_epochs, progress, dataset, prefix, pruning=None, on_error="raise"):
    """One seed of the comparison; ``order``, ``partial_epochs`` and
    ``on_error`` checked."""
    from sklearn.base import clone

    n_train = np.shape(X_train)[0]
    strategy = _chaos_template(template, pruning)
    # Parameters a fit would reject fail here, before any training, whatever
    # on_error says: they are the caller's settings, not a method's outcome.
    clone(template)._validate_params()
    strategy._validate_params()
    per_epoch = _updates_per_epoch(template, n_train)
    seed = template.random_state
    rows, ft_sparsity = [], None
    for method in order:
        if progress is not None:
            progress(f"{prefix}{method}")
        if method in ("magnitude", "random") and ft_sparsity is None:
            # Only reached with on_error='record' after chaos_ft failed.
            rows.append(_failed_row(dataset, method, seed, 0.0,
                                    f"skipped: {method} prunes at chaos_ft's sparsity, "
                                    "and chaos_ft failed"))
            continue
        start = time.perf_counter()
        try:
            est = _method_estimator(template, strategy, method, sparsity=ft_sparsity,
                                    partial_epochs=partial_epochs, per_epoch=per_epoch)
            est.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            row = _row(dataset, method, seed, est, seconds, X_test, y_test, benchmark)
        except Exception as exc:
            if on_error == "raise":
                raise
            row = _failed_row(dataset, method, seed, time.perf_counter() - start,
                              _error_text(exc))
        else:
            if method == "chaos_ft":
                ft_sparsity = float(est.sparsity_)
        rows.append(row)
    return rows


def compare_methods(estimator, X_train, y_train, X_test, y_test, *, benchmark=None,
                    methods=METHODS, partial_epochs=None, progress=None, dataset="data",
                    pruning=None, on_error="raise"):
    """Dense vs chaos-causal (FT, PT) vs magnitude and random, on any data.

    The one-seed building block of :func:`run_methods`, for any data and
    any configured estimator: each method is a clone of ``estimator`` with
    its ``pruning`` strategy set: the chaos-causal strategy with
    ``mode='full'`` (FT) and ``mode='partial'`` (PT),
    :class:`~skchaosprune.MagnitudePruning` and
    :class:`~skchaosprune.RandomPruning` (seeded with the estimator's
    ``random_state``) at the FT mask's sparsity.

    Parameters
    ----------
    estimator : DenseMLPClassifier
        Unfitted template (e.g. from
        :func:`~skchaosprune.datasets.paper_estimator`); its
        ``random_state`` is the row's seed.  Its ``pruning`` is replaced per
        method.
    X_train, y_train, X_test, y_test : array-like
        Training and test data, already scaled.
    benchmark : float or None, default=None
        Training accuracy whose first epoch is reported (needs
        ``record_train_score=True`` on the estimator); None: not measured
        (``epochs_to_benchmark`` is None).
    methods : iterable of str, default=METHODS
        As in :func:`run_methods`.
    partial_epochs : int or None, default=None
        PT's dense epochs; None: the strategy's ``partial_epochs`` rule
        ('auto', see :class:`~skchaosprune.ChaosCausalPruning`).
    progress : callable or None, default=None
        Called with a one-line status string before each fit.
    dataset : str, default='data'
        The rows' 'dataset' value.
    pruning : ChaosCausalPruning or None, default=None
        The chaos-causal settings of the FT and PT rows (their ``mode`` and
        ``sparsity`` are set per row); None: the estimator's ``pruning`` if
        it is a ChaosCausalPruning, else ``ChaosCausalPruning()``.
    on_error : {'raise', 'record'}, default='raise'
        As in :func:`run_methods`.

    Returns
    -------
    rows : list of dict
        One per method, with the keys of :data:`FIELDS` (see
        :func:`run_methods`).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skchaosprune.datasets import paper_estimator
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0, stratify=y)
    >>> from skchaosprune import ChaosCausalPruning
    >>> est = paper_estimator("iris", max_iter=10)
    >>> rows = compare_methods(est, X_tr, y_tr, X_te, y_te, benchmark=0.9,
    ...                        pruning=ChaosCausalPruning(window=30, maxlag=3))
    >>> [r["method"] for r in rows]
    ['dense', 'chaos_ft', 'chaos_pt', 'magnitude', 'random']
    >>> rows[3]["pruned_weights"] == rows[4]["pruned_weights"] == rows[1]["pruned_weights"]
    True
    """
    order = _check_methods(methods)
    _check_partial_epochs(partial_epochs)
    _check_on_error(on_error)
    return _compare(estimator, X_train, y_train, X_test, y_test, benchmark=benchmark,
                    order=order, partial_epochs=partial_epochs, progress=progress,
                    dataset=dataset, prefix="", pruning=pruning, on_error=on_error)


def run_methods(name, data_dir=None, seeds=(0, 1, 2, 3, 4), methods=METHODS,
                partial_epochs=None, progress=None, *, scaling="per_feature",
                pruning=None, on_error="raise", n_jobs=None, **overrides):
    """Fit and measure dense and pruned networks on one paper dataset.

    Per seed: the dense network; chaos-causal pruning with the mask from
    the full dense run (LEGCNet-FT, ``'chaos_ft'``) and from its first
    ``partial_epochs`` (LEGCNet-PT, ``'chaos_pt'``); magnitude and random
    pruning at exactly the FT mask's sparsity (that seed's FT
    ``sparsity_``; if FT pruned nothing, neither do they).  All
    use :func:`~skchaosprune.datasets.paper_estimator` with
    ``random_state=seed``, so they start from the same initial weights and
    see the training samples in the same order; every pruned network is
    retrained from those initial weights (rewind).

    Parameters
    ----------
    name : str
        A key of :data:`~skchaosprune.datasets.PAPER_SETTINGS`.
    data_dir : str or path-like, default=None
        Folder of the paper's data files (see
        :func:`~skchaosprune.datasets.load_paper_dataset`).
    seeds : iterable of int, default=(0, 1, 2, 3, 4)
        Estimator seeds (initial weights, data order, validation split,
        random mask).  The train/test split is always seed 42.
    methods : iterable of str, default=METHODS
        Any of 'dense', 'chaos_ft', 'chaos_pt', 'magnitude', 'random';
        'magnitude' and 'random' need 'chaos_ft' (their sparsity).
    partial_epochs : int or None, default=None
        PT's dense epochs; None: the strategy's 'auto' rule (the larger of
        10 % of the epochs and the fewest that give ``3 * maxlag + 2``
        windows).
    progress : callable or None, default=None
        Called with a one-line status string before each fit.
    scaling : {'per_feature', 'reference', None}, default='per_feature'
        Passed to :func:`~skchaosprune.datasets.load_paper_dataset`.
    pruning : dict or None, default=None
        :class:`~skchaosprune.ChaosCausalPruning` parameters replacing the
        paper's (:func:`~skchaosprune.datasets.paper_pruning`), e.g.
        ``{"risk": "loss"}`` or ``{"window": 30, "maxlag": 3}``.
    on_error : {'raise', 'record'}, default='raise'
        What a method that raises does: 'raise' stops the comparison;
        'record' gives it a row whose metrics are None and whose ``error``
        is the first line of the message (magnitude and random are then
        skipped, with a row that says so, when chaos_ft failed: they prune
        at its sparsity), and goes on with the other methods.  Invalid
        parameters raise before any training either way.
    n_jobs : int or None, default=None
        joblib's ``n_jobs`` for the seeds (see :func:`reproduce`); the rows
        do not depend on it, only their 'seconds'.
    **overrides : dict
        Estimator parameters replacing the paper's (e.g. ``max_iter``), for
        every method.

    Returns
    -------
    rows : list of dict
        One per (seed, method), with the keys of :data:`FIELDS`:
        ``accuracy`` and ``f1_macro`` (macro-averaged F1) on the test set;
        ``sparsity`` in percent of the weights (biases not counted);
        ``flops`` of one forward pass, ``2 * non-zero weights + outputs``
        per layer (:func:`skchaosprune.metrics.flops`);
        ``epochs_to_benchmark``, the first epoch of the final training run
        (the retraining, for pruned networks) whose training accuracy
        reaches the dataset's benchmark, None if none does;
        ``seconds``, the wall time of ``fit`` (dense phase, dynamics, tests
        and retraining); ``total_updates``, SGD updates of the whole fit;
        ``dense_epochs``, epochs of the dense phase (PT: ``partial_epochs``);
        ``pruned_weights`` and ``n_weights``; ``error``, None, or why the
        method has no result (``on_error='record'``).

    Notes
    -----
    The chaos-causal estimators hold out ``validation_fraction`` (0.1) of
    the training data for the risk series and train on the rest; the other
    methods are given ``risk_every`` = one epoch of updates, which makes
    them hold out the same split, so that all methods train on the same
    samples.  The dense row is then exactly the dense phase of the FT run.
    """
    settings = PAPER_SETTINGS.get(name)
    if settings is None:
        raise ValueError(
            f"Unknown paper dataset {name!r}; choose one of {sorted(PAPER_SETTINGS)}."
        )
    order = _check_methods(methods)
    _check_partial_epochs(partial_epochs)
    _check_on_error(on_error)
    fixed = sorted({"random_state"} & set(overrides))
    if fixed:
        raise ValueError(
            f"run_methods sets {fixed} itself for each method and seed; use the "
            "methods, seeds, partial_epochs and pruning arguments instead."
        )
    load_paper_dataset(name, data_dir, scaling=scaling)   # a missing file fails here
    units = [(name, data_dir, seed, order, partial_epochs, scaling, pruning, on_error,
              overrides) for seed in seeds]
    return _run(units, n_jobs, progress)


def _seed_rows(name, data_dir, seed, order, partial_epochs, scaling, pruning, on_error,
               overrides, progress=None):
    """One (data set, seed) unit of :func:`run_methods` and :func:`reproduce`."""
    settings = PAPER_SETTINGS[name]
    strategy = paper_pruning(name, **(pruning or {}))
    X_tr, X_te, y_tr, y_te, _, _ = load_paper_dataset(name, data_dir, scaling=scaling)
    template = paper_estimator(name, random_state=seed, **overrides)
    return _compare(template, X_tr, y_tr, X_te, y_te, benchmark=settings.benchmark,
                    order=order, partial_epochs=partial_epochs, progress=progress,
                    dataset=name, prefix=f"{name} seed {seed}: ", pruning=strategy,
                    on_error=on_error)


def _run(units, n_jobs, progress):
    """The units in order or through joblib; rows in the units' order."""
    def finished(index):
        name, seed = units[index][0], units[index][2]
        if parallel and progress is not None:
            progress(f"{name} seed {seed}: finished")

    from joblib import effective_n_jobs

    parallel = effective_n_jobs(n_jobs) != 1 and len(units) > 1
    outputs = run_units(_seed_rows, units, n_jobs=n_jobs, serial=lambda i: (progress,),
                        on_done=finished)
    return [row for rows in outputs for row in rows]


def reproduce(datasets=None, data_dir=None, seeds=(0, 1, 2, 3, 4), methods=METHODS,
              partial_epochs=None, progress=None, *, scaling="per_feature", pruning=None,
              on_error="raise", n_jobs=None, **overrides):
    """:func:`run_methods` on several paper data sets, their seeds in parallel.

    The (data set, seed) units are independent and run through joblib:
    ``n_jobs=2`` on two local processes, or any joblib backend (``with
    joblib.parallel_backend('dask'):`` on a ``distributed`` client).  Each
    unit is seeded by its seed, so the rows are those of the serial run, in
    the same order, whatever the backend and the number of workers (only
    their 'seconds' differ); a unit in a worker runs with one Numba and one
    BLAS thread.

    Parameters
    ----------
    datasets : iterable of str or None, default=None
        Keys of :data:`~skchaosprune.datasets.PAPER_SETTINGS`; None: all.
    data_dir, seeds, methods, partial_epochs, scaling, pruning, on_error, **overrides
        As in :func:`run_methods`.
    progress : callable or None, default=None
        Called with a one-line status string before each fit when run in
        this process, and after each finished unit when run in parallel.
    n_jobs : int or None, default=None
        joblib's ``n_jobs``: None is one job unless a
        ``joblib.parallel_backend`` context sets it; -1 every core.

    Returns
    -------
    rows : list of dict
        As :func:`run_methods`' rows, data set by data set.
    """
    names = list(PAPER_SETTINGS) if datasets is None else (
        [datasets] if isinstance(datasets, str) else list(datasets))
    unknown = [n for n in names if n not in PAPER_SETTINGS]
    if unknown:
        raise ValueError(f"Unknown paper dataset(s) {unknown}; choose from "
                         f"{sorted(PAPER_SETTINGS)}.")
    order = _check_methods(methods)
    _check_partial_epochs(partial_epochs)
    _check_on_error(on_error)
    fixed = sorted({"random_state"} & set(overrides))
    if fixed:
        raise ValueError(f"reproduce sets {fixed} itself for each method and seed.")
    for name in names:
        paper_pruning(name, **(pruning or {}))
        load_paper_dataset(name, data_dir, scaling=scaling)
    units = [(name, data_dir, seed, order, partial_epochs, scaling, pruning, on_error,
              overrides) for name in names for seed in seeds]
    return _run(units, n_jobs, progress)
