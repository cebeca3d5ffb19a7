"""What the studies share: the rows' fields, error texts, the summary of
rows over seeds and the plain-text tables.

:func:`summarize` reduces rows of :func:`~skchaosprune.experiments.run_methods`
(or :func:`~skchaosprune.experiments.compare_methods`) to mean and
standard deviation per (dataset, method); :func:`format_table` prints them.
The sweep's tables (:mod:`skchaosprune.experiments.study`) use the same
column layout (``_render``).
"""

import numpy as np

__all__ = ["FIELDS", "format_table", "summarize"]


#: Keys of every row :func:`~skchaosprune.experiments.run_methods` returns.
FIELDS = (
    "dataset", "method", "seed", "accuracy", "f1_macro", "sparsity", "flops",
    "epochs_to_benchmark", "seconds", "total_updates", "dense_epochs",
    "pruned_weights", "n_weights", "window", "maxlag", "error",
)

# Summarised metrics: (row key, column title, format of mean and std).
_METRICS = (
    ("accuracy", "accuracy", "{:.4f}"),
    ("f1_macro", "macro F1", "{:.4f}"),
    ("sparsity", "pruned %", "{:.1f}"),
    ("flops", "FLOPs", "{:.0f}"),
    ("epochs_to_benchmark", "epochs to bench", "{:.1f}"),
    ("seconds", "fit s", "{:.2f}"),
    ("total_updates", "updates", "{:.0f}"),
)


def _error_text(exc):
    """The first line of an exception's message (its type named unless it
    is a ValueError, the package's error for bad data and settings)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = " ".join(lines[0].split()) if lines else "(no message)"
    return text if isinstance(exc, ValueError) else f"{type(exc).__name__}: {text}"


def _mean_std(values):
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return (None, None)
    std = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
    return (float(np.mean(values)), std)


def summarize(rows):
    """Mean and standard deviation of each metric per (dataset, method).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`run_methods`.

    Returns
    -------
    summary : list of dict
        One per (dataset, method), in the order they first appear, with
        'dataset', 'method', 'n' (rows), 'failed' (rows with an ``error``,
        left out of the means) and 'error' (the first such message, or
        None), 'reached' (rows whose epochs_to_benchmark is not None) and,
        for 'accuracy', 'f1_macro', 'sparsity', 'flops',
        'epochs_to_benchmark', 'seconds' and 'total_updates', a tuple
        ``(mean, std)`` (``(None, None)`` when every row failed).  The
        standard deviation is the sample one (``ddof=1``; 0.0 for a single
        row).  'epochs_to_benchmark' is averaged over the rows that reached
        the benchmark only (``(None, None)`` if none did).

    Examples
    --------
    >>> rows = [dict(dataset="d", method="m", accuracy=a, f1_macro=a, sparsity=0.0,
    ...              flops=10, epochs_to_benchmark=e, seconds=1.0, total_updates=5)
    ...         for a, e in [(0.8, 3), (0.9, None)]]
    >>> s = summarize(rows)[0]
    >>> s["accuracy"], s["epochs_to_benchmark"], s["reached"], s["failed"]
    ((0.85, 0.0707...), (3.0, 0.0), 1, 0)
    """
    groups = {}
    for row in rows:
        groups.setdefault((row["dataset"], row["method"]), []).append(row)
    summary = []
    for (dataset, method), group in groups.items():
        ok = [r for r in group if r.get("error") is None]
        entry = {"dataset": dataset, "method": method, "n": len(group),
                 "failed": len(group) - len(ok),
                 "error": next((r["error"] for r in group if r.get("error")), None)}
        reached = [r["epochs_to_benchmark"] for r in ok if r["epochs_to_benchmark"] is not None]
        entry["reached"] = len(reached)
        for key, _, _ in _METRICS:
            values = reached if key == "epochs_to_benchmark" else [r[key] for r in ok]
            entry[key] = _mean_std(values)
        summary.append(entry)
    return summary


def _failure(error):
    """A failed row's text in the tables: 'failed: <why>' ('skipped: ...'
    as it is)."""
    return error if error.startswith("skipped:") else f"failed: {error}"


def format_table(summary):
    """A plain-text table of :func:`summarize`'s output (or of raw rows).

    Each cell of a summary is ``mean +/- std``; 'epochs to bench' is
    averaged over the runs that reached the training-accuracy benchmark,
    with their count in brackets.  Given the rows of :func:`run_methods` or
    :func:`compare_methods` instead, it prints one line per row (with its
    seed).  A method that failed (``on_error='record'``) keeps its line,
    which says why after its name (and, in a summary, how many of its runs
    failed when others did not).  A footnote states the FLOPs formula.

    Parameters
    ----------
    summary : list of dict
        Output of :func:`summarize`, or rows of :func:`run_methods` /
        :func:`compare_methods`.

    Returns
    -------
    table : str

    Examples
    --------
    >>> rows = [dict(dataset="d", method="dense", seed=0, accuracy=0.9, f1_macro=0.8,
    ...              sparsity=0.0, flops=89, epochs_to_benchmark=None, seconds=0.5,
    ...              total_updates=100),
    ...         dict(dataset="d", method="chaos_ft", seed=0, error="it broke")]
    >>> print(format_table(rows))                     # doctest: +NORMALIZE_WHITESPACE
    dataset  method    seed  accuracy  macro F1  pruned %  FLOPs  epochs to bench  fit s  updates
    -------  --------  ----  --------  --------  --------  -----  ---------------  -----  -------
    d        dense     0     0.9000    0.8000    0.0       89     never            0.50   100
    d        chaos_ft  0     failed: it broke
    FLOPs: one forward pass, sum over layers of 2 * non-zero weights + outputs.
    """
    summary = list(summary)
    summarised = bool(summary) and "reached" in summary[0]
    header = ["dataset", "method", "n" if summarised else "seed",
              *[title for _, title, _ in _METRICS]]
    lines, notes = [], []
    for entry in summary:
        cells = [str(entry["dataset"]), str(entry["method"]),
                 str(entry["n"] if summarised else entry.get("seed", ""))]
        error = entry.get("error")
        failed_all = error is not None and (not summarised or entry["failed"] == entry["n"])
        notes.append(_failure(error) if failed_all
                     else f"{entry['failed']} of {entry['n']} failed: {error}"
                     if error is not None else "")
        if failed_all:
            lines.append(cells)
            continue
        for key, _, fmt in _METRICS:
            if not summarised:
                value = entry[key]
                cells.append("never" if value is None else fmt.format(value))
                continue
            mean, std = entry[key]
            if mean is None:
                cell = "never"
            else:
                cell = f"{fmt.format(mean)} +/- {fmt.format(std)}"
            if key == "epochs_to_benchmark" and mean is not None:
                cell += f" [{entry['reached']}/{entry['n'] - entry['failed']}]"
            cells.append(cell)
        lines.append(cells)
    # A failure's note follows its name (the columns it has no value for)
    # or the last column, and widens no column.
    out = _render(header, lines, notes)
    note = "FLOPs: one forward pass, sum over layers of 2 * non-zero weights + outputs"
    if summarised:
        note += ("; epochs to bench: mean over the [reached/n] runs that reached the "
                 "training-accuracy benchmark")
    out.append(note + ".")
    return "\n".join(out)


def _render(header, lines, notes=None):
    """Aligned columns; ``notes`` (one per line) follow their line
    unaligned, widening no column.  A line may have fewer cells than the
    header (a failed row: its note follows its last cell)."""
    widths = [max(len(row[i]) for row in [header, *lines] if i < len(row))
              for i in range(len(header))]
    notes = notes or [""] * len(lines)

    def render(cells, note=""):
        text = "  ".join(c.ljust(w) for c, w in zip(cells, widths))
        return (text + "  " + note if note else text).rstrip()

    return ([render(header), render(["-" * w for w in widths])]
            + [render(c, n) for c, n in zip(lines, notes)])
