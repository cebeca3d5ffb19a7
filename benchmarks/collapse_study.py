"""No silent collapse: default chaos-causal fits against their dense twins.

For each case, each risk ('loss', 'error') and each mode ('full' = FT,
'partial' = PT), over seeds 0 .. N-1, the script fits a chaos-causal
estimator with its default strategy parameters and the same estimator with
``pruning=None`` (same seed), and records the sparsity, the test accuracy
(regression: test R^2) of both, the resolved window, maxlag and dense
epochs (``pruning_params_``), whether the fit raised the "leaves no path"
ValueError ("collapsed"), the PrunedModelWarning and DegenerateRiskWarning
counts with the first message of each, and the fit seconds.  Nothing is
tuned: the defaults as they are.

Cases:

- ``paper:NAME``, the seven paper datasets with the paper's settings:
  ``paper_estimator(name, pruning=paper_pruning(name, risk=risk, mode=mode),
  random_state=seed)`` on ``load_paper_dataset(name, data_dir)``
  (per-feature scaling);
- ``sklearn:NAME`` for iris, wine, breast_cancer, digits:
  ``DenseMLPClassifier(pruning=ChaosCausalPruning(risk=risk, mode=mode),
  random_state=seed)`` with every other default, stratified 80/20 split
  (seed 42), StandardScaler fitted on the training part;
- ``sklearn:diabetes``: ``DenseMLPRegressor(pruning=ChaosCausalPruning(
  risk=risk, mode=mode), random_state=seed)`` with every other default, X
  and y standardised with training statistics, 80/20 split (seed 42), test
  R^2.  A regressor's risk is its validation MSE whichever ``risk`` is
  asked, so its 'loss' and 'error' rows are the same series (run anyway).

Run from the repository root (the script puts the root on ``sys.path``)::

    python benchmarks/collapse_study.py --data-dir ../shared/data --json rows.json
    python benchmarks/collapse_study.py --quick
    python benchmarks/collapse_study.py --cases paper:iris sklearn:wine --seeds 2

Only the public API is used.  The script exits 0 whatever it measures.
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import sklearn  # noqa: E402
from sklearn import datasets as skdatasets  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skchaosprune  # noqa: E402
from skchaosprune import (  # noqa: E402
    ChaosCausalPruning,
    DegenerateRiskWarning,
    DenseMLPClassifier,
    DenseMLPRegressor,
    PrunedModelWarning,
)
from skchaosprune.datasets import (  # noqa: E402
    PAPER_SETTINGS,
    load_paper_dataset,
    paper_estimator,
    paper_pruning,
)

try:
    from _common import machine  # noqa: E402
except ImportError:  # pragma: no cover - run from elsewhere
    machine = None

DEFAULT_DATA_DIR = os.path.join(os.path.dirname(ROOT), "shared", "data")
SKLEARN_CLASSIFICATION = ("iris", "wine", "breast_cancer", "digits")
CASES = ([f"paper:{n}" for n in PAPER_SETTINGS]
         + [f"sklearn:{n}" for n in SKLEARN_CLASSIFICATION] + ["sklearn:diabetes"])
QUICK_CASES = ["paper:iris", "paper:banknote", "sklearn:iris", "sklearn:breast_cancer",
               "sklearn:diabetes"]
RISKS = ("loss", "error")
MODES = (("full", "FT"), ("partial", "PT"))
NO_PATH = "leaves no path"


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("SKCHAOSPRUNE_DATA_DIR",
                                                             DEFAULT_DATA_DIR))
    parser.add_argument("--seeds", type=int, default=5,
                        help="number of seeds, random_state 0 .. N-1 (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help=f"1 seed and the cases {' '.join(QUICK_CASES)}")
    parser.add_argument("--cases", nargs="+", default=None, choices=CASES,
                        help="a subset of the cases (default: all)")
    parser.add_argument("--json", default=None, help="write every row as JSON here")
    return parser


# -- data ---------------------------------------------------------------------
def load_case(case, data_dir):
    """(X_train, X_test, y_train, y_test) of one case."""
    kind, name = case.split(":")
    if kind == "paper":
        data = load_paper_dataset(name, data_dir)
        return data.X_train, data.X_test, data.y_train, data.y_test
    X, y = getattr(skdatasets, f"load_{name}")(return_X_y=True)
    if name == "diabetes":
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42)
        y_scaler = StandardScaler().fit(y_tr.reshape(-1, 1))
        y_tr = y_scaler.transform(y_tr.reshape(-1, 1)).ravel()
        y_te = y_scaler.transform(y_te.reshape(-1, 1)).ravel()
    else:
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42,
                                                  stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def make_estimator(case, risk, mode, seed):
    """The chaos-causal estimator of one case; pruning=None gives its dense twin."""
    kind, name = case.split(":")
    if kind == "paper":
        return paper_estimator(name, pruning=paper_pruning(name, risk=risk, mode=mode),
                               random_state=seed)
    strategy = ChaosCausalPruning(risk=risk, mode=mode)
    if name == "diabetes":
        return DenseMLPRegressor(pruning=strategy, random_state=seed)
    return DenseMLPClassifier(pruning=strategy, random_state=seed)


# -- one fit ------------------------------------------------------------------
def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def fit_recorded(est, X_tr, y_tr):
    """Fit; return (collapsed, error, seconds, warnings by kind)."""
    collapsed, error = False, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            est.fit(X_tr, y_tr)
        except ValueError as exc:
            if NO_PATH in str(exc):
                collapsed = True
                error = str(exc)
            else:
                error = f"ValueError: {exc}"
        except Exception as exc:  # noqa: BLE001 - recorded, reported, not hidden
            error = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
    found = {"pruned_model": [], "degenerate_risk": [], "other": []}
    for w in caught:
        if issubclass(w.category, PrunedModelWarning):
            found["pruned_model"].append(str(w.message))
        elif issubclass(w.category, DegenerateRiskWarning):
            found["degenerate_risk"].append(str(w.message))
        else:
            found["other"].append(f"{w.category.__name__}: {w.message}")
    return collapsed, error, seconds, found


def run_case(case, seeds, data, progress):
    X_tr, X_te, y_tr, y_te = data
    rows = []
    dense = {}
    for seed in seeds:
        est = make_estimator(case, "loss", "full", seed).set_params(pruning=None)
        _, error, seconds, found = fit_recorded(est, X_tr, y_tr)
        dense[seed] = dict(score=None if error else float(est.score(X_te, y_te)),
                           seconds=seconds, error=error,
                           warnings=[m for v in found.values() for m in v])
    for risk in RISKS:
        for mode, label in MODES:
            for seed in seeds:
                progress(f"{case} risk={risk} {label} seed {seed}")
                est = make_estimator(case, risk, mode, seed)
                collapsed, error, seconds, found = fit_recorded(est, X_tr, y_tr)
                fitted = error is None
                params = getattr(est, "pruning_params_", {}) if fitted else {}
                cost = getattr(est, "pruning_cost_", {}) if fitted else {}
                usable = getattr(est, "usable_lags_", None) if fitted else None
                row = {
                    "case": case, "risk": risk, "mode": mode, "method": label,
                    "seed": seed,
                    "collapsed": collapsed,
                    "error": None if collapsed else error,
                    "collapse_message": error if collapsed else None,
                    "sparsity": float(est.sparsity_) if fitted else None,
                    "score": float(est.score(X_te, y_te)) if fitted else None,
                    "score_name": "R2" if case == "sklearn:diabetes" else "accuracy",
                    "dense_score": dense[seed]["score"],
                    "dense_seconds": dense[seed]["seconds"],
                    "dense_error": dense[seed]["error"],
                    "dense_warnings": dense[seed]["warnings"],
                    "window": _plain(params.get("window")),
                    "maxlag": _plain(params.get("maxlag")),
                    "dense_epochs": _plain(params.get("dense_epochs")),
                    "partial_epochs": _plain(params.get("partial_epochs")),
                    "usable_lags": None if usable is None else int(np.sum(usable)),
                    "pruning_cost": {k: _plain(v) for k, v in cost.items()},
                    "fit_seconds": seconds,
                    "n_pruned_model_warnings": len(found["pruned_model"]),
                    "first_pruned_model_warning": next(iter(found["pruned_model"]), None),
                    "n_degenerate_risk_warnings": len(found["degenerate_risk"]),
                    "first_degenerate_risk_warning": next(iter(found["degenerate_risk"]),
                                                          None),
                    "n_other_warnings": len(found["other"]),
                    "first_other_warning": next(iter(found["other"]), None),
                }
                rows.append(row)
    return rows


# -- the table ----------------------------------------------------------------
def _mean_sd(values, digits):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return f"{np.mean(values):.{digits}f} +/- {sd:.{digits}f}"


def _values(rows, key):
    seen = sorted({r[key] for r in rows if r[key] is not None})
    return "/".join(str(v) for v in seen) if seen else "-"


def summary_table(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r["case"], r["risk"], r["method"]), []).append(r)
    header = ["case", "risk", "mode", "collapsed", "pruned %", "pruned score",
              "dense score", "window", "maxlag", "dense ep", "usable lags",
              "PMW", "DRW", "errors", "fit s"]
    lines = []
    for (case, risk, label), group in groups.items():
        n = len(group)
        lines.append([
            case, risk, label,
            f"{sum(r['collapsed'] for r in group)}/{n}",
            _mean_sd([None if r["sparsity"] is None else 100 * r["sparsity"]
                      for r in group], 1),
            _mean_sd([r["score"] for r in group], 4),
            _mean_sd([r["dense_score"] for r in group], 4),
            _values(group, "window"), _values(group, "maxlag"),
            _values(group, "dense_epochs"), _values(group, "usable_lags"),
            str(sum(r["n_pruned_model_warnings"] for r in group)),
            str(sum(r["n_degenerate_risk_warnings"] for r in group)),
            str(sum(r["error"] is not None for r in group)),
            f"{np.mean([r['fit_seconds'] for r in group]):.2f}",
        ])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def render(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    out = [render(header), render(["-" * w for w in widths])]
    out += [render(line) for line in lines]
    out.append(
        "score: test accuracy (sklearn:diabetes: test R^2), mean +/- sd over the "
        "fits that did not raise; pruned %: of the weights; collapsed: fits that "
        "raised the 'leaves no path' ValueError; PMW / DRW: PrunedModelWarning / "
        "DegenerateRiskWarning counts over the seeds; usable lags: Granger lags "
        "1..maxlag usable for the risk series; errors: other exceptions; fit s: "
        "mean wall time of the pruning fit.")
    return "\n".join(out)


def warm_up():
    """Compile (or load) the Numba kernels first, so no fit's time includes it."""
    X, y = skdatasets.load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for est in (DenseMLPClassifier(pruning=ChaosCausalPruning(), max_iter=40,
                                       random_state=0),
                    paper_estimator("iris", pruning=paper_pruning("iris"), max_iter=60,
                                    random_state=0)):
            try:
                est.fit(X, y)
            except ValueError:
                pass
        try:
            DenseMLPRegressor(pruning=ChaosCausalPruning(), max_iter=40,
                              random_state=0).fit(X[:, :3], X[:, 3])
        except ValueError:
            pass


def main(argv=None):
    args = build_parser().parse_args(argv)
    n_seeds = 1 if args.quick else args.seeds
    seeds = list(range(n_seeds))
    cases = args.cases or (QUICK_CASES if args.quick else CASES)

    def progress(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    if machine is not None:
        print("Machine:", machine(np, sklearn, skchaosprune))
    progress("warm-up (compiling; not reported)")
    warm_up()
    start = time.perf_counter()
    rows = []
    for case in cases:
        rows += run_case(case, seeds, load_case(case, args.data_dir), progress)
    seconds = time.perf_counter() - start
    print(f"Default chaos-causal fits against dense, seeds {seeds}, "
          f"risks {list(RISKS)}, modes FT (full) and PT (partial)")
    print(summary_table(rows))
    if "sklearn:diabetes" in cases:
        print("sklearn:diabetes is a regression: its risk is the validation MSE for "
              "risk='loss' and risk='error' alike, so those rows are the same series.")
    print(f"Total run time {seconds:.1f} s (after a warm-up, not counted).")
    for r in rows:
        if r["error"] is not None:
            print(f"ERROR {r['case']} {r['risk']} {r['method']} seed {r['seed']}: "
                  f"{r['error']}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"seeds": seeds, "cases": cases, "seconds": seconds,
                       "rows": rows}, handle, indent=1, default=_plain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
