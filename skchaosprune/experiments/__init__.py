"""Comparing pruning methods: the paper's reproduction and the pruning study.

- The paper's comparison (:mod:`skchaosprune.experiments.reproduction`,
  docs/reproduction.md): :func:`run_methods` fits dense, chaos-causal (FT
  and PT), magnitude and random pruning per seed on a paper dataset,
  :func:`compare_methods` does one seed on any data.
- The pruning study (:mod:`skchaosprune.experiments.study`, docs/study.md):
  :func:`sweep`, accuracy (or R^2) against sparsity over seeds for every
  method, with :func:`sweep_summary`, :func:`sweep_wilcoxon` (raw, Holm
  and Benjamini-Hochberg p-values, :func:`adjust_pvalues`) and the tables
  :func:`format_sweep`, :func:`format_wilcoxon`, :func:`format_findings`,
  :func:`overview`, :func:`format_overview`.
- Both run their independent (data set, seed) units through joblib with
  ``n_jobs`` (:func:`reproduce` for the paper's comparison on several data
  sets), on any joblib backend, with the rows of the serial run.
- What they share (:mod:`skchaosprune.experiments.common`): the rows'
  :data:`FIELDS`, :func:`summarize` over seeds and :func:`format_table`.

The data and the demo's network come from :mod:`skchaosprune.datasets`.

Examples
--------
>>> from skchaosprune.experiments import format_table, run_methods, summarize
>>> rows = run_methods("digits", seeds=(0,), methods=("dense",), max_iter=2)
>>> print(format_table(summarize(rows)).splitlines()[2])     # doctest: +ELLIPSIS
digits   dense   1  ...
"""

from .common import FIELDS, format_table, summarize
from .reproduction import METHODS, compare_methods, reproduce, run_methods

# Constants of experiments.py outside its __all__, still importable from here.
from .study import (  # noqa: F401
    DEFAULT_SPARSITIES,
    DEMO_NETWORK,
    FRESH_OFFSET,
    QUICK_SPARSITIES,
    REGIMES,
    SKLEARN_DATASETS,
    SPLIT_SEED,
    SWEEP_ALL_METHODS,
    SWEEP_COMPARISONS,
    SWEEP_EXTRA,
    SWEEP_EXTRA_COMPARISONS,
    SWEEP_METHODS,
    SWEEP_POINTS,
    SWEEP_RANKED,
    adjust_pvalues,
    format_findings,
    format_overview,
    format_sweep,
    format_wilcoxon,
    overview,
    pruned_mask,
    seeds_run,
    sklearn_study_data,
    small_dense_sizes,
    sweep,
    sweep_summary,
    sweep_wilcoxon,
)

__all__ = [
    "DEFAULT_SPARSITIES",
    "FIELDS",
    "METHODS",
    "REGIMES",
    "SWEEP_ALL_METHODS",
    "SWEEP_COMPARISONS",
    "SWEEP_EXTRA_COMPARISONS",
    "SWEEP_METHODS",
    "adjust_pvalues",
    "compare_methods",
    "format_findings",
    "format_sweep",
    "format_table",
    "format_overview",
    "format_wilcoxon",
    "overview",
    "pruned_mask",
    "reproduce",
    "run_methods",
    "seeds_run",
    "sklearn_study_data",
    "small_dense_sizes",
    "summarize",
    "sweep",
    "sweep_summary",
    "sweep_wilcoxon",
]
