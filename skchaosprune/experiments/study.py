"""The pruning study: accuracy against sparsity, over seeds.

:func:`sweep` fits one dense run per data set and seed, with its dynamics,
and decides every method at every target sparsity on it (the chaos-causal
ranking with each risk, magnitude, random, the layer-wise shuffle
control; the alpha-decided LEGCNet-FT and PT masks as operating points),
each retrained by rewinding.  :func:`sweep_summary` and
:func:`sweep_wilcoxon` reduce its rows; :func:`format_sweep`,
:func:`format_wilcoxon`, :func:`overview` and :func:`format_overview` print
them (docs/study.md is their output).
"""

import math
import time

import numpy as np

from .. import metrics
from ..datasets import (
    DEMO_NETWORK,
    PAPER_SETTINGS,
    SKLEARN_DATASETS,
    demo_data,
    load_paper_dataset,
    load_sklearn_dataset,
    paper_estimator,
    paper_pruning,
)
from .common import _error_text, _failure, _mean_std, _render

__all__ = [
    "DEFAULT_SPARSITIES",
    "SWEEP_COMPARISONS",
    "SWEEP_METHODS",
    "format_overview",
    "format_sweep",
    "format_wilcoxon",
    "overview",
    "pruned_mask",
    "sklearn_study_data",
    "sweep",
    "sweep_summary",
    "sweep_wilcoxon",
]

#: Methods ranked to every target sparsity of :func:`sweep`.
SWEEP_RANKED = ("chaos_loss", "chaos_error", "magnitude", "magnitude_layer", "random",
                "shuffle_loss", "shuffle_error")
#: The alpha-decided chaos-causal masks (LEGCNet-FT and -PT, each risk):
#: operating points at the sparsity they choose.
SWEEP_POINTS = ("ft_loss", "ft_error", "pt_loss", "pt_error")
#: Every method of a :func:`sweep` row, in order.
SWEEP_METHODS = ("dense",) + SWEEP_RANKED + SWEEP_POINTS
#: Target sparsities of :func:`sweep` (``quick=True``: (0.5, 0.9)).
DEFAULT_SPARSITIES = (0.25, 0.5, 0.75, 0.9)
QUICK_SPARSITIES = (0.5, 0.9)
#: The paired Wilcoxon tests of :func:`sweep`: (method, against).
SWEEP_COMPARISONS = (
    ("chaos_loss", "magnitude"), ("chaos_loss", "random"), ("chaos_loss", "shuffle_loss"),
    ("chaos_error", "magnitude"), ("chaos_error", "random"), ("chaos_error", "shuffle_error"),
)
#: Seed of the train/test split of scikit-learn data in :func:`sweep`.
SPLIT_SEED = 42

_SWEEP_LABELS = {
    "dense": "dense (no pruning)",
    "chaos_loss": "chaos-causal ranking, risk=loss",
    "chaos_error": "chaos-causal ranking, risk=error",
    "magnitude": "magnitude, global",
    "magnitude_layer": "magnitude, layer-wise",
    "random": "random",
    "shuffle_loss": "chaos (loss) mask shuffled within layers",
    "shuffle_error": "chaos (error) mask shuffled within layers",
    "ft_loss": "LEGCNet-FT, alpha=0.05, risk=loss",
    "ft_error": "LEGCNet-FT, alpha=0.05, risk=error",
    "pt_loss": "LEGCNet-PT, alpha=0.05, risk=loss",
    "pt_error": "LEGCNet-PT, alpha=0.05, risk=error",
}


def sklearn_study_data(name, *, hidden=DEMO_NETWORK["hidden"], epochs=DEMO_NETWORK["epochs"],
                       lr=DEMO_NETWORK["lr"], batch_size=DEMO_NETWORK["batch_size"],
                       window="auto", maxlag="auto"):
    """A scikit-learn data set and the demo's network, as :func:`sweep` takes them.

    The data are split 80/20, stratified, with the fixed seed
    :data:`SPLIT_SEED` (42), and standardised on the training part (the
    demo's loader, :func:`~skchaosprune.datasets.load_sklearn_dataset`; in
    the study the seeds vary only the network).  The network is
    ``skchaosprune demo``'s (:func:`~skchaosprune.datasets.demo_data`): one
    sigmoid hidden layer of ``hidden`` units, lr ``lr``, ``epochs`` epochs
    of one-sample SGD; the chaos-causal settings are the defaults
    (``window`` and ``maxlag`` 'auto' unless given).

    Parameters
    ----------
    name : {'digits', 'iris', 'wine', 'breast_cancer'}
        The scikit-learn loader (``sklearn.datasets.load_<name>``), one of
        :data:`~skchaosprune.datasets.SKLEARN_DATASETS`.
    hidden, epochs, lr, batch_size : int, int, float, int
        The network (the demo's ``--hidden``, ``--epochs``, ``--lr``,
        ``--batch-size``).
    window, maxlag : int or 'auto', default='auto'
        Of the :class:`~skchaosprune.ChaosCausalPruning` strategy.

    Returns
    -------
    data : dict
        Keys 'name' (``'sklearn_' + name``), 'X_train', 'X_test', 'y_train',
        'y_test', 'estimator' (unfitted), 'pruning' and 'network' (a
        description).

    Examples
    --------
    >>> data = sklearn_study_data("wine")
    >>> data["name"], data["X_train"].shape, data["network"]
    ('sklearn_wine', (142, 13), '13-32-3 sigmoid, lr 0.1, 20 epochs, batch 1')
    """
    return demo_data(f"sklearn_{name}", *load_sklearn_dataset(name, SPLIT_SEED),
                     hidden=hidden, epochs=epochs, lr=lr, batch_size=batch_size,
                     window=window, maxlag=maxlag)


def _paper_data(name, data_dir, scaling):
    data = load_paper_dataset(name, data_dir, scaling=scaling)
    s = data.settings
    return {"name": name, "X_train": data.X_train, "X_test": data.X_test,
            "y_train": data.y_train, "y_test": data.y_test,
            "estimator": paper_estimator(name), "pruning": paper_pruning(name, risk="loss"),
            "network": (f"{s.net} sigmoid, lr {s.learning_rate}, {s.epochs} epochs, "
                        f"batch {s.batch_size}, window {s.window}, maxlag 14")}


def _check_classification(spec):
    """The study compares classifiers (accuracy, macro F1, Wilcoxon tests
    of accuracy): refuse anything else before any training."""
    from sklearn.base import is_classifier
    from sklearn.utils.multiclass import type_of_target

    name = spec["name"]
    if not is_classifier(spec["estimator"]):
        raise ValueError(
            f"sweep compares classifiers (test accuracy, macro F1); the data set {name!r} "
            f"has a {type(spec['estimator']).__name__}. Give it a DenseMLPClassifier and "
            "class labels; for regression, compare strategies directly "
            "(DenseMLPRegressor(pruning=...).fit(X, y).score(X_test, y_test) gives R2).")
    kind = type_of_target(spec["y_train"])
    if kind not in ("binary", "multiclass"):
        what = ("continuous values (a regression target)" if kind.startswith("continuous")
                else f"{kind} targets")
        raise ValueError(
            f"sweep compares classifiers (test accuracy, macro F1); the y_train of the data "
            f"set {name!r} holds {what}. Give it one column of class labels (bin a "
            "continuous target into classes first); for regression, compare strategies "
            "directly (DenseMLPRegressor(pruning=...).fit(X, y).score(X_test, y_test) "
            "gives R2).")


def _study_data(spec, data_dir, scaling):
    """One data set of :func:`sweep` as a dict (see :func:`sklearn_study_data`)."""
    from ..pruning import ChaosCausalPruning

    if isinstance(spec, dict):
        missing = [k for k in ("name", "X_train", "X_test", "y_train", "y_test", "estimator")
                   if k not in spec]
        if missing:
            raise ValueError(f"A data set given as a dict needs the keys {missing}.")
        spec = dict(spec)
        _check_classification(spec)
        spec.setdefault("pruning", None)
        spec.setdefault("network", repr(spec["estimator"]))
        if not isinstance(spec["pruning"], ChaosCausalPruning):
            spec["pruning"] = ChaosCausalPruning()
        return spec
    if isinstance(spec, str) and spec in PAPER_SETTINGS:
        return _paper_data(spec, data_dir, scaling)
    if isinstance(spec, str) and spec.startswith("sklearn_") and spec[8:] in SKLEARN_DATASETS:
        return sklearn_study_data(spec[8:])
    raise ValueError(
        f"Unknown data set {spec!r}; choose from the paper's {list(PAPER_SETTINGS)} or "
        f"scikit-learn's {['sklearn_' + n for n in SKLEARN_DATASETS]}, or pass a dict "
        "(see sklearn_study_data).")


def _check_sparsities(sparsities):
    values = []
    for value in sparsities:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"sparsities must be numbers in (0, 1); got {value!r}.") from None
        if isinstance(value, bool) or not 0.0 < number < 1.0:
            raise ValueError(
                f"sparsities must be strictly between 0 and 1 (the fraction of weights "
                f"pruned); got {value!r}.")
        values.append(number)
    if not values:
        raise ValueError("sparsities is empty; give at least one value in (0, 1).")
    return sorted(set(values))


def _check_seeds(seeds):
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                        for s in seeds):
        raise ValueError(f"seeds must be a non-empty list of ints; got {seeds!r}.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds!r}.")
    return [int(s) for s in seeds]


def _quick_spec(spec):
    """Fewer epochs and 'auto' windows, for tests and CI."""
    from sklearn.base import clone

    spec = dict(spec)
    epochs = max(5, math.ceil(spec["estimator"].max_iter / 4))
    spec["estimator"] = clone(spec["estimator"]).set_params(max_iter=epochs)
    spec["pruning"] = clone(spec["pruning"]).set_params(window="auto", maxlag="auto")
    spec["network"] += f"; quick: {epochs} epochs, window and maxlag auto"
    return spec


def _pack(flags):
    return np.packbits(np.asarray(flags, dtype=bool)).tobytes().hex()


def pruned_mask(row):
    """The pruned weights of a :func:`sweep` row, as a flat boolean array.

    Rows store the set in ``row['pruned_mask']``, hex of the packed bits
    (True: pruned; layer by layer, C order, as the estimators' masks).

    Examples
    --------
    >>> import numpy as np
    >>> row = {"pruned_mask": _pack([True, False, False, True, True]), "n_weights": 5}
    >>> pruned_mask(row)
    array([ True, False, False,  True,  True])
    """
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(row["pruned_mask"]), dtype=np.uint8))
    return bits[: row["n_weights"]].astype(bool)


def _sweep_row(data, seed, method, target, est, seconds, error=None, caught=()):
    from sklearn.metrics import f1_score

    row = {"dataset": data["name"], "seed": seed, "method": method, "target": target,
           "accuracy": None, "f1_macro": None, "sparsity": None, "pruned_weights": None,
           "n_weights": None, "flops": None, "layer_sparsity": None, "pruned_mask": None,
           "seconds": float(seconds), "error": error,
           "warnings": sorted({" ".join(str(w.message).split()) for w in caught})}
    if est is None:
        return row
    pred = est.predict(data["X_test"])
    y_test = np.asarray(data["y_test"])
    pruned = ~np.concatenate([m.ravel() for m in est.masks_])
    row.update(
        accuracy=float(np.mean(pred == y_test)),
        f1_macro=float(f1_score(y_test, pred, average="macro")),
        sparsity=float(pruned.mean()), pruned_weights=int(pruned.sum()),
        n_weights=int(pruned.size), flops=int(metrics.flops(est)),
        layer_sparsity=[float((~m).mean()) for m in est.masks_], pruned_mask=_pack(pruned))
    return row


def _sweep_strategies(base, sparsity, seed):
    """The ranked methods' strategies at one target sparsity."""
    from sklearn.base import clone

    from ..pruning import LayerShuffledPruning, MagnitudePruning, RandomPruning

    def chaos(risk):
        return clone(base).set_params(sparsity=sparsity, risk=risk)

    return {
        "chaos_loss": chaos("loss"),
        "chaos_error": chaos("error"),
        "magnitude": MagnitudePruning(sparsity, scope="global"),
        "magnitude_layer": MagnitudePruning(sparsity, scope="layer"),
        "random": RandomPruning(sparsity, random_state=seed),
        "shuffle_loss": LayerShuffledPruning(chaos("loss"), random_state=seed),
        "shuffle_error": LayerShuffledPruning(chaos("error"), random_state=seed),
    }


def _sweep_seed(data, seed, sparsities, sweep_counts, step):
    """Every method at every sparsity, for one data set and seed.

    Whatever a fit or prune raises (an Exception, not an interrupt) becomes
    the 'error' of its rows: a dense run that fails gives every row it
    would have decided an error that names it, and the other rows go on.
    """
    import copy
    import warnings

    from sklearn.base import clone

    X, y = data["X_train"], data["y_train"]
    template = clone(data["estimator"]).set_params(random_state=seed)
    base = clone(data["pruning"]).set_params(mode="full", risk="loss", sparsity=None)
    rows = []

    def dense_run(strategy, kind):
        # The mask of sparsity 0 keeps every weight and retrain=None keeps
        # the dense weights: the fitted estimator is the dense network, with
        # its dynamics recorded.  Returns (estimator or None, seconds, error).
        step(f"{kind} dense run")
        sweep_counts[kind] += 1
        start = time.perf_counter()
        try:
            est = clone(template).set_params(pruning=strategy.set_params(sparsity=0.0),
                                             retrain=None)
            est.fit(X, y)
        except Exception as exc:
            return None, time.perf_counter() - start, _error_text(exc)
        return est, time.perf_counter() - start, None

    def row(method, target, est, seconds, error=None, caught=()):
        try:
            rows.append(_sweep_row(data, seed, method, target, est, seconds, error, caught))
        except Exception as exc:  # scoring the fitted network failed
            rows.append(_sweep_row(data, seed, method, target, None, seconds,
                                   _error_text(exc), caught))

    def pruned(run, method, target, strategy, run_error=None):
        step(method if target is None else f"{method} at {target:g}")
        if run is None:
            row(method, target, None, 0.0, run_error)
            return
        start = time.perf_counter()
        est, error = None, None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                # Shares the run's dynamics (and its cached Granger tests):
                # only the estimator's weights and masks are copied.
                est = copy.deepcopy(run, {id(run._dynamics): run._dynamics})
                est.set_params(retrain="rewind")
                est.prune(X, y, pruning=strategy)
                sweep_counts["retrainings"] += 1
            except Exception as exc:
                est, error = None, _error_text(exc)
            row(method, target, est, time.perf_counter() - start, error, caught)

    dense, seconds, error = dense_run(clone(base), "full")
    row("dense", None, dense, seconds, error)
    run_error = None if error is None else f"the dense run failed: {error}"
    for sparsity in sparsities:
        for method, strategy in _sweep_strategies(base, sparsity, seed).items():
            pruned(dense, method, sparsity, strategy, run_error)
    for risk in ("loss", "error"):
        pruned(dense, f"ft_{risk}", None, clone(base).set_params(risk=risk), run_error)
    partial = clone(base).set_params(mode="partial")
    pt_run, _, error = dense_run(clone(partial), "partial")
    run_error = None if error is None else f"the partial (PT) dense run failed: {error}"
    for risk in ("loss", "error"):
        pruned(pt_run, f"pt_{risk}", None, clone(partial).set_params(risk=risk), run_error)
    return rows


def _jaccard(masks):
    """Mean pairwise Jaccard index of pruned sets (two empty sets: 1)."""
    values = []
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            union = np.count_nonzero(masks[i] | masks[j])
            inter = np.count_nonzero(masks[i] & masks[j])
            values.append(1.0 if union == 0 else inter / union)
    return (float(np.mean(values)) if values else None), len(values)


def _num(value):
    value = float(value)
    return None if math.isnan(value) else value


def sweep_summary(rows):
    """Mean and sd per (data set, method, target sparsity) of :func:`sweep` rows.

    Parameters
    ----------
    rows : list of dict
        ``sweep(...)["rows"]``.

    Returns
    -------
    summary : list of dict
        One per (dataset, method, target), in the order they first appear:
        'n' (rows), 'failed' (rows whose prune raised, with 'error' the
        first message), ``<metric>_mean`` and ``<metric>_sd`` (sample sd,
        0.0 for one row; None when every row failed) for 'accuracy',
        'f1_macro', 'sparsity' and 'flops'; 'layer_sparsity', the mean
        fraction pruned of each weight matrix; 'jaccard', the mean pairwise
        Jaccard index of the pruned sets across seeds (1 for identical sets,
        two empty sets included; None for fewer than two rows), and
        'jaccard_pairs'.

    Examples
    --------
    >>> rows = [dict(dataset="d", method="m", target=0.5, accuracy=a, f1_macro=a,
    ...              sparsity=0.5, flops=10, layer_sparsity=[0.5], error=None,
    ...              pruned_mask=_pack(p), n_weights=4)
    ...         for a, p in [(0.8, [1, 1, 0, 0]), (0.9, [1, 0, 1, 0])]]
    >>> s = sweep_summary(rows)[0]
    >>> s["accuracy_mean"], round(s["accuracy_sd"], 4), s["jaccard"]
    (0.85, 0.0707, 0.3333333333333333)
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["dataset"], row["method"], row["target"]), []).append(row)
    summary = []
    for (dataset, method, target), group in groups.items():
        ok = [r for r in group if r["error"] is None]
        entry = {"dataset": dataset, "method": method, "target": target, "n": len(group),
                 "failed": len(group) - len(ok),
                 "error": next((r["error"] for r in group if r["error"]), None)}
        for key in ("accuracy", "f1_macro", "sparsity", "flops"):
            mean, sd = _mean_std([r[key] for r in ok])
            entry[f"{key}_mean"], entry[f"{key}_sd"] = mean, sd
        entry["layer_sparsity"] = (
            [float(v) for v in np.mean([r["layer_sparsity"] for r in ok], axis=0)]
            if ok else None)
        jaccard, pairs = _jaccard([pruned_mask(r) for r in ok])
        entry["jaccard"], entry["jaccard_pairs"] = jaccard, pairs
        summary.append(entry)
    return summary


def sweep_wilcoxon(rows, comparisons=SWEEP_COMPARISONS, *, metric="accuracy"):
    """Paired Wilcoxon signed-rank tests of :func:`sweep` rows, per target sparsity.

    For each data set, target sparsity and (method, against) pair, the
    accuracies of the two methods are paired by seed (seeds where either
    prune failed are left out) and ``scipy.stats.wilcoxon(method, against)``
    is run with its defaults (two-sided; zero differences dropped,
    'wilcox').  A row with ``dataset='all'`` pools the pairs of every data
    set (pairs by data set and seed).

    Parameters
    ----------
    rows : list of dict
        ``sweep(...)["rows"]``.
    comparisons : sequence of (str, str), default=SWEEP_COMPARISONS
    metric : str, default='accuracy'
        The row key compared.

    Returns
    -------
    tests : list of dict
        Keys 'dataset', 'target', 'method', 'against', 'n' (pairs), 'wins',
        'ties', 'losses' (of ``method``), 'mean_difference' (method minus
        against), 'statistic' and 'pvalue' (None without a pair; 0 and 1
        when every difference is zero; with 5 pairs the smallest two-sided
        p-value is 2/32 = 0.0625).
    """
    import warnings

    from scipy.stats import wilcoxon

    values = {}
    for row in rows:
        if row["target"] is not None and row["error"] is None:
            values[(row["dataset"], row["method"], row["target"], row["seed"])] = row[metric]
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    targets = sorted({r["target"] for r in rows if r["target"] is not None})
    seeds = list(dict.fromkeys(r["seed"] for r in rows))
    tests = []
    for dataset in datasets + (["all"] if len(datasets) > 1 else []):
        names = datasets if dataset == "all" else [dataset]
        for target in targets:
            for method, against in comparisons:
                keys = [(d, target, s) for d in names for s in seeds
                        if (d, method, target, s) in values and (d, against, target, s) in values]
                a = np.array([values[(d, method, t, s)] for d, t, s in keys], dtype=float)
                b = np.array([values[(d, against, t, s)] for d, t, s in keys], dtype=float)
                entry = {"dataset": dataset, "target": target, "method": method,
                         "against": against, "n": len(keys),
                         "wins": int(np.sum(a > b)), "ties": int(np.sum(a == b)),
                         "losses": int(np.sum(a < b)),
                         "mean_difference": float(np.mean(a - b)) if keys else None,
                         "statistic": None, "pvalue": None}
                if keys and not np.any(a != b):
                    # No non-zero difference: no evidence either way (scipy
                    # gives this for two or more such pairs, raises for one).
                    entry["statistic"], entry["pvalue"] = 0.0, 1.0
                elif keys:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        result = wilcoxon(a, b)
                    entry["statistic"] = _num(result.statistic)
                    entry["pvalue"] = _num(result.pvalue)
                tests.append(entry)
    return tests


def sweep(datasets, *, data_dir=None, seeds=None, sparsities=None, quick=False,
          scaling="per_feature", progress=None):
    """Accuracy against sparsity, over seeds, for every pruning method.

    For each data set and seed: **one dense run** with its dynamics
    recorded (the chaos-causal strategy with ``risk='loss'``; both risks
    are recorded), then every method at every target sparsity, each
    decided on that same run and retrained by rewinding to the same
    initial weights with the same data order (the paper's retraining):

    - 'chaos_loss', 'chaos_error': the chaos-causal ranking (least causal
      first, ``ChaosCausalPruning(sparsity=s)``) with ``risk='loss'`` and
      ``risk='error'``;
    - 'magnitude', 'magnitude_layer': :class:`~skchaosprune.MagnitudePruning`,
      global and layer-wise;
    - 'random': :class:`~skchaosprune.RandomPruning` (seeded by the seed);
    - 'shuffle_loss', 'shuffle_error': the layer-wise shuffle control,
      :class:`~skchaosprune.LayerShuffledPruning` of the chaos-causal
      mask (same per-layer counts, seeded by the seed);
    - operating points (no target): 'ft_loss', 'ft_error', the
      alpha-decided LEGCNet-FT masks of the same run, and 'pt_loss',
      'pt_error', the LEGCNet-PT masks of a partial dense run (one more
      run per data set and seed, shared by both risks);
    - 'dense': the dense network itself.

    The seed sets the initial weights, the data order, the validation
    split, and the random and shuffled masks; the train/test split is
    fixed (seed 42), so the seeds vary only the network.

    The study compares classifiers: a data set whose estimator is not a
    classifier or whose ``y_train`` is not class labels (a regression
    target) is refused with a ValueError before any training.

    Parameters
    ----------
    datasets : iterable of str or dict
        Paper data sets (keys of :data:`~skchaosprune.datasets.PAPER_SETTINGS`,
        with their networks and ``paper_pruning(name, risk='loss')``),
        scikit-learn ones as ``'sklearn_wine'``, ``'sklearn_breast_cancer'``
        ... (the demo's network, :func:`sklearn_study_data`), or dicts with
        keys 'name', 'X_train', 'X_test', 'y_train', 'y_test', 'estimator'
        (an unfitted template) and optionally 'pruning' (a
        ChaosCausalPruning) and 'network' (a description).
    data_dir : str or path-like, default=None
        Folder of the paper's data files.
    seeds : iterable of int or None, default=None
        None: (0, 1, 2, 3, 4); with ``quick=True``, (0,).
    sparsities : iterable of float or None, default=None
        Target fractions of the weights pruned, each in (0, 1).  None:
        :data:`DEFAULT_SPARSITIES`; with ``quick=True``, (0.5, 0.9).
    quick : bool, default=False
        For tests and CI: one seed, two sparsities (unless given), a
        quarter of the epochs (at least 5) and 'auto' windows and lags.
    scaling : {'per_feature', 'reference', None}, default='per_feature'
        Of the paper data (:func:`~skchaosprune.datasets.load_paper_dataset`).
    progress : callable or None, default=None
        Called as ``progress(message, done, total)`` before each fit or
        retraining (``done`` steps of ``total`` finished).

    Returns
    -------
    result : dict
        JSON-ready (``json.loads(json.dumps(result)) == result``):

        - 'rows': one per (data set, seed, method, target) with 'accuracy',
          'f1_macro' (test set), 'sparsity' (fraction pruned), 'flops',
          'layer_sparsity', 'pruned_weights', 'n_weights', 'pruned_mask'
          (see :func:`pruned_mask`), 'seconds', 'error' (the first line of
          the message when the prune raised, e.g. no Granger test possible
          on a constant error series, or when the dense run it needs did
          ('the dense run failed: ...'); the metrics are then None: one
          method or data set that fails ends nothing else) and 'warnings';
        - 'summary': :func:`sweep_summary` of the rows (mean +- sd, FLOPs,
          per-layer sparsity, Jaccard stability across seeds);
        - 'wilcoxon': :func:`sweep_wilcoxon` of the rows;
        - 'settings': data sets, networks, seeds, sparsities, methods,
          comparisons, quick, split seed;
        - 'counts': dense runs ('full', 'partial') and 'retrainings';
        - 'seconds': the wall time.

    Examples
    --------
    >>> result = sweep(["sklearn_iris"], quick=True)
    >>> result["counts"]
    {'full': 1, 'partial': 1, 'retrainings': 18}
    >>> sorted({r["target"] for r in result["rows"] if r["target"] is not None})
    [0.5, 0.9]
    >>> print(format_sweep(result).splitlines()[1])
    method           50 %             90 %
    """
    start = time.perf_counter()
    quick = bool(quick)
    if scaling not in ("per_feature", "reference", None):
        raise ValueError(f"scaling must be 'per_feature', 'reference' or None; got {scaling!r}.")
    seeds = _check_seeds(seeds if seeds is not None else ((0,) if quick else range(5)))
    sparsities = _check_sparsities(sparsities if sparsities is not None
                                   else QUICK_SPARSITIES if quick else DEFAULT_SPARSITIES)
    if isinstance(datasets, (str, dict)):
        datasets = [datasets]
    specs = [_study_data(spec, data_dir, scaling) for spec in datasets]
    if not specs:
        raise ValueError("datasets is empty.")
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"data set names must be distinct; got {names}.")
    if quick:
        specs = [_quick_spec(s) for s in specs]
    per_seed = 1 + len(SWEEP_RANKED) * len(sparsities) + 2 + 1 + 2
    total = per_seed * len(seeds) * len(specs)
    counts = {"full": 0, "partial": 0, "retrainings": 0}
    done = [0]
    rows = []
    for data in specs:
        for seed in seeds:
            def step(message, data=data, seed=seed):
                if progress is not None and message is not None:
                    progress(f"{data['name']} seed {seed}: {message}", done[0], total)
                done[0] += 1

            rows += _sweep_seed(data, seed, sparsities, counts, step)
    if progress is not None:
        progress("done", total, total)
    return {
        "settings": {
            "datasets": names, "networks": {s["name"]: s["network"] for s in specs},
            "seeds": seeds, "sparsities": sparsities, "methods": list(SWEEP_METHODS),
            "comparisons": [list(c) for c in SWEEP_COMPARISONS], "quick": quick,
            "scaling": scaling, "split_seed": SPLIT_SEED, "retrain": "rewind",
        },
        "rows": rows,
        "summary": sweep_summary(rows),
        "wilcoxon": sweep_wilcoxon(rows),
        "counts": counts,
        "seconds": time.perf_counter() - start,
    }




def _plural(n, word):
    """'1 seed', '3 seeds'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _cell(mean, sd, fmt):
    return "failed" if mean is None else f"{fmt.format(mean)} +/- {fmt.format(sd)}"


def _why_failed(entries, shown):
    """The note after a method's line in :func:`format_sweep`: the first
    error of its runs that failed ('' when none did), with how many; an
    error already shown in the block (``shown``) is not repeated."""
    entries = [e for e in entries if e is not None]
    failed = sum(e["failed"] for e in entries)
    if not failed:
        return ""
    error = next(e["error"] for e in entries if e["error"])
    n = sum(e["n"] for e in entries)
    text = "as above" if error in shown else error
    shown.add(error)
    return _failure(text) if failed == n else f"{failed} of {n} runs failed: {text}"




def format_sweep(result, metric="accuracy"):
    """Plain-text tables of a :func:`sweep` result, one block per data set.

    Each block has one line per ranked method and one column per target
    sparsity, then the operating points (FT, PT) at the sparsity they
    chose.

    Parameters
    ----------
    result : dict
        Output of :func:`sweep` (or its JSON, loaded).
    metric : {'accuracy', 'f1_macro', 'jaccard', 'layer_sparsity'}, default='accuracy'
        Test accuracy or macro F1 (mean +/- sd over seeds), the mean
        pairwise Jaccard index of the pruned sets across seeds, or the
        percent pruned of each weight matrix (first/second/... layer).

    Returns
    -------
    text : str
    """
    if metric not in ("accuracy", "f1_macro", "jaccard", "layer_sparsity"):
        raise ValueError("metric must be 'accuracy', 'f1_macro', 'jaccard' or "
                         f"'layer_sparsity'; got {metric!r}.")
    summary = {(s["dataset"], s["method"], s["target"]): s for s in result["summary"]}
    settings = result["settings"]
    targets = settings["sparsities"]

    def value(entry):
        if entry is None:
            return ""
        if metric in ("accuracy", "f1_macro"):
            return _cell(entry[f"{metric}_mean"], entry[f"{metric}_sd"], "{:.3f}")
        if metric == "jaccard":
            return "" if entry["jaccard"] is None else f"{entry['jaccard']:.2f}"
        if entry["layer_sparsity"] is None:
            return "failed"
        return "/".join(f"{100 * v:.0f}" for v in entry["layer_sparsity"])

    title = {"accuracy": "test accuracy", "f1_macro": "macro F1",
             "jaccard": "Jaccard index of the pruned sets across seeds",
             "layer_sparsity": "% pruned per weight matrix"}[metric]
    out = []
    for name in settings["datasets"]:
        dense = summary.get((name, "dense", None))
        first = next((s for s in result["summary"]
                      if s["dataset"] == name and s["method"] == "chaos_loss"), None)
        line = (f"{name} ({settings['networks'].get(name, '')}), "
                f"{_plural(len(settings['seeds']), 'seed')}: {title}")
        shown = set()   # errors already written in this block
        if dense is not None and dense["failed"] == dense["n"]:
            line += f"; dense failed: {dense['error']}"
            shown.add(f"the dense run failed: {dense['error']}")
        elif dense is not None and metric in ("accuracy", "f1_macro"):
            line += f"; dense {value(dense)}"
        out.append(line)
        header = ["method"] + [f"{100 * t:g} %" for t in targets]
        lines, notes = [], []
        magnitude = [summary.get((name, "magnitude", t)) for t in targets]
        if first is not None and first["flops_mean"] is not None and dense is not None:
            lines.append(["FLOPs"] + [
                "" if m is None or m["flops_mean"] is None else f"{m['flops_mean']:.0f}"
                for m in magnitude])
            notes.append("")
        for method in SWEEP_RANKED:
            entries = [summary.get((name, method, t)) for t in targets]
            lines.append([method] + [value(e) for e in entries])
            notes.append(_why_failed(entries, shown))
        out += _render(header, lines, notes)
        points, notes = [], []
        for method in SWEEP_POINTS:
            entry = summary.get((name, method, None))
            if entry is None:
                continue
            notes.append(_why_failed([entry], shown))
            if entry["sparsity_mean"] is None:
                points.append([method, "failed", "", ""])
                continue
            points.append([method, _cell(100 * entry["sparsity_mean"],
                                         100 * entry["sparsity_sd"], "{:.1f}"),
                           value(entry), _cell(entry["flops_mean"], entry["flops_sd"], "{:.0f}")])
        if points:
            short = {"accuracy": "accuracy", "f1_macro": "macro F1", "jaccard": "Jaccard",
                     "layer_sparsity": "% per layer"}[metric]
            out += _render(["alpha = 0.05", "pruned %", short, "FLOPs"], points, notes)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def format_wilcoxon(result, method="chaos_loss", against="magnitude"):
    """The paired Wilcoxon tests of one comparison, data set by sparsity.

    Each cell is the mean accuracy difference (``method`` minus
    ``against``, over the seeds), the wins/ties/losses of ``method`` and
    the two-sided p-value; the last line pools every data set.

    Parameters
    ----------
    result : dict
        Output of :func:`sweep`.
    method, against : str
        A pair of :data:`SWEEP_COMPARISONS` (or any pair the result's
        'wilcoxon' holds).

    Returns
    -------
    text : str
    """
    tests = [t for t in result["wilcoxon"]
             if t["method"] == method and t["against"] == against]
    if not tests:
        raise ValueError(f"The result has no Wilcoxon test of {method!r} against {against!r}.")
    targets = result["settings"]["sparsities"]
    cells = {(t["dataset"], t["target"]): t for t in tests}
    header = ["dataset"] + [f"{100 * t:g} %" for t in targets]
    lines = []
    for name in dict.fromkeys(t["dataset"] for t in tests):
        row = [name]
        for target in targets:
            t = cells.get((name, target))
            if t is None or t["n"] == 0:
                row.append("n/a")
                continue
            row.append(f"{t['mean_difference']:+.3f} {t['wins']}/{t['ties']}/{t['losses']} "
                       f"p={t['pvalue']:.3g}")
        lines.append(row)
    out = [f"{method} against {against}: mean accuracy difference, wins/ties/losses "
           "over seeds, Wilcoxon signed-rank p (two-sided)"]
    return "\n".join(out + _render(header, lines)) + "\n"


def overview(result, metric="accuracy"):
    """Accuracy lost against the dense network, averaged over the data sets.

    Parameters
    ----------
    result : dict
        Output of :func:`sweep`.
    metric : {'accuracy', 'f1_macro'}, default='accuracy'

    Returns
    -------
    drops : dict
        ``(method, target) -> (mean, n)``: the mean over the data sets of
        (the method's mean over seeds minus the dense network's), and the
        number of data sets it averages (those where some prune succeeded).
        For the operating points (target None) also ``(method, 'sparsity')
        -> (mean sparsity, n)``.
    """
    if metric not in ("accuracy", "f1_macro"):
        raise ValueError(f"metric must be 'accuracy' or 'f1_macro'; got {metric!r}.")
    summary = {(s["dataset"], s["method"], s["target"]): s for s in result["summary"]}
    names = result["settings"]["datasets"]
    out = {}
    for method in SWEEP_RANKED + SWEEP_POINTS:
        targets = [None] if method in SWEEP_POINTS else result["settings"]["sparsities"]
        for target in targets:
            drops, sparsity = [], []
            for name in names:
                dense = summary.get((name, "dense", None))
                entry = summary.get((name, method, target))
                if dense is None or entry is None or entry[f"{metric}_mean"] is None:
                    continue
                drops.append(entry[f"{metric}_mean"] - dense[f"{metric}_mean"])
                sparsity.append(entry["sparsity_mean"])
            if drops:
                out[(method, target)] = (float(np.mean(drops)), len(drops))
                if target is None:
                    out[(method, "sparsity")] = (float(np.mean(sparsity)), len(drops))
    return out


def format_overview(result, metric="accuracy"):
    """:func:`overview` as a table: one line per method, one column per
    target sparsity, each cell the mean over the data sets of the method's
    accuracy minus the dense network's; then the FT/PT operating points
    at their mean sparsity.

    Returns
    -------
    text : str
    """
    drops = overview(result, metric)
    targets = result["settings"]["sparsities"]
    n = len(result["settings"]["datasets"])
    what = "accuracy" if metric == "accuracy" else "macro F1"
    out = [f"Mean over {_plural(n, 'data set')} of (test {what} - dense test {what})"]
    lines = [[method] + ["" if (method, t) not in drops else f"{drops[(method, t)][0]:+.3f}"
                         for t in targets] for method in SWEEP_RANKED]
    out += _render(["method"] + [f"{100 * t:g} %" for t in targets], lines)
    points = [[method, f"{100 * drops[(method, 'sparsity')][0]:.1f}",
               f"{drops[(method, None)][0]:+.3f}", f"{drops[(method, None)][1]}"]
              for method in SWEEP_POINTS if (method, None) in drops]
    if points:
        out += _render(["alpha = 0.05", "pruned %", f"{what} - dense", "data sets"], points)
    return "\n".join(out) + "\n"
