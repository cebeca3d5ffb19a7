"""The pruning study: accuracy (or R^2) against sparsity, over seeds.

:func:`sweep` fits one dense run per data set, seed and training regime,
with its dynamics, and decides every method at every target sparsity on it
(the chaos-causal ranking with each risk, magnitude, random, the layer-wise
shuffle control, and on request LAMP, iterative magnitude pruning with its
rewinds, OBS with and without retraining, the trajectory-causal lasso,
chaos-causal pruning in rounds, and the fresh-initialisation and
small-dense controls; the alpha-decided LEGCNet-FT and PT masks as
operating points).  :func:`sweep_summary` and :func:`sweep_wilcoxon`
reduce its rows; :func:`format_sweep`, :func:`format_wilcoxon`,
:func:`format_findings`, :func:`overview` and :func:`format_overview`
print them (docs/study.md is their output).  The (data set, seed, regime)
units are independent: ``n_jobs`` runs them through joblib, on any of its
backends (Dask's included), with the rows of the serial run.
"""

import math
import time

import numpy as np

from .. import metrics
from ..datasets import (
    DEMO_NETWORK,
    PAPER_SETTINGS,
    REGRESSION_DATASETS,
    SKLEARN_DATASETS,
    demo_data,
    load_paper_dataset,
    load_sklearn_dataset,
    paper_estimator,
    paper_pruning,
    regression_data,
)
from ._runner import run_units
from .common import _error_text, _failure, _mean_std, _render

__all__ = [
    "DEFAULT_SPARSITIES",
    "REGIMES",
    "SWEEP_ALL_METHODS",
    "SWEEP_COMPARISONS",
    "SWEEP_EXTRA_COMPARISONS",
    "SWEEP_METHODS",
    "adjust_pvalues",
    "format_findings",
    "format_overview",
    "format_sweep",
    "format_wilcoxon",
    "overview",
    "pruned_mask",
    "sklearn_study_data",
    "small_dense_sizes",
    "sweep",
    "sweep_summary",
    "sweep_wilcoxon",
]

#: Methods ranked to every target sparsity of :func:`sweep` by default.
SWEEP_RANKED = ("chaos_loss", "chaos_error", "magnitude", "magnitude_layer", "random",
                "shuffle_loss", "shuffle_error")
#: The further methods :func:`sweep` ranks on request (``methods``), each at
#: every target sparsity: LAMP; iterative magnitude pruning rewound to the
#: initial weights, to epoch 1 and by learning rate; OBS keeping its
#: corrected weights, fine-tuned and rewound; the trajectory-causal lasso;
#: chaos-causal pruning in rounds; the controls (the magnitude and
#: chaos-causal masks trained from fresh initial weights, and a small dense
#: network with as many weights).
SWEEP_EXTRA = ("lamp", "imp", "imp_late", "imp_lr", "obs", "obs_finetune", "obs_rewind",
               "trajectory", "chaos_imp", "fresh_magnitude", "fresh_chaos", "small_dense")
#: The alpha-decided chaos-causal masks (LEGCNet-FT and -PT, each risk):
#: operating points at the sparsity they choose.
SWEEP_POINTS = ("ft_loss", "ft_error", "pt_loss", "pt_error")
#: The default methods of a :func:`sweep` row, in order.
SWEEP_METHODS = ("dense",) + SWEEP_RANKED + SWEEP_POINTS
#: Every method :func:`sweep` knows (``methods='all'``), in order.
SWEEP_ALL_METHODS = ("dense",) + SWEEP_RANKED + SWEEP_EXTRA + SWEEP_POINTS
#: Target sparsities of :func:`sweep` (``quick=True``: (0.5, 0.9)).
DEFAULT_SPARSITIES = (0.25, 0.5, 0.75, 0.9)
QUICK_SPARSITIES = (0.5, 0.9)
#: The paired Wilcoxon tests of :func:`sweep`: (method, against).
SWEEP_COMPARISONS = (
    ("chaos_loss", "magnitude"), ("chaos_loss", "random"), ("chaos_loss", "shuffle_loss"),
    ("chaos_error", "magnitude"), ("chaos_error", "random"), ("chaos_error", "shuffle_error"),
)
#: Further tests, run when both methods are in the study.
SWEEP_EXTRA_COMPARISONS = (
    ("lamp", "magnitude"), ("imp", "magnitude"), ("imp_late", "imp"), ("imp_lr", "imp"),
    ("obs", "magnitude"), ("obs_finetune", "magnitude"), ("obs_rewind", "magnitude"),
    ("trajectory", "magnitude"), ("chaos_imp", "imp"), ("chaos_imp", "chaos_loss"),
    ("magnitude", "fresh_magnitude"), ("chaos_loss", "fresh_chaos"),
    ("magnitude", "small_dense"), ("imp", "small_dense"),
)
#: Training regimes: 'paper', the data set's own estimator (one-sample plain
#: SGD for the paper's and the demo's networks); 'sklearn', the estimator
#: class's defaults (adam, mini-batches of 200, relu, L2 1e-4, 200 epochs at
#: most) with the same hidden layers.
REGIMES = ("paper", "sklearn")
#: Seed of the train/test split of scikit-learn data in :func:`sweep`.
SPLIT_SEED = 42
#: Added to the seed for the fresh initial weights of the 'fresh_*' controls.
FRESH_OFFSET = 1_000_003

# The mask a fresh-initialisation control retrains, by control.
_FRESH_SOURCE = {"fresh_magnitude": "magnitude", "fresh_chaos": "chaos_loss"}
# The estimator's retrain of a method (default 'rewind').
_RETRAIN = {"obs": None, "obs_finetune": "finetune"}

_SWEEP_LABELS = {
    "dense": "dense (no pruning)",
    "chaos_loss": "chaos-causal ranking, risk=loss",
    "chaos_error": "chaos-causal ranking, risk=error",
    "magnitude": "magnitude, global",
    "magnitude_layer": "magnitude, layer-wise",
    "random": "random",
    "shuffle_loss": "chaos (loss) mask shuffled within layers",
    "shuffle_error": "chaos (error) mask shuffled within layers",
    "lamp": "LAMP (magnitude, scope='lamp')",
    "imp": "iterative magnitude, rewind to init",
    "imp_late": "iterative magnitude, rewind to epoch 1",
    "imp_lr": "iterative magnitude, learning-rate rewind",
    "obs": "OBS, corrected weights, no retraining",
    "obs_finetune": "OBS, fine-tuned",
    "obs_rewind": "OBS mask, rewound",
    "trajectory": "trajectory-causal lasso (experimental)",
    "chaos_imp": "chaos-causal (loss) in rounds",
    "fresh_magnitude": "magnitude mask, fresh initial weights",
    "fresh_chaos": "chaos (loss) mask, fresh initial weights",
    "small_dense": "small dense network, as many weights",
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


def _is_regression(spec):
    from sklearn.base import is_regressor

    return hasattr(spec["estimator"], "fit") and is_regressor(spec["estimator"])


def _check_task(spec):
    """Classifiers get class labels (accuracy, macro F1), regressors numbers
    (R^2); anything else is refused before any training."""
    from sklearn.base import is_classifier, is_regressor
    from sklearn.utils.multiclass import type_of_target

    name = spec["name"]
    est = spec["estimator"]
    if not (hasattr(est, "fit") and (is_classifier(est) or is_regressor(est))):
        raise ValueError(
            f"sweep compares classifiers (test accuracy, macro F1) and regressors (test "
            f"R^2); the data set {name!r} has a {type(spec['estimator']).__name__}.")
    kind = type_of_target(spec["y_train"])
    if is_classifier(spec["estimator"]) and kind not in ("binary", "multiclass"):
        what = ("continuous values (a regression target)" if kind.startswith("continuous")
                else f"{kind} targets")
        raise ValueError(
            f"sweep compares classifiers on class labels; the y_train of the data set "
            f"{name!r} holds {what}. Give it one column of class labels (bin a continuous "
            "target into classes first), or a DenseMLPRegressor to compare R^2.")
    if is_regressor(spec["estimator"]) and np.ndim(spec["y_train"]) != 1:
        raise ValueError(
            f"sweep compares regressors on one target column; the y_train of the data set "
            f"{name!r} has shape {np.shape(spec['y_train'])}.")


def _study_data(spec, data_dir, scaling):
    """One data set of :func:`sweep` as a dict (see :func:`sklearn_study_data`)."""
    from ..pruning import ChaosCausalPruning

    if isinstance(spec, dict):
        missing = [k for k in ("name", "X_train", "X_test", "y_train", "y_test", "estimator")
                   if k not in spec]
        if missing:
            raise ValueError(f"A data set given as a dict needs the keys {missing}.")
        spec = dict(spec)
        _check_task(spec)
        spec.setdefault("pruning", None)
        spec.setdefault("network", repr(spec["estimator"]))
        if not isinstance(spec["pruning"], ChaosCausalPruning):
            spec["pruning"] = ChaosCausalPruning()
        return spec
    if isinstance(spec, str) and spec in PAPER_SETTINGS:
        return _paper_data(spec, data_dir, scaling)
    if isinstance(spec, str) and spec.startswith("sklearn_") and spec[8:] in SKLEARN_DATASETS:
        return sklearn_study_data(spec[8:])
    if (isinstance(spec, str) and spec.startswith("sklearn_")
            and spec[8:] in REGRESSION_DATASETS):
        return regression_data(spec[8:], random_state=SPLIT_SEED)
    raise ValueError(
        f"Unknown data set {spec!r}; choose from the paper's {list(PAPER_SETTINGS)}, "
        f"scikit-learn's {['sklearn_' + n for n in SKLEARN_DATASETS]}, the regression "
        f"tables {['sklearn_' + n for n in REGRESSION_DATASETS]}, or pass a dict "
        "(see sklearn_study_data).")


def _regime_spec(spec, regime):
    """The data set under a training regime: 'paper' as given; 'sklearn',
    the estimator class's defaults with the same hidden layers (named
    ``name@sklearn``, with 'auto' windows and lags)."""
    from sklearn.base import clone

    if regime == "paper":
        return dict(spec, regime="paper")
    est = spec["estimator"]
    defaults = type(est)(hidden_layer_sizes=est.hidden_layer_sizes)
    return dict(spec, name=f"{spec['name']}@{regime}", regime=regime, estimator=defaults,
                pruning=clone(spec["pruning"]).set_params(window="auto", maxlag="auto"),
                network=(f"hidden {tuple(est.hidden_layer_sizes)}, {type(est).__name__}'s "
                         "defaults (adam, batch 200, relu, L2 1e-4, 200 epochs at most)"))


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


def _check_methods(methods):
    """The methods of a sweep, in :data:`SWEEP_ALL_METHODS` order; 'dense'
    always, and the source of a fresh-initialisation control."""
    if methods is None:
        return list(SWEEP_METHODS)
    if isinstance(methods, str):
        methods = list(SWEEP_ALL_METHODS) if methods == "all" else [methods]
    methods = list(methods)
    unknown = [m for m in methods if m not in SWEEP_ALL_METHODS]
    if unknown:
        raise ValueError(f"Unknown method(s) {unknown}; choose from "
                         f"{list(SWEEP_ALL_METHODS)} (or 'all').")
    if not methods:
        raise ValueError("methods is empty; choose from "
                         f"{list(SWEEP_ALL_METHODS)} (or 'all').")
    chosen = set(methods) | {"dense"}
    chosen |= {_FRESH_SOURCE[m] for m in methods if m in _FRESH_SOURCE}
    return [m for m in SWEEP_ALL_METHODS if m in chosen]


def _check_regimes(regimes):
    if isinstance(regimes, str):
        regimes = [regimes]
    regimes = list(dict.fromkeys(regimes))
    bad = [r for r in regimes if r not in REGIMES]
    if bad or not regimes:
        raise ValueError(f"regimes must be a non-empty list of {list(REGIMES)}; got "
                         f"{regimes!r}.")
    return regimes


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


def _score(est, data):
    """(score, accuracy, macro F1, R^2) on the test split: the score is the
    accuracy of a classifier and the R^2 of a regressor."""
    from sklearn.metrics import f1_score, r2_score

    pred = est.predict(data["X_test"])
    y_test = np.asarray(data["y_test"])
    if data.get("task") == "regression":
        r2 = float(r2_score(y_test, pred))
        return r2, None, None, r2
    accuracy = float(np.mean(pred == y_test))
    return accuracy, accuracy, float(f1_score(y_test, pred, average="macro")), None


def _sweep_row(data, seed, method, target, est, seconds, error=None, caught=(), cost=None):
    row = {"dataset": data["name"], "regime": data.get("regime", "paper"),
           "task": data.get("task", "classification"), "seed": seed, "method": method,
           "target": target, "score": None, "accuracy": None, "f1_macro": None, "r2": None,
           "sparsity": None, "pruned_weights": None, "n_weights": None, "flops": None,
           "layer_sparsity": None, "pruned_mask": None, "hidden_layer_sizes": None,
           "seconds": float(seconds), "decision_seconds": None, "retrain_seconds": None,
           "cost_seconds": None, "cost_ratio": None, "error": error,
           "warnings": sorted({" ".join(str(w.message).split()) for w in caught})}
    if cost is not None:
        row.update(cost)
    if est is None:
        return row
    score, accuracy, f1, r2 = _score(est, data)
    pruned = ~np.concatenate([m.ravel() for m in est.masks_])
    row.update(score=score, accuracy=accuracy, f1_macro=f1, r2=r2,
               sparsity=float(pruned.mean()), pruned_weights=int(pruned.sum()),
               n_weights=int(pruned.size), flops=int(metrics.flops(est)),
               layer_sparsity=[float((~m).mean()) for m in est.masks_],
               pruned_mask=_pack(pruned),
               hidden_layer_sizes=[int(c.shape[1]) for c in est.coefs_[:-1]])
    return row


def _sweep_strategies(base, sparsity, seed, methods):
    """The ranked methods' strategies at one target sparsity (those in
    ``methods``; the fresh-initialisation and small-dense controls have
    none)."""
    from sklearn.base import clone

    from ..pruning import (
        IterativePruning,
        LayerShuffledPruning,
        MagnitudePruning,
        OBSPruning,
        RandomPruning,
        TrajectoryCausalPruning,
    )

    def chaos(risk):
        return clone(base).set_params(sparsity=sparsity, risk=risk)

    def imp(rewind):
        return IterativePruning(MagnitudePruning(), sparsity=sparsity, rewind=rewind)

    make = {
        "chaos_loss": lambda: chaos("loss"),
        "chaos_error": lambda: chaos("error"),
        "magnitude": lambda: MagnitudePruning(sparsity, scope="global"),
        "magnitude_layer": lambda: MagnitudePruning(sparsity, scope="layer"),
        "random": lambda: RandomPruning(sparsity, random_state=seed),
        "shuffle_loss": lambda: LayerShuffledPruning(chaos("loss"), random_state=seed),
        "shuffle_error": lambda: LayerShuffledPruning(chaos("error"), random_state=seed),
        "lamp": lambda: MagnitudePruning(sparsity, scope="lamp"),
        "imp": lambda: imp("init"),
        "imp_late": lambda: imp(1),
        "imp_lr": lambda: imp("lr"),
        "obs": lambda: OBSPruning(sparsity, random_state=seed),
        "obs_finetune": lambda: OBSPruning(sparsity, random_state=seed),
        "obs_rewind": lambda: OBSPruning(sparsity, random_state=seed),
        "trajectory": lambda: TrajectoryCausalPruning(sparsity),
        "chaos_imp": lambda: IterativePruning(clone(base).set_params(risk="loss"),
                                              sparsity=sparsity, rewind="init"),
    }
    return {m: make[m]() for m in methods if m in make}


def _weights(sizes):
    return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))


def small_dense_sizes(sizes, n_weights):
    """Hidden layer sizes of a dense network with about ``n_weights`` weights.

    Every hidden layer of the network ``sizes`` (inputs, hidden layers,
    outputs) is scaled by one factor and rounded (at least one unit); of
    the factors, the one whose weight count (biases not counted) is nearest
    ``n_weights`` wins (the smaller network on a tie).  The count is then
    within one unit's worth of ``n_weights`` (a unit of hidden layer ``i``
    holds ``sizes[i - 1] + sizes[i + 1]`` weights), unless even one unit
    per layer has more.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, inputs and outputs included.
    n_weights : int
        The weights to match (e.g. those a mask keeps).

    Returns
    -------
    hidden : list of int

    Examples
    --------
    >>> small_dense_sizes([64, 32, 10], 370)     # 5 * (64 + 10) = 370
    [5]
    >>> small_dense_sizes([4, 8, 3], 1)          # one unit is the least
    [1]
    """
    sizes = [int(s) for s in sizes]
    hidden = sizes[1:-1]
    if not hidden:
        return []
    best = None
    # Every factor at which some layer's rounded size changes, and 1.
    factors = {1.0}
    for h in hidden:
        factors.update((k + 0.5) / h for k in range(h))
        factors.update(k / h for k in range(1, h + 1))
    for factor in sorted(factors):
        for eps in (-1e-9, 1e-9):
            scaled = [min(h, max(1, int(math.floor(factor * h + eps + 0.5)))) for h in hidden]
            count = _weights([sizes[0], *scaled, sizes[-1]])
            key = (abs(count - n_weights), count)
            if best is None or key < best[0]:
                best = (key, scaled)
    return best[1]


def _sweep_unit(data, seed, methods, sparsities, step=None):
    """Every method at every sparsity, for one data set (in one regime) and
    seed; returns (rows, counts).

    Whatever a fit or prune raises (an Exception, not an interrupt) becomes
    the 'error' of its rows: a dense run that fails gives every row it
    would have decided an error that names it, and the other rows go on.
    """
    import copy
    import warnings

    from sklearn.base import clone

    from ..pruning import MagnitudePruning, n_to_prune
    from .reproduction import _updates_per_epoch

    step = step if step is not None else (lambda message: None)
    counts = {"full": 0, "partial": 0, "retrainings": 0}
    X, y = data["X_train"], data["y_train"]
    regression = data.get("task") == "regression"
    template = clone(data["estimator"]).set_params(random_state=seed)
    base = clone(data["pruning"]).set_params(mode="full", risk="loss", sparsity=None)
    chosen = set(methods)
    rows = []
    tests = {}       # (run, risk) -> seconds of the first decision (the Granger tests)

    def dense_run(strategy, kind):
        # The mask of sparsity 0 keeps every weight and retrain=None keeps
        # the dense weights: the fitted estimator is the dense network, with
        # its dynamics recorded.  Returns (estimator or None, seconds, error).
        step(f"{kind} dense run")
        counts[kind] += 1
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*Maximum iterations.*")
                est = clone(template).set_params(
                    pruning=strategy.set_params(sparsity=0.0), retrain=None)
                est.fit(X, y)
        except Exception as exc:
            return None, time.perf_counter() - start, _error_text(exc)
        return est, time.perf_counter() - start, None

    def row(method, target, est, seconds, error=None, caught=(), cost=None):
        try:
            rows.append(_sweep_row(data, seed, method, target, est, seconds, error, caught,
                                   cost))
        except Exception as exc:  # scoring the fitted network failed
            rows.append(_sweep_row(data, seed, method, target, None, seconds,
                                   _error_text(exc), caught, cost))

    def dense_fit_seconds(run):
        cost = run.pruning_cost_
        return max(cost["dense_seconds"] - cost["dynamics_seconds"], 1e-12)

    def cost_of(run, est, strategy):
        # The decision and retraining of this prune; a strategy that reads
        # the dynamics also pays their recording and its risk's Granger tests
        # (run once per run and risk, cached: charged to every such row).
        c = est.pruning_cost_
        decision, retrain = c["granger_seconds"], c["retrain_seconds"]
        total = decision + retrain
        if strategy.needs_dynamics:
            inner = getattr(strategy, "base", None) or strategy
            key = (id(run), getattr(inner, "risk", "loss"))
            first = tests.setdefault(key, decision)
            total = run.pruning_cost_["dynamics_seconds"] + max(first, decision) + retrain
        if run is not dense:   # the partial (PT) run is the method's own
            total += dense_fit_seconds(run)
        return {"decision_seconds": decision, "retrain_seconds": retrain,
                "cost_seconds": total, "cost_ratio": total / dense_fit_seconds(dense)}

    def pruned(run, method, target, strategy, run_error=None):
        step(method if target is None else f"{method} at {target:g}")
        if run is None or (no_dynamics and strategy.needs_dynamics):
            row(method, target, None, 0.0, run_error if run is None else no_dynamics)
            return None
        start = time.perf_counter()
        est, error, cost = None, None, None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                # Shares the run's dynamics (and its cached Granger tests):
                # only the estimator's weights and masks are copied.
                dynamics = getattr(run, "_dynamics", None)
                est = copy.deepcopy(run, {id(dynamics): dynamics})
                est.set_params(retrain=_RETRAIN.get(method, "rewind"))
                est.prune(X, y, pruning=strategy)
                counts["retrainings"] += 1
                cost = cost_of(run, est, strategy)
            except Exception as exc:
                est, error = None, _error_text(exc)
            row(method, target, est, time.perf_counter() - start, error, caught, cost)
        return est

    def fitted(run, method, target, params, fit_kwargs, run_error=None, decision=0.0):
        # A control trained by a plain fit: the dense run's estimator without
        # a strategy, holding out the same validation split (a recorded
        # risk) and so seeing the same samples in the same order.
        step(f"{method} at {target:g}")
        if run is None:
            row(method, target, None, 0.0, run_error)
            return
        start = time.perf_counter()
        est, error, cost = None, None, None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                est = clone(template).set_params(pruning=None, **params)
                if est.validation_fraction > 0 and est.risk_every is None:
                    est.set_params(risk_every=_updates_per_epoch(est, np.shape(X)[0]))
                est.fit(X, y, **fit_kwargs)
                counts["retrainings"] += 1
                seconds = est._dense_seconds
                cost = {"decision_seconds": decision, "retrain_seconds": seconds,
                        "cost_seconds": decision + seconds,
                        "cost_ratio": (decision + seconds) / dense_fit_seconds(dense)}
            except Exception as exc:
                est, error = None, _error_text(exc)
            row(method, target, est, time.perf_counter() - start, error, caught, cost)
        if est is not None and method == "small_dense":
            rows[-1].update(n_weights=n_total, pruned_weights=n_total - rows[-1]["n_weights"],
                            sparsity=1.0 - rows[-1]["n_weights"] / n_total,
                            layer_sparsity=None, pruned_mask=None)

    dense, seconds, error = dense_run(clone(base), "full")
    no_dynamics = None
    if (dense is None and data.get("regime", "paper") != "paper"
            and "too short for chaos-causal pruning" in error):
        # The run cannot be recorded (e.g. few updates per epoch under the
        # 'sklearn' regime): the methods that read no dynamics still run,
        # on a dense run holding out the same validation split.
        counts["full"] -= 1
        no_dynamics = f"no dynamics recorded: {error}"
        template = template.set_params(
            risk_every=template.risk_every or _updates_per_epoch(template, np.shape(X)[0]))
        dense, seconds, error = dense_run(MagnitudePruning(), "full")
    dense_cost = None
    if dense is not None:
        fit_seconds = dense_fit_seconds(dense)
        dense_cost = {"decision_seconds": 0.0, "retrain_seconds": 0.0,
                      "cost_seconds": fit_seconds, "cost_ratio": 1.0}
    row("dense", None, dense, seconds, error, cost=dense_cost)
    run_error = None if error is None else f"the dense run failed: {error}"
    n_total = (int(sum(c.size for c in dense.coefs_)) if dense is not None else 0)
    for sparsity in sparsities:
        decided = {}
        for method, strategy in _sweep_strategies(base, sparsity, seed, methods).items():
            if regression and method.endswith("_error"):
                continue
            decided[method] = pruned(dense, method, sparsity, strategy, run_error)
        for method, source in _FRESH_SOURCE.items():
            if method not in chosen:
                continue
            source_est = decided.get(source)
            if dense is not None and source_est is None:
                step(f"{method} at {sparsity:g}")
                row(method, sparsity, None, 0.0, no_dynamics if no_dynamics and source ==
                    "chaos_loss" else f"the {source} mask failed")
                continue
            kwargs, decision = {}, 0.0
            if source_est is not None:
                # The estimator's own initialisation, drawn with another seed
                # (on a shallow copy: the dense run is not touched).
                twin = copy.copy(dense)
                twin._initialize(np.shape(X)[1], dense.coefs_[-1].shape[1],
                                 np.random.RandomState(seed + FRESH_OFFSET))
                kwargs = {"coefs_init": twin.initial_coefs_,
                          "intercepts_init": twin.initial_intercepts_,
                          "masks": [m.copy() for m in source_est.masks_]}
                decision = source_est.pruning_cost_["granger_seconds"]
            fitted(dense, method, sparsity, {}, kwargs, run_error, decision)
        if "small_dense" in chosen:
            params = {}
            if dense is not None:
                sizes = [dense.coefs_[0].shape[0]] + [c.shape[1] for c in dense.coefs_]
                keep = n_total - n_to_prune(n_total, sparsity)
                params = {"hidden_layer_sizes": tuple(small_dense_sizes(sizes, keep))}
            fitted(dense, "small_dense", sparsity, params, {}, run_error)
    risks = ("loss",) if regression else ("loss", "error")
    for risk in risks:
        if f"ft_{risk}" in chosen:
            pruned(dense, f"ft_{risk}", None, clone(base).set_params(risk=risk), run_error)
    if any(f"pt_{risk}" in chosen for risk in risks):
        partial = clone(base).set_params(mode="partial")
        pt_run, _, error = (dense_run(clone(partial), "partial") if no_dynamics is None
                            else (None, 0.0, no_dynamics))
        run_error = None if error is None else f"the partial (PT) dense run failed: {error}"
        for risk in risks:
            if f"pt_{risk}" in chosen:
                pruned(pt_run, f"pt_{risk}", None, clone(partial).set_params(risk=risk),
                       run_error)
    return rows, counts


def _unit_steps(data, methods, sparsities):
    """The progress steps of one unit (as :func:`_sweep_unit` reports them)."""
    regression = data.get("task") == "regression"
    ranked = [m for m in methods if m not in ("dense",) + SWEEP_POINTS
              and not (regression and m.endswith("_error"))]
    risks = ("loss",) if regression else ("loss", "error")
    points = [f"{kind}_{risk}" for kind in ("ft", "pt") for risk in risks
              if f"{kind}_{risk}" in methods]
    partial = any(p.startswith("pt_") for p in points)
    return 1 + len(ranked) * len(sparsities) + len(points) + int(partial)


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


#: Summarised row keys of :func:`sweep_summary` (mean and sd of each).
_SUMMARY_KEYS = ("score", "accuracy", "f1_macro", "r2", "sparsity", "flops", "cost_seconds",
                 "cost_ratio")


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
        'task' ('classification' or 'regression'), 'n' (rows), 'failed'
        (rows whose prune raised, with 'error' the first message),
        ``<metric>_mean`` and ``<metric>_sd`` (sample sd, 0.0 for one row;
        None when every row failed or the metric does not apply) for
        'score' (accuracy, or R^2 of a regressor), 'accuracy', 'f1_macro',
        'r2', 'sparsity', 'flops', 'cost_seconds' and 'cost_ratio' (the
        cost as a multiple of the dense fit); 'layer_sparsity', the mean
        fraction pruned of each weight matrix; 'jaccard', the mean pairwise
        Jaccard index of the pruned sets across seeds (1 for identical sets,
        two empty sets included; None for fewer than two rows or a method
        without a mask), and 'jaccard_pairs'.

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
        entry = {"dataset": dataset, "method": method, "target": target,
                 "task": group[0].get("task", "classification"), "n": len(group),
                 "failed": len(group) - len(ok),
                 "error": next((r["error"] for r in group if r["error"]), None)}
        for key in _SUMMARY_KEYS:
            values = [r.get(key, r.get("accuracy") if key == "score" else None) for r in ok]
            mean, sd = _mean_std([v for v in values if v is not None])
            entry[f"{key}_mean"], entry[f"{key}_sd"] = mean, sd
        layers = [r["layer_sparsity"] for r in ok if r.get("layer_sparsity") is not None]
        entry["layer_sparsity"] = ([float(v) for v in np.mean(layers, axis=0)]
                                   if layers else None)
        masks = [pruned_mask(r) for r in ok if r.get("pruned_mask") is not None]
        jaccard, pairs = _jaccard(masks)
        entry["jaccard"], entry["jaccard_pairs"] = jaccard, pairs
        summary.append(entry)
    return summary


def seeds_run(settings, dataset=None):
    """How many seeds a :func:`sweep` result ran, for one data set or all.

    ``seeds_for`` gives some data sets fewer seeds than ``seeds``; the
    tables and figures say how many each one had.

    Parameters
    ----------
    settings : dict
        The result's ``settings``.
    dataset : str or None, default=None
        A data set of the result (``name`` or ``name@regime``); None gives
        the text for the whole result.

    Returns
    -------
    n : int or str
        The number of seeds of ``dataset``; without one, a text such as
        ``'10 seeds'`` or ``'10 seeds (digits: 2)'``.

    Examples
    --------
    >>> settings = {"seeds": list(range(10)), "seeds_for": {"digits": 2}}
    >>> seeds_run(settings, "digits@sklearn"), seeds_run(settings, "iris")
    (2, 10)
    >>> seeds_run(settings)
    '10 seeds (digits: 2)'
    """
    n_all = len(settings["seeds"])
    limits = {k: min(int(v), n_all) for k, v in (settings.get("seeds_for") or {}).items()}
    if dataset is not None:
        return limits.get(dataset.split("@")[0], n_all)
    fewer = ", ".join(f"{k}: {v}" for k, v in limits.items() if v < n_all)
    return _plural(n_all, "seed") + (f" ({fewer})" if fewer else "")


def adjust_pvalues(pvalues, method="holm"):
    """Holm or Benjamini-Hochberg adjusted p-values of one family of tests.

    Parameters
    ----------
    pvalues : sequence of float
    method : {'holm', 'bh'}, default='holm'
        'holm': Holm's step-down (family-wise error); 'bh': the
        Benjamini-Hochberg step-up (false discovery rate).

    Returns
    -------
    adjusted : ndarray
        In the order of ``pvalues``, each at most 1.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(pvalues, dtype=np.float64)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    ranked = p[order]
    if method == "holm":
        steps = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "bh":
        steps = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    else:
        raise ValueError(f"method must be 'holm' or 'bh'; got {method!r}.")
    out = np.empty(m)
    out[order] = np.minimum(steps, 1.0)
    return out


def _pooled_groups(rows):
    """The pooled lines of the tests and the overview: data sets grouped by
    regime and task, as (label, [data sets]); 'all' for the paper regime's
    classifiers, 'all@sklearn', 'all_r2', 'all_r2@sklearn'."""
    groups = {}
    for row in rows:
        regime = row.get("regime", "paper")
        task = row.get("task", "classification")
        label = ("all" if task == "classification" else "all_r2") + (
            "" if regime == "paper" else f"@{regime}")
        groups.setdefault(label, {})[row["dataset"]] = None
    return [(label, list(names)) for label, names in groups.items()]


def _comparisons_of(rows):
    methods = {r["method"] for r in rows}
    return tuple(c for c in SWEEP_COMPARISONS + SWEEP_EXTRA_COMPARISONS
                 if c[0] in methods and c[1] in methods)


def sweep_wilcoxon(rows, comparisons=None, *, metric="score"):
    """Paired Wilcoxon signed-rank tests of :func:`sweep` rows, per target sparsity.

    For each data set, target sparsity and (method, against) pair, the
    scores of the two methods (accuracy, or R^2 for a regressor) are paired
    by seed (seeds where either prune failed are left out) and
    ``scipy.stats.wilcoxon(method, against)`` is run with its defaults
    (two-sided; zero differences dropped, 'wilcox').  Pooled rows
    (``dataset='all'`` for the classifiers of the paper regime, 'all_r2'
    for its regressors, '@sklearn' for the other regime) pool the pairs of
    every data set of the group (pairs by data set and seed), when it has
    more than one.

    The p-values are adjusted for multiplicity by Holm's method and by
    Benjamini-Hochberg's: one family holds every per-data-set test with a
    p-value, another every pooled one.

    Parameters
    ----------
    rows : list of dict
        ``sweep(...)["rows"]``.
    comparisons : sequence of (str, str) or None, default=None
        None: those of :data:`SWEEP_COMPARISONS` and
        :data:`SWEEP_EXTRA_COMPARISONS` whose methods both have rows.
    metric : str, default='score'
        The row key compared.

    Returns
    -------
    tests : list of dict
        Keys 'dataset', 'target', 'method', 'against', 'n' (pairs), 'wins',
        'ties', 'losses' (of ``method``), 'mean_difference' (method minus
        against), 'statistic' and 'pvalue' (None without a pair; 0 and 1
        when every difference is zero; with 5 pairs the smallest two-sided
        p-value is 2/32 = 0.0625), 'pvalue_holm' and 'pvalue_bh' (the
        adjusted ones, None without a p-value) and 'family' ('data set' or
        'pooled').
    """
    import warnings

    from scipy.stats import wilcoxon

    if comparisons is None:
        comparisons = _comparisons_of(rows)
    values = {}
    for row in rows:
        if row["target"] is not None and row["error"] is None:
            value = row.get(metric, row.get("accuracy") if metric == "score" else None)
            values[(row["dataset"], row["method"], row["target"], row["seed"])] = value
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    present = {(r["dataset"], r["method"]) for r in rows}
    targets = sorted({r["target"] for r in rows if r["target"] is not None})
    seeds = list(dict.fromkeys(r["seed"] for r in rows))
    groups = [(d, [d], "data set") for d in datasets] + [
        (label, names, "pooled") for label, names in _pooled_groups(rows) if len(names) > 1]
    tests = []
    for dataset, names, family in groups:
        for target in targets:
            for method, against in comparisons:
                names_here = [d for d in names if (d, method) in present
                              and (d, against) in present]
                if not names_here:
                    continue
                keys = [(d, target, s) for d in names_here for s in seeds
                        if (d, method, target, s) in values and (d, against, target, s) in values]
                a = np.array([values[(d, method, t, s)] for d, t, s in keys], dtype=float)
                b = np.array([values[(d, against, t, s)] for d, t, s in keys], dtype=float)
                entry = {"dataset": dataset, "target": target, "method": method,
                         "against": against, "n": len(keys),
                         "wins": int(np.sum(a > b)), "ties": int(np.sum(a == b)),
                         "losses": int(np.sum(a < b)),
                         "mean_difference": float(np.mean(a - b)) if keys else None,
                         "statistic": None, "pvalue": None, "pvalue_holm": None,
                         "pvalue_bh": None, "family": family}
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
    for family in ("data set", "pooled"):
        members = [t for t in tests if t["family"] == family and t["pvalue"] is not None]
        raw = [t["pvalue"] for t in members]
        for t, holm, bh in zip(members, adjust_pvalues(raw, "holm"), adjust_pvalues(raw, "bh")):
            t["pvalue_holm"], t["pvalue_bh"] = float(holm), float(bh)
    return tests


def sweep(datasets, *, data_dir=None, seeds=None, sparsities=None, quick=False,
          scaling="per_feature", progress=None, methods=None, regimes=("paper",),
          n_jobs=None, seeds_for=None):
    """Accuracy (or R^2) against sparsity, over seeds, for every pruning method.

    For each data set, seed and training regime: **one dense run** with its
    dynamics recorded (the chaos-causal strategy with ``risk='loss'``; both
    risks are recorded), then every method at every target sparsity, each
    decided on that same run (``prune(X, y, pruning=...)`` on a copy) and
    retrained by rewinding to the same initial weights with the same data
    order (the paper's retraining) unless the method says otherwise:

    - 'chaos_loss', 'chaos_error': the chaos-causal ranking (least causal
      first, ``ChaosCausalPruning(sparsity=s)``) with ``risk='loss'`` and
      ``risk='error'`` (a regressor's two risks are one: no '_error' rows);
    - 'magnitude', 'magnitude_layer': :class:`~skchaosprune.MagnitudePruning`,
      global and layer-wise;
    - 'random': :class:`~skchaosprune.RandomPruning` (seeded by the seed);
    - 'shuffle_loss', 'shuffle_error': the layer-wise shuffle control,
      :class:`~skchaosprune.LayerShuffledPruning` of the chaos-causal
      mask (same per-layer counts, seeded by the seed);
    - on request (``methods``): 'lamp' (``MagnitudePruning(scope='lamp')``);
      'imp', 'imp_late', 'imp_lr' (:class:`~skchaosprune.IterativePruning`
      of global magnitude, ``rewind='init'``, ``1`` and ``'lr'``); 'obs',
      'obs_finetune', 'obs_rewind' (:class:`~skchaosprune.OBSPruning` with
      the estimator's ``retrain=None``, which keeps OBS's corrected weights,
      ``'finetune'`` and ``'rewind'``); 'trajectory'
      (:class:`~skchaosprune.TrajectoryCausalPruning`); 'chaos_imp'
      (``IterativePruning(ChaosCausalPruning(risk='loss'), sparsity=s)``:
      chaos-causal pruning in rounds, each round's run recorded again);
    - controls on request: 'fresh_magnitude', 'fresh_chaos', the 'magnitude'
      and 'chaos_loss' masks of the same seed and sparsity trained by
      ``fit(X, y, coefs_init=..., masks=...)`` from fresh initial weights
      (drawn by the estimator's own initialisation with the seed
      :data:`FRESH_OFFSET` + seed), with the dense run's validation split
      and data order; 'small_dense', a dense network whose hidden layers
      are scaled so that it has as many weights as the masks keep (within
      one hidden unit's worth, :func:`small_dense_sizes`), trained as the
      dense run from its own initial weights;
    - operating points (no target): 'ft_loss', 'ft_error', the
      alpha-decided LEGCNet-FT masks of the same run, and 'pt_loss',
      'pt_error', the LEGCNet-PT masks of a partial dense run (one more
      run per unit, shared by both risks);
    - 'dense': the dense network itself.

    The seed sets the initial weights, the data order, the validation
    split, and the random and shuffled masks; the train/test split is
    fixed (seed 42), so the seeds vary only the network.  Classifiers are
    scored by test accuracy (and macro F1), regressors by test R^2.

    Parameters
    ----------
    datasets : iterable of str or dict
        Paper data sets (keys of :data:`~skchaosprune.datasets.PAPER_SETTINGS`,
        with their networks and ``paper_pruning(name, risk='loss')``),
        scikit-learn ones as ``'sklearn_wine'``, ``'sklearn_breast_cancer'``
        ... (the demo's network, :func:`sklearn_study_data`), the
        regression tables ``'sklearn_diabetes'`` and ``'sklearn_friedman1'``
        (:func:`~skchaosprune.datasets.regression_data`), or dicts with
        keys 'name', 'X_train', 'X_test', 'y_train', 'y_test', 'estimator'
        (an unfitted classifier or regressor) and optionally 'pruning' (a
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
        retraining (``done`` steps of ``total`` finished); when the units
        run in parallel, once per finished unit.
    methods : iterable of str, 'all' or None, default=None
        The methods, by name (:data:`SWEEP_ALL_METHODS`); None:
        :data:`SWEEP_METHODS`.  'dense' is always run, and a fresh
        control's source ('magnitude', 'chaos_loss') is added.
    regimes : iterable of {'paper', 'sklearn'}, default=('paper',)
        The training regimes (:data:`REGIMES`): 'paper', each data set's
        estimator as given (one-sample plain SGD for the paper's and the
        demo's networks); 'sklearn', the estimator class's defaults with
        the same hidden layers, its data set named ``name@sklearn``.
    n_jobs : int or None, default=None
        joblib's ``n_jobs`` for the (data set, seed, regime) units: None is
        one job unless a ``joblib.parallel_backend`` context (e.g.
        ``'dask'`` on a ``distributed`` client) sets it; -1 every core.
        The rows do not depend on it (only the wall times do); a unit in a
        worker runs with one Numba and one BLAS thread.
    seeds_for : dict or None, default=None
        Fewer seeds for some data sets (the slowest): ``{name: k}`` runs
        only the first ``k`` of ``seeds`` on the data set ``name`` (its name
        as given, every regime).  Their tests pair the seeds they have.

    Returns
    -------
    result : dict
        JSON-ready (``json.loads(json.dumps(result)) == result``):

        - 'rows': one per (data set, seed, method, target) with 'score'
          (test accuracy, or R^2), 'accuracy', 'f1_macro', 'r2',
          'sparsity' (fraction pruned), 'flops', 'layer_sparsity',
          'pruned_weights', 'n_weights', 'pruned_mask' (see
          :func:`pruned_mask`), 'hidden_layer_sizes', 'regime', 'task',
          'seconds', the cost ('decision_seconds', 'retrain_seconds',
          'cost_seconds': decision and retraining, plus the recording of
          the dynamics and the Granger tests of its risk for a method that
          reads them; 'cost_ratio': that over the dense run's training
          time), 'error' (the first line of the message when the prune
          raised, or when the dense run it needs did ('the dense run
          failed: ...'); the metrics are then None: one method or data set
          that fails ends nothing else) and 'warnings';
        - 'summary': :func:`sweep_summary` of the rows (mean +- sd, FLOPs,
          cost, per-layer sparsity, Jaccard stability across seeds);
        - 'wilcoxon': :func:`sweep_wilcoxon` of the rows (raw, Holm and
          Benjamini-Hochberg p-values);
        - 'settings': data sets, networks, tasks, seeds, sparsities,
          methods, comparisons, regimes, quick, split seed;
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
    methods = _check_methods(methods)
    regimes = _check_regimes(regimes)
    if isinstance(datasets, (str, dict)):
        datasets = [datasets]
    specs = [_study_data(spec, data_dir, scaling) for spec in datasets]
    if not specs:
        raise ValueError("datasets is empty.")
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names):
        raise ValueError(f"data set names must be distinct; got {names}.")
    for spec in specs:
        spec["task"] = "regression" if _is_regression(spec) else "classification"
    specs = [_regime_spec(s, regime) for regime in regimes for s in specs]
    if quick:
        specs = [_quick_spec(s) for s in specs]
    limits = dict(seeds_for or {})
    unknown = sorted(set(limits) - set(names))
    if unknown or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1
                      for k in limits.values()):
        raise ValueError(f"seeds_for maps data set names {names} to a positive number of "
                         f"seeds; got {seeds_for!r}.")
    units = [(data, seed, methods, sparsities) for data in specs
             for seed in seeds[:limits.get(data["name"].split("@")[0], len(seeds))]]
    steps = [_unit_steps(data, methods, sparsities) for data, *_ in units]
    total = int(sum(steps))
    done = [0]

    def serial(index):
        data, seed = units[index][:2]

        def step(message):
            if progress is not None and message is not None:
                progress(f"{data['name']} seed {seed}: {message}", done[0], total)
            done[0] += 1

        return (step,)

    def finished(index):
        data, seed = units[index][:2]
        if parallel[0]:
            done[0] += steps[index]
            if progress is not None:
                progress(f"{data['name']} seed {seed}: finished", done[0], total)

    from joblib import effective_n_jobs

    parallel = [effective_n_jobs(n_jobs) != 1 and len(units) > 1]
    outputs = run_units(_sweep_unit, units, n_jobs=n_jobs, serial=serial, on_done=finished)
    rows, counts = [], {"full": 0, "partial": 0, "retrainings": 0}
    for unit_rows, unit_counts in outputs:
        rows += unit_rows
        for key, value in unit_counts.items():
            counts[key] += value
    if progress is not None:
        progress("done", total, total)
    return {
        "settings": {
            "datasets": [s["name"] for s in specs],
            "networks": {s["name"]: s["network"] for s in specs},
            "tasks": {s["name"]: s["task"] for s in specs},
            "seeds": seeds, "sparsities": sparsities, "methods": methods,
            "comparisons": [list(c) for c in _comparisons_of(rows)], "quick": quick,
            "regimes": regimes, "seeds_for": limits, "scaling": scaling,
            "split_seed": SPLIT_SEED,
            "retrain": "rewind",
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




def _ranked(result):
    """The ranked methods of a result, in order."""
    methods = result["settings"].get("methods", SWEEP_METHODS)
    return [m for m in methods if m != "dense" and m not in SWEEP_POINTS]


def format_sweep(result, metric="accuracy"):
    """Plain-text tables of a :func:`sweep` result, one block per data set.

    Each block has one line per ranked method and one column per target
    sparsity, then the operating points (FT, PT) at the sparsity they
    chose.

    Parameters
    ----------
    result : dict
        Output of :func:`sweep` (or its JSON, loaded).
    metric : {'accuracy', 'f1_macro', 'jaccard', 'layer_sparsity', 'cost'}, default='accuracy'
        The test score, mean +/- sd over seeds (accuracy, or R^2 on a
        regression data set), macro F1 (classifiers), the mean pairwise
        Jaccard index of the pruned sets across seeds, the percent pruned
        of each weight matrix (first/second/... layer), or the cost: mean
        seconds of decision and retraining (with the dynamics and Granger
        tests for the methods that read them) and, in brackets, that as a
        multiple of the dense run's training time.

    Returns
    -------
    text : str
    """
    if metric not in ("accuracy", "f1_macro", "jaccard", "layer_sparsity", "cost"):
        raise ValueError("metric must be 'accuracy', 'f1_macro', 'jaccard', "
                         f"'layer_sparsity' or 'cost'; got {metric!r}.")
    summary = {(s["dataset"], s["method"], s["target"]): s for s in result["summary"]}
    settings = result["settings"]
    targets = settings["sparsities"]
    tasks = settings.get("tasks", {})

    def value(entry):
        if entry is None:
            return ""
        if metric in ("accuracy", "f1_macro"):
            key = "score" if metric == "accuracy" and "score_mean" in entry else metric
            return _cell(entry[f"{key}_mean"], entry[f"{key}_sd"], "{:.3f}")
        if metric == "cost":
            if entry.get("cost_seconds_mean") is None:
                return "failed" if entry["failed"] == entry["n"] else ""
            return f"{entry['cost_seconds_mean']:.2f} s ({entry['cost_ratio_mean']:.1f}x)"
        if metric == "jaccard":
            return "" if entry["jaccard"] is None else f"{entry['jaccard']:.2f}"
        if entry["layer_sparsity"] is None:
            return "failed" if entry["failed"] == entry["n"] else ""
        return "/".join(f"{100 * v:.0f}" for v in entry["layer_sparsity"])

    out = []
    for name in settings["datasets"]:
        regression = tasks.get(name) == "regression"
        if regression and metric == "f1_macro":
            continue
        title = {"accuracy": "test R^2" if regression else "test accuracy",
                 "f1_macro": "macro F1",
                 "jaccard": "Jaccard index of the pruned sets across seeds",
                 "layer_sparsity": "% pruned per weight matrix",
                 "cost": "cost, s (x the dense training)"}[metric]
        dense = summary.get((name, "dense", None))
        first = next((s for s in result["summary"]
                      if s["dataset"] == name and s["method"] == "chaos_loss"), None)
        line = (f"{name} ({settings['networks'].get(name, '')}), "
                f"{_plural(seeds_run(settings, name), 'seed')}: {title}")
        shown = set()   # errors already written in this block
        if dense is not None and dense["failed"] == dense["n"]:
            line += f"; dense failed: {dense['error']}"
            shown.add(f"the dense run failed: {dense['error']}")
        elif dense is not None and metric in ("accuracy", "f1_macro", "cost"):
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
        for method in _ranked(result):
            entries = [summary.get((name, method, t)) for t in targets]
            if all(e is None for e in entries):
                continue
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
            short = {"accuracy": "R^2" if regression else "accuracy", "f1_macro": "macro F1",
                     "jaccard": "Jaccard", "layer_sparsity": "% per layer",
                     "cost": "cost"}[metric]
            out += _render(["alpha = 0.05", "pruned %", short, "FLOPs"], points, notes)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _p(value):
    return "n/a" if value is None else f"{value:.3g}"


def format_wilcoxon(result, method="chaos_loss", against="magnitude"):
    """The paired Wilcoxon tests of one comparison, data set by sparsity.

    Each cell is the mean score difference (``method`` minus ``against``,
    over the seeds; accuracy, or R^2 on a regression data set), the
    wins/ties/losses of ``method``, the two-sided p-value and the Holm and
    Benjamini-Hochberg adjusted ones (over every per-data-set test of the
    study, the pooled lines over the pooled tests); the last lines pool the
    data sets.  A last line names the cells significant at 0.05 after
    Holm's adjustment (and after BH's).

    Parameters
    ----------
    result : dict
        Output of :func:`sweep`.
    method, against : str
        A pair of the result's comparisons (``settings['comparisons']``).

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
                       f"p={_p(t['pvalue'])} holm={_p(t.get('pvalue_holm'))} "
                       f"bh={_p(t.get('pvalue_bh'))}")
        lines.append(row)
    out = [f"{method} against {against}: mean score difference, wins/ties/losses over "
           "seeds, Wilcoxon signed-rank p (two-sided), Holm and Benjamini-Hochberg "
           "adjusted p"]
    out += _render(header, lines)
    for key, name in (("pvalue_holm", "Holm"), ("pvalue_bh", "BH")):
        hits = [f"{t['dataset']} {100 * t['target']:g} % "
                f"({'better' if t['mean_difference'] > 0 else 'worse'})"
                for t in tests if t.get(key) is not None and t[key] < 0.05]
        out.append(f"significant at 0.05 after {name}: " + (", ".join(hits) or "none"))
    return "\n".join(out) + "\n"


def format_findings(result, level=0.05):
    """What the tests say, in sentences read off the adjusted p-values.

    One line per comparison: the (data set, sparsity) cells where
    ``method`` was significantly better or worse than ``against`` after
    Holm's adjustment (family-wise error at ``level``), and how many more
    pass Benjamini-Hochberg's (false discovery rate at ``level``); the
    raw p-values are never read.

    Parameters
    ----------
    result : dict
        Output of :func:`sweep`.
    level : float, default=0.05

    Returns
    -------
    text : str
    """
    out = []
    comparisons = result["settings"].get("comparisons") or [
        list(c) for c in _comparisons_of(result["rows"])]
    n_tests = sum(1 for t in result["wilcoxon"] if t.get("pvalue_holm") is not None
                  and t.get("family") == "data set")
    out.append(f"Findings at {level:g} after adjusting {n_tests} per-data-set tests "
               "(Holm: family-wise error; BH: false discovery rate; pooled lines "
               "adjusted among themselves):")
    for method, against in comparisons:
        tests = [t for t in result["wilcoxon"] if t["method"] == method
                 and t["against"] == against and t.get("pvalue_holm") is not None]
        if not tests:
            continue
        holm = [t for t in tests if t["pvalue_holm"] < level]
        bh = [t for t in tests if t["pvalue_bh"] < level]
        better = [f"{t['dataset']} {100 * t['target']:g} %" for t in holm
                  if t["mean_difference"] > 0]
        worse = [f"{t['dataset']} {100 * t['target']:g} %" for t in holm
                 if t["mean_difference"] < 0]
        text = f"- {method} against {against}: "
        if not holm:
            text += "no cell significant after Holm"
        else:
            parts = []
            if better:
                parts.append("better in " + ", ".join(better))
            if worse:
                parts.append("worse in " + ", ".join(worse))
            text += "; ".join(parts) + " (Holm)"
        text += f"; {len(bh)} of {len(tests)} cells significant after BH."
        out.append(text)
    return "\n".join(out) + "\n"


def overview(result, metric="accuracy", group=None):
    """Score lost against the dense network, averaged over the data sets.

    Parameters
    ----------
    result : dict
        Output of :func:`sweep`.
    metric : {'accuracy', 'f1_macro'}, default='accuracy'
        'accuracy': the test score (accuracy, R^2 for regressors).
    group : str or None, default=None
        Which data sets: a pooled label of the tests ('all' for the
        classifiers of the paper regime, 'all_r2' for its regressors,
        'all@sklearn', 'all_r2@sklearn'); None: the first group.

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
    groups = dict(_pooled_groups(result["rows"])) or {"all": result["settings"]["datasets"]}
    names = groups[group] if group is not None else next(iter(groups.values()))
    key = "score" if metric == "accuracy" else metric
    out = {}
    for method in _ranked(result) + list(SWEEP_POINTS):
        targets = [None] if method in SWEEP_POINTS else result["settings"]["sparsities"]
        for target in targets:
            drops, sparsity = [], []
            for name in names:
                dense = summary.get((name, "dense", None))
                entry = summary.get((name, method, target))
                if dense is None or entry is None:
                    continue
                k = key if f"{key}_mean" in entry else "accuracy"
                if entry[f"{k}_mean"] is None or dense[f"{k}_mean"] is None:
                    continue
                drops.append(entry[f"{k}_mean"] - dense[f"{k}_mean"])
                sparsity.append(entry["sparsity_mean"])
            if drops:
                out[(method, target)] = (float(np.mean(drops)), len(drops))
                if target is None:
                    out[(method, "sparsity")] = (float(np.mean(sparsity)), len(drops))
    return out


def format_overview(result, metric="accuracy"):
    """:func:`overview` as tables, one per group of data sets (regime and
    task): one line per method, one column per target sparsity, each cell
    the mean over the data sets of the method's score minus the dense
    network's; then the FT/PT operating points at their mean sparsity.

    Returns
    -------
    text : str
    """
    targets = result["settings"]["sparsities"]
    groups = _pooled_groups(result["rows"]) or [("all", result["settings"]["datasets"])]
    out = []
    for label, names in groups:
        drops = overview(result, metric, label)
        regression = label.startswith("all_r2")
        what = "R^2" if regression else "accuracy" if metric == "accuracy" else "macro F1"
        if regression and metric != "accuracy":
            continue
        where = "" if "@" not in label else f" ({label.split('@')[1]} regime)"
        if out:
            out.append("")
        out.append(f"Mean over {_plural(len(names), 'data set')}{where} of "
                   f"(test {what} - dense test {what})")
        lines = [[method] + ["" if (method, t) not in drops else f"{drops[(method, t)][0]:+.3f}"
                             for t in targets]
                 for method in _ranked(result) if any((method, t) in drops for t in targets)]
        out += _render(["method"] + [f"{100 * t:g} %" for t in targets], lines)
        points = [[method, f"{100 * drops[(method, 'sparsity')][0]:.1f}",
                   f"{drops[(method, None)][0]:+.3f}", f"{drops[(method, None)][1]}"]
                  for method in SWEEP_POINTS if (method, None) in drops]
        if points:
            out += _render(["alpha = 0.05", "pruned %", f"{what} - dense", "data sets"],
                           points)
    return "\n".join(out) + "\n"
