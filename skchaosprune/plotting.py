"""Figures of a pruning study (:func:`skchaosprune.experiments.sweep`).

:func:`plot_sweep` draws one data set's accuracy against sparsity (mean
and a band of +- 1 sd over seeds per method, the dense accuracy, and the
alpha-decided LEGCNet-FT and PT masks as points); :func:`plot_datasets`
puts every data set in one figure; :func:`plot_overview` averages the
accuracy lost against the dense network over the data sets;
:func:`save_figures` writes both.

Needs matplotlib (``pip install "skchaosprune[plot]"``); it is imported
only when a figure is drawn, and no pyplot state is touched (figures are
``matplotlib.figure.Figure`` objects), so any backend, or none, will do.
"""

import math
from pathlib import Path

import numpy as np

__all__ = ["plot_datasets", "plot_overview", "plot_sweep", "save_figures"]

#: (colour, line style, band) per ranked method.
STYLES = {
    "chaos_loss": ("C0", "-", True),
    "chaos_error": ("C1", "-", True),
    "magnitude": ("C2", "-", True),
    "magnitude_layer": ("C4", "--", False),
    "random": ("C7", "-", True),
    "shuffle_loss": ("C0", ":", False),
    "shuffle_error": ("C1", ":", False),
    "lamp": ("C3", "--", False),
    "imp": ("C5", "-", True),
    "imp_late": ("C5", "--", False),
    "imp_lr": ("C5", ":", False),
    "obs": ("C6", "-", False),
    "obs_finetune": ("C6", "--", False),
    "obs_rewind": ("C6", ":", False),
    "trajectory": ("C8", "-", False),
    "chaos_imp": ("C0", "-.", False),
    "fresh_magnitude": ("C2", "-.", False),
    "fresh_chaos": ("C0", (0, (1, 3)), False),
    "small_dense": ("C9", "-", False),
}
#: (colour, marker) per operating point.
POINTS = {"ft_loss": ("C0", "*"), "ft_error": ("C1", "*"),
          "pt_loss": ("C0", "P"), "pt_error": ("C1", "P")}


def _plural(n, word):
    """'1 seed', '3 seeds'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _figure_class():
    """matplotlib's Figure, or an ImportError that names the extra."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "the figures need matplotlib, the 'plot' extra: pip install "
            "\"skchaosprune[plot]\" (or pip install matplotlib)") from None
    return Figure


def _summary(result, dataset):
    return {(s["method"], s["target"]): s for s in result["summary"]
            if s["dataset"] == dataset}


def _label(method):
    from .experiments.study import _SWEEP_LABELS

    return _SWEEP_LABELS.get(method, method)


def _flops_axis(ax, result, dataset):
    """A top axis with the FLOPs of one forward pass, in % of the dense
    network's (2 * non-zero weights + outputs, linear in the sparsity)."""
    rows = [r for r in result["rows"] if r["dataset"] == dataset and r["method"] == "dense"
            and r["flops"] is not None]
    if not rows:
        return
    n, dense = rows[0]["n_weights"], rows[0]["flops"]
    bias = dense - 2 * n

    def forward(pruned):
        return 100.0 * (2.0 * n * (1.0 - np.asarray(pruned) / 100.0) + bias) / dense

    def inverse(percent):
        return 100.0 * (1.0 - (np.asarray(percent) / 100.0 * dense - bias) / (2.0 * n))

    top = ax.secondary_xaxis("top", functions=(forward, inverse))
    top.set_xlabel("FLOPs (% of dense)", fontsize="small")
    top.tick_params(labelsize="small")


def plot_sweep(result, dataset, ax=None, *, metric="accuracy", legend=True):
    """Accuracy against sparsity on one data set.

    One line per ranked method (mean over seeds, from the dense network at
    0 %: pruning nothing and rewinding retrains the same network) with a
    band of +- 1 sd
    (chaos-causal, magnitude and random; the layer-wise magnitude and the
    shuffle controls as lines only), the dense network's mean as a dashed
    line, and the FT (star) and PT (plus) masks at the sparsity they chose,
    with +- 1 sd bars both ways.  The top axis gives the FLOPs.

    Parameters
    ----------
    result : dict
        Output of :func:`~skchaosprune.experiments.sweep` (or its JSON).
    dataset : str
        One of ``result['settings']['datasets']``.
    ax : matplotlib Axes or None, default=None
        None: a new figure's axes.
    metric : {'accuracy', 'f1_macro'}, default='accuracy'
    legend : bool, default=True

    Returns
    -------
    ax : matplotlib Axes
    """
    if metric not in ("accuracy", "f1_macro"):
        raise ValueError(f"metric must be 'accuracy' or 'f1_macro'; got {metric!r}.")
    if dataset not in result["settings"]["datasets"]:
        raise ValueError(f"No data set {dataset!r} in the result; it has "
                         f"{result['settings']['datasets']}.")
    from .experiments import seeds_run

    if ax is None:
        ax = _figure_class()(figsize=(6, 4.2), layout="constrained").add_subplot()
    summary = _summary(result, dataset)
    targets = result["settings"]["sparsities"]
    dense = summary.get(("dense", None))
    # Every curve starts at the dense network: pruning nothing and
    # rewinding retrains the same network with the same data order.
    x = 100.0 * np.asarray([0.0] + list(targets))
    regression = result["settings"].get("tasks", {}).get(dataset) == "regression"
    key = "score" if metric == "accuracy" and dense is not None and "score_mean" in dense \
        else metric
    for method, (colour, style, band) in STYLES.items():
        entries = [dense] + [summary.get((method, t)) for t in targets]
        mean = np.array([np.nan if e is None or e.get(f"{key}_mean") is None
                         else e[f"{key}_mean"] for e in entries])
        sd = np.array([np.nan if e is None or e.get(f"{key}_sd") is None
                       else e[f"{key}_sd"] for e in entries])
        if np.all(np.isnan(mean[1:])):
            continue
        ax.plot(x, mean, linestyle=style, color=colour, marker="o", markersize=3,
                label=_label(method))
        if band:
            ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.15, linewidth=0)
    if dense is not None and dense.get(f"{key}_mean") is not None:
        ax.axhline(dense[f"{key}_mean"], color="black", linestyle="--", linewidth=0.8,
                   label="dense")
    for method, (colour, marker) in POINTS.items():
        entry = summary.get((method, None))
        if entry is None or entry.get(f"{key}_mean") is None:
            continue
        ax.errorbar(100.0 * entry["sparsity_mean"], entry[f"{key}_mean"],
                    xerr=100.0 * entry["sparsity_sd"], yerr=entry[f"{key}_sd"],
                    color=colour, marker=marker, markersize=9, linestyle="none",
                    markeredgecolor="black", markeredgewidth=0.5, elinewidth=0.8,
                    capsize=2, label=_label(method))
    ax.set_xlim(0, 100)
    ax.set_xlabel("weights pruned (%)")
    ax.set_ylabel("test R^2" if regression and metric == "accuracy"
                  else "test accuracy" if metric == "accuracy" else "test macro F1")
    ax.set_title(f"{dataset} ({_plural(seeds_run(result['settings'], dataset), 'seed')})",
                 fontsize="medium")
    ax.grid(alpha=0.3)
    _flops_axis(ax, result, dataset)
    if legend:
        ax.legend(fontsize="x-small", loc="lower left")
    return ax


def plot_datasets(result, *, metric="accuracy", ncols=3):
    """:func:`plot_sweep` of every data set of a result, in one figure with
    one legend (``ncols`` panels a row).

    Returns
    -------
    figure : matplotlib Figure
    """
    names = result["settings"]["datasets"]
    ncols = max(1, min(ncols, len(names)))
    nrows = math.ceil(len(names) / ncols)
    # At least 7.5 inches wide: the legend below needs two columns of its
    # longest labels (about 2.9 inches each) even under a single panel.
    width = max(4.6 * ncols, 7.5)
    figure = _figure_class()(figsize=(width, 3.6 * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    for ax, name in zip(axes.flat, names):
        plot_sweep(result, name, ax, metric=metric, legend=False)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    legend_cols = max(1, min(4, int(width // 2.9)))
    # Room for the legend's rows under the panels (constrained layout
    # keeps an outside legend inside the figure when the figure has it).
    figure.set_size_inches(width, 3.6 * nrows + 0.4 + 0.25 * math.ceil(len(labels) / legend_cols))
    figure.legend(handles, labels, loc="outside lower center", ncols=legend_cols,
                  fontsize="small")
    return figure


def plot_overview(result, *, metric="accuracy", group=None):
    """Accuracy (or R^2) lost against the dense network, averaged over the data sets.

    Per method and target sparsity: the mean over data sets of (the
    method's mean accuracy over seeds minus the dense network's)
    (:func:`~skchaosprune.experiments.overview`); the FT and PT masks at
    their mean sparsity and loss.  No bands: the spread across data sets
    is that of their difficulty, not an uncertainty (the per-data-set
    figure has the bands over seeds).  ``group``: which data sets, as in
    :func:`~skchaosprune.experiments.overview` (None: the first group, the
    paper regime's classifiers when there are any).

    Returns
    -------
    figure : matplotlib Figure
    """
    from .experiments import overview, seeds_run
    from .experiments.study import _pooled_groups

    drops = overview(result, metric, group)
    groups = dict(_pooled_groups(result["rows"])) or {"all": result["settings"]["datasets"]}
    label = group if group is not None else next(iter(groups))
    names = groups[label]
    targets = result["settings"]["sparsities"]
    figure = _figure_class()(figsize=(7, 4.8), layout="constrained")
    ax = figure.add_subplot()
    x = 100.0 * np.asarray([0.0] + list(targets))
    for method, (colour, style, _) in STYLES.items():
        y = np.array([0.0] + [drops[(method, t)][0] if (method, t) in drops else np.nan
                              for t in targets])
        if np.all(np.isnan(y[1:])):
            continue
        ax.plot(x, y, linestyle=style, color=colour, marker="o", markersize=3,
                label=_label(method))
    for method, (colour, marker) in POINTS.items():
        if (method, None) in drops:
            ax.plot(100.0 * drops[(method, "sparsity")][0], drops[(method, None)][0],
                    marker=marker, color=colour, markersize=10, linestyle="none",
                    markeredgecolor="black", markeredgewidth=0.5, label=_label(method))
    ax.axhline(0.0, color="black", linestyle="--", linewidth=0.8, label="dense")
    ax.set_xlim(0, 100)
    ax.set_xlabel("weights pruned (%)")
    what = ("R^2" if label.startswith("all_r2") else "accuracy" if metric == "accuracy"
            else "macro F1")
    ax.set_ylabel(f"test {what} minus dense {what}")
    where = "" if "@" not in label else f" ({label.split('@')[1]} regime)"
    ax.set_title(f"Mean over {_plural(len(names), 'data set')}{where}, "
                 f"{seeds_run(result['settings'])} each", fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower left")
    return figure


def save_figures(result, path, *, metric="accuracy", dpi=110):
    """Write :func:`plot_datasets` to ``path`` and :func:`plot_overview` to
    ``path``'s name + ``_overview`` (``study.png``, ``study_overview.png``);
    the overviews of further groups of data sets (regression, the
    'sklearn' regime) to ``_overview_<group>`` (``study_overview_all_r2.png``).

    Returns
    -------
    paths : list of str
        The files written.
    """
    from .experiments.study import _pooled_groups

    path = Path(path)
    suffix = path.suffix or ".png"
    # bbox_inches='tight': nothing drawn (legend, top axis) is cut off.
    plot_datasets(result, metric=metric).savefig(path, dpi=dpi, bbox_inches="tight")
    written = [str(path)]
    labels = [label for label, _ in _pooled_groups(result["rows"])] or [None]
    for i, label in enumerate(labels):
        name = (f"{path.stem}_overview{suffix}" if i == 0
                else f"{path.stem}_overview_{label.replace('@', '_')}{suffix}")
        target = path.with_name(name)
        plot_overview(result, metric=metric, group=label).savefig(target, dpi=dpi,
                                                                  bbox_inches="tight")
        written.append(str(target))
    return written
