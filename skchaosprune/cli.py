"""Command line: ``skchaosprune demo``, ``skchaosprune reproduce`` and
``skchaosprune sweep`` (also ``python -m skchaosprune``).

Built on the public API (:mod:`skchaosprune.experiments`,
:mod:`skchaosprune.datasets`); errors end in one line on stderr and a
non-zero exit, never a traceback.  Nothing in the library imports this
module (only ``python -m skchaosprune`` and the ``skchaosprune`` script).
"""

import argparse
import dataclasses
import json
import math
import re
import sys
import warnings
from pathlib import Path

from .datasets import DEMO_NETWORK, REGRESSION_DATASETS, SKLEARN_DATASETS
from .experiments.study import REGIMES, SWEEP_ALL_METHODS, SWEEP_EXTRA


class _Parser(argparse.ArgumentParser):
    """argparse, with bad arguments reported in one line (exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _Bars:
    """tqdm bars fed by the estimators' progress reports, one per phase."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.label = ""
        self._bar = None
        self._phase = None

    def __call__(self, phase, done, total):
        if not self.enabled:
            return
        from tqdm.auto import tqdm

        if self._bar is None or phase != self._phase:
            self.close()
            self._phase = phase
            self._bar = tqdm(total=total, desc=f"{self.label} {phase}".strip(),
                             leave=False, file=sys.stderr, dynamic_ncols=True)
        self._bar.n = done
        self._bar.refresh()
        if done >= total:
            self.close()

    def close(self):
        if self._bar is not None:
            self._bar.close()
        self._bar = None
        self._phase = None


def _bars(args):
    """Bars unless --quiet or stderr is not a terminal."""
    return _Bars(enabled=not args.quiet and sys.stderr.isatty())


class _Failure(Exception):
    """An error to report in one line."""


def _load_csv(path, target, seed):
    """:func:`~skchaosprune.datasets.load_csv_dataset`, its errors reported
    as they are (they name the file and its columns, not parameters)."""
    from .datasets import load_csv_dataset

    try:
        return load_csv_dataset(path, target, seed)
    except ValueError as exc:
        raise _Failure(str(exc)) from None


def _print_rows(rows, title):
    """The table, with the errors of failed methods in the CLI's flags."""
    from .experiments import format_table

    rows = [dict(r, error=None if r.get("error") is None else _in_flags(r["error"]))
            for r in rows]
    print(title)
    print(format_table(rows))


def _check_rows(rows, what):
    """After the table: a failed method is in its row; only when every run
    failed is the command a failure (exit 1)."""
    failed = [r for r in rows if r.get("error") is not None]
    if failed and len(failed) == len(rows):
        raise _Failure(f"every {what} failed; the first: {_in_flags(failed[0]['error'])}")


def _plural(n, word):
    """'1 seed', '3 seeds'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


#: What the command is running, for the warnings' lines ('banknote seed 1:
#: magnitude'); set by the progress callables.
_NOW = {"label": ""}


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning in one line on stderr, like the rest of the CLI's output,
    naming the run it came from (not the source file)."""
    from tqdm.auto import tqdm

    text = " ".join(str(message).split())
    where = f" ({_NOW['label']})" if _NOW["label"] else ""
    # tqdm.write: above the progress bars, when there are any.
    tqdm.write(f"skchaosprune: warning{where}: {category.__name__}: {text}", file=sys.stderr)


def versions():
    """The versions of Python, skchaosprune and the libraries its results
    depend on, for the JSON outputs."""
    import platform
    from importlib import metadata

    from . import __version__

    out = {"python": platform.python_version(), "skchaosprune": __version__}
    for dist in ("numpy", "scipy", "numba", "scikit-learn", "statsmodels"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[dist] = None
    return out


def _arguments(args):
    """Every option of the command as it ran, defaults included."""
    return {k.replace("_", "-"): v for k, v in sorted(vars(args).items())
            if k not in ("func", "command")}


def _params(estimator):
    """JSON-ready parameters of an estimator; a nested strategy as its class
    name and parameters."""
    out = {}
    for key, value in estimator.get_params(deep=False).items():
        if hasattr(value, "get_params"):
            value = {"class": type(value).__name__, **_params(value)}
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, float) and not math.isfinite(value):
            value = str(value)  # 'inf' (strict JSON has no Infinity)
        elif not (value is None or isinstance(value, (bool, int, float, str, list, dict))):
            value = repr(value)
        out[key] = value
    return out


def _write_json(path, payload, args):
    """Write the results with the options used and the versions."""
    payload = dict(payload, arguments=_arguments(args), versions=versions())
    try:
        with open(path, "w") as handle:
            json.dump(payload, handle, indent=2, default=float)
    except OSError as exc:
        raise _Failure(f"cannot write {path}: {exc}") from None


def _compile(args):
    """Compile the kernels before anything is timed (only the first run
    after installation compiles; later runs load Numba's cache)."""
    from ._kernels import warmup_all

    if not args.quiet:
        print("loading the compiled kernels (the first run compiles them, ~30 s)...",
              file=sys.stderr, flush=True)
    warmup_all(parallel=True)


def _demo(args):
    from . import _progress
    from .datasets import demo_estimator, load_sklearn_dataset
    from .experiments import compare_methods
    from .pruning import ChaosCausalPruning

    if args.csv:
        if not args.target:
            raise _Failure("--csv needs --target COLUMN (the label column)")
        X_train, X_test, y_train, y_test = _load_csv(args.csv, args.target, args.seed)
        source = args.csv
        name = Path(args.csv).stem
    else:
        X_train, X_test, y_train, y_test = load_sklearn_dataset(args.dataset, args.seed)
        source = f"sklearn {args.dataset}"
        name = args.dataset
    _compile(args)
    estimator = demo_estimator(hidden=args.hidden, epochs=args.epochs, lr=args.lr,
                               batch_size=args.batch_size, random_state=args.seed)
    strategy = ChaosCausalPruning(window=args.window, maxlag=args.maxlag, alpha=args.alpha,
                                  risk=args.risk)
    bars = _bars(args)
    with _progress.listening(bars):
        rows = compare_methods(
            estimator, X_train, y_train, X_test, y_test, benchmark=args.benchmark,
            partial_epochs=args.partial_epochs, progress=_labeller(bars),
            dataset=name, pruning=strategy, on_error="record",
        )
    bars.close()
    n_classes = len(set(y_train))
    net = f"{X_train.shape[1]}-{args.hidden}-{1 if n_classes == 2 else n_classes}"
    # The window and maxlag the chaos-causal runs resolved ('auto' when
    # both failed).
    chaos = next((r for r in rows[1:3] if r["window"] is not None),
                 {"window": args.window, "maxlag": args.maxlag})
    _print_rows(rows, f"{source}: {net} sigmoid MLP, SGD (batch {args.batch_size}) x "
                      f"{_plural(args.epochs, 'epoch')}, window {chaos['window']}, "
                      f"maxlag {chaos['maxlag']}, risk {args.risk}, "
                      f"alpha {args.alpha}, test set 20%")
    if args.json:
        _write_json(args.json, {"command": "demo", "source": source, "network": net,
                                "settings": {"estimator": _params(estimator),
                                             "pruning": _params(strategy)},
                                "rows": rows}, args)
    _check_rows(rows, "method")
    return 0


def _reproduce(args):
    from . import _progress
    from .datasets import PAPER_SETTINGS, load_paper_dataset
    from .experiments import reproduce, summarize

    names = args.datasets or list(PAPER_SETTINGS)
    unknown = [n for n in names if n not in PAPER_SETTINGS]
    if unknown:
        raise _Failure(f"unknown dataset(s) {unknown}; choose from {list(PAPER_SETTINGS)}")
    for name in names:  # a missing or unreadable file fails before any work
        try:
            load_paper_dataset(name, args.data_dir)
        except ValueError as exc:
            files = ", ".join(PAPER_SETTINGS[name].files)
            raise _Failure(f"cannot read the {name} data ({files}) in {args.data_dir}: "
                           f"{exc}") from None
    _compile(args)
    bars = _bars(args)
    all_rows = []
    with _progress.listening(bars):
        all_rows += reproduce(names, data_dir=args.data_dir, seeds=range(args.seeds),
                              scaling=args.scaling, progress=_labeller(bars),
                              pruning={"risk": args.risk}, on_error="record",
                              n_jobs=args.n_jobs)
    bars.close()
    summary = summarize(all_rows)
    _print_rows(summary, f"The paper's experiments (scaling={args.scaling}, risk="
                         f"{args.risk}), mean +/- std over {_plural(args.seeds, 'seed')}")
    if args.json:
        _write_json(args.json, {"command": "reproduce", "seeds": args.seeds,
                                "settings": {name: dataclasses.asdict(PAPER_SETTINGS[name])
                                             for name in names},
                                "summary": summary, "rows": all_rows}, args)
    _check_rows(all_rows, "run")
    return 0


class _Steps:
    """The sweep's overall bar (steps done of all) above the estimators' bars."""

    def __init__(self, bars):
        self.bars = bars
        self._bar = None

    def __call__(self, message, done, total):
        self.bars.close()
        self.bars.label = _NOW["label"] = message
        if not self.bars.enabled:
            return
        from tqdm.auto import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, desc="sweep", file=sys.stderr, dynamic_ncols=True,
                             leave=False)
        self._bar.n = done
        self._bar.set_postfix_str(message, refresh=False)
        self._bar.refresh()

    def close(self):
        self.bars.close()
        if self._bar is not None:
            self._bar.close()
        self._bar = None


def _parse_sparsities(values):
    """--sparsities 0.25,0.5 0.75 -> [0.25, 0.5, 0.75], each in (0, 1)."""
    out = []
    for value in values:
        for text in value.split(","):
            if not text.strip():
                continue
            try:
                number = float(text)
            except ValueError:
                raise _Failure(
                    f"--sparsities takes numbers between 0 and 1, got {text!r}") from None
            if not 0.0 < number < 1.0:
                raise _Failure(f"--sparsities must be strictly between 0 and 1 (the fraction "
                               f"of weights pruned), got {text.strip()}")
            out.append(number)
    if not out:
        raise _Failure("--sparsities needs at least one number between 0 and 1")
    return out


def _check_output(path, flag):
    """Fail before the work when an output file cannot be written."""
    import os

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _Failure(f"{flag} {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise _Failure(f"{flag} {path} is a folder, not a file")


def _write_csv(path, summary):
    import csv

    fields = ["dataset", "method", "target", "task", "n", "failed", "score_mean", "score_sd",
              "accuracy_mean", "accuracy_sd", "f1_macro_mean", "f1_macro_sd", "r2_mean",
              "r2_sd", "sparsity_mean", "sparsity_sd", "flops_mean", "flops_sd",
              "cost_seconds_mean", "cost_seconds_sd", "cost_ratio_mean", "cost_ratio_sd",
              "layer_sparsity", "jaccard", "jaccard_pairs", "error"]
    try:
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            for entry in summary:
                row = {k: entry[k] for k in fields}
                if row["layer_sparsity"] is not None:
                    row["layer_sparsity"] = ";".join(f"{v:.6g}" for v in row["layer_sparsity"])
                writer.writerow(row)
    except OSError as exc:
        raise _Failure(f"cannot write {path}: {exc}") from None


def _sweep(args):
    from . import _progress
    from .datasets import PAPER_SETTINGS, demo_data, load_paper_dataset
    from .experiments import (
        SPLIT_SEED,
        format_findings,
        format_overview,
        format_sweep,
        format_wilcoxon,
        seeds_run,
        sklearn_study_data,
        sweep,
    )

    if args.target and not args.csv:
        raise _Failure("--target names the label column of --csv FILE (the input table)")
    if args.csv and not args.target:
        raise _Failure("--csv FILE is the input table (numeric features and a label "
                       "column, as for demo) and needs --target COLUMN; to write the "
                       "summary as CSV, use --out-csv FILE")
    sparsities = _parse_sparsities(args.sparsities) if args.sparsities else None
    for path, flag in ((args.json, "--json"), (args.out_csv, "--out-csv"),
                       (args.plot, "--plot")):
        if path:
            _check_output(path, flag)
            if args.csv and Path(path).resolve() == Path(args.csv).resolve():
                raise _Failure(f"{flag} {path} would overwrite the --csv input file")
    if args.plot:
        from .plotting import _figure_class

        try:
            _figure_class()
        except ImportError as exc:
            raise _Failure(str(exc)) from None
    names = args.datasets or ([] if (args.dataset or args.csv or args.regression)
                              else list(PAPER_SETTINGS))
    unknown = [n for n in names if n not in PAPER_SETTINGS]
    if unknown:
        raise _Failure(f"unknown dataset(s) {unknown}; choose from {list(PAPER_SETTINGS)}")
    for name in names:  # a missing or unreadable file fails before any work
        try:
            load_paper_dataset(name, args.data_dir, scaling=args.scaling)
        except (ValueError, OSError) as exc:
            files = ", ".join(PAPER_SETTINGS[name].files)
            raise _Failure(f"cannot read the {name} data ({files}) in {args.data_dir}: "
                           f"{' '.join(str(exc).split())}") from None
    network = dict(hidden=args.hidden, epochs=args.epochs, lr=args.lr,
                   batch_size=args.batch_size)
    specs = list(names)
    specs += [sklearn_study_data(name, **network, window=args.window, maxlag=args.maxlag)
              for name in dict.fromkeys(args.dataset or [])]
    specs += [f"sklearn_{name}" for name in dict.fromkeys(args.regression or [])]
    if args.csv:
        X_train, X_test, y_train, y_test = _load_csv(args.csv, args.target, SPLIT_SEED)
        specs.append(demo_data(Path(args.csv).stem, X_train, X_test, y_train, y_test,
                               **network, window=args.window, maxlag=args.maxlag))
    _compile(args)
    bars = _bars(args)
    steps = _Steps(bars)
    try:
        with _progress.listening(bars):
            result = sweep(specs, data_dir=args.data_dir,
                           seeds=range(args.seeds) if args.seeds else None,
                           sparsities=sparsities, quick=args.quick, scaling=args.scaling,
                           progress=steps, methods=_methods(args.methods),
                           regimes=args.regime, n_jobs=args.n_jobs,
                           seeds_for=_seeds_for(args.seeds_for))
    finally:
        steps.close()
    settings = result["settings"]
    print(f"Pruning study: accuracy against sparsity, mean +/- sd over "
          f"{seeds_run(settings)}, retrained by rewinding"
          + (" (quick)" if args.quick else ""))
    print()
    print(format_sweep(result))
    print(format_sweep(result, "cost"))
    if len(settings["datasets"]) > 1:
        print(format_overview(result))
    for method, against in settings["comparisons"]:
        print(format_wilcoxon(result, method, against))
    print(format_findings(result))
    counts = result["counts"]
    print(f"wall time {result['seconds']:.1f} s ({result['seconds'] / 60:.1f} min): "
          f"{_plural(counts['full'], 'dense run')} with dynamics, "
          f"{_plural(counts['partial'], 'partial (PT) run')}, "
          f"{_plural(counts['retrainings'], 'retraining')}")
    if args.json:
        _write_json(args.json, dict(result, command="sweep"), args)
    if args.out_csv:
        _write_csv(args.out_csv, result["summary"])
    if args.plot:
        from .plotting import save_figures

        for path in save_figures(result, args.plot):
            print(f"wrote {path}", file=sys.stderr)
    _check_rows(result["rows"], "run")
    return 0


def _seeds_for(values):
    """--seeds-for digits=3 sklearn_digits=5 -> {'digits': 3, 'sklearn_digits': 5}."""
    out = {}
    for value in values or []:
        name, _, count = value.partition("=")
        try:
            out[name] = int(count)
        except ValueError:
            raise _Failure(f"--seeds-for takes NAME=N (e.g. digits=3), got {value!r}") from None
    return out or None


def _methods(names):
    """--methods: None (the default set), 'all', or the names given."""
    if not names:
        return None
    return "all" if "all" in names else names


def _labeller(bars, prefix=""):
    """A progress callable that names the method the bars (and the
    warnings) belong to."""

    def progress(message):
        bars.close()
        bars.label = _NOW["label"] = f"{prefix} {message}".strip()

    return progress


def _auto_int(text):
    """'auto' or a positive integer (argparse type)."""
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or an integer, got {text!r}") from None


# Estimator and strategy parameter names in error messages -> the CLI's flags.
_FLAGS = {"max_iter": "--epochs", "partial_epochs": "--partial-epochs",
          "batch_size": "--batch-size", "window": "--window", "maxlag": "--maxlag",
          "alpha": "--alpha", "learning_rate_init": "--lr", "risk": "--risk",
          "hidden_layer_sizes": "--hidden"}


def _in_flags(message):
    """An error message with parameter names replaced by the CLI's flags:
    names with an underscore everywhere, plain words (window, risk...) only
    as ``name=``, ``(name)`` or ``'name'``."""
    def flag(match):
        return _FLAGS[match.group(1)]

    compound = [name for name in _FLAGS if "_" in name]
    plain = [name for name in _FLAGS if "_" not in name]
    message = re.sub(r"\b(" + "|".join(compound) + r")\b", flag, message)
    return re.sub(r"\b(" + "|".join(plain) + r")\b(?=[=)'])", flag, message)


def build_parser():
    from . import __version__

    parser = _Parser(
        prog="skchaosprune",
        description="Chaos-causality pruning of dense neural networks (LEGCNet). "
                    "The method: docs/method.md; the documentation site: docs/ "
                    "(README's 'Documentation').",
    )
    parser.add_argument("--version", action="version", version=f"skchaosprune {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser(
        "demo", help="dense vs LEGCNet-FT/PT vs magnitude and random pruning on one dataset",
        description="Train a dense sigmoid MLP, prune it by chaos and causality "
                    "(full and partial training) and by magnitude and at random at "
                    "the same sparsity, and print one table.")
    source = demo.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=SKLEARN_DATASETS, default="digits",
                        help="a dataset that ships with scikit-learn (default: digits)")
    source.add_argument("--csv", metavar="FILE",
                        help="a CSV file with a header, numeric features and a label "
                             "column (the input table; the rows are named after the "
                             "file)")
    demo.add_argument("--target", metavar="COLUMN", help="the label column of --csv")
    demo.add_argument("--hidden", type=int, default=DEMO_NETWORK["hidden"],
                      help="hidden units (default: %(default)s)")
    demo.add_argument("--epochs", type=int, default=DEMO_NETWORK["epochs"],
                      help="training epochs (default: %(default)s)")
    demo.add_argument("--lr", type=float, default=DEMO_NETWORK["lr"],
                      help="learning rate (default: %(default)s)")
    demo.add_argument("--batch-size", type=int, default=DEMO_NETWORK["batch_size"],
                      help="samples per update (default: %(default)s)")
    demo.add_argument("--window", type=_auto_int, default="auto",
                      help="Lyapunov window in updates, or 'auto' (default: auto, from "
                           "the run's length)")
    demo.add_argument("--maxlag", type=_auto_int, default="auto",
                      help="largest Granger lag, or 'auto' (default: auto, from the "
                           "number of windows)")
    demo.add_argument("--risk", choices=("loss", "error"), default="loss",
                      help="risk series: validation loss or misclassification rate "
                           "(default: loss)")
    demo.add_argument("--alpha", type=float, default=0.05,
                      help="prune when the Granger p-value >= alpha (default: 0.05)")
    demo.add_argument("--partial-epochs", type=int, default=None,
                      help="dense epochs of LEGCNet-PT (default: the larger of 10%% of "
                           "--epochs and the fewest that give enough windows)")
    demo.add_argument("--benchmark", type=float, default=0.9,
                      help="training accuracy whose epochs are counted (default: 0.9)")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    demo.add_argument("--json", metavar="FILE",
                      help="also write the results as JSON, with the settings used and "
                           "the versions of skchaosprune and its dependencies")
    demo.set_defaults(func=_demo)

    rep = sub.add_parser(
        "reproduce", help="the paper's experiments, mean and std over seeds",
        description="Run the paper's experiments (docs/method.md section 9) with its "
                    "networks and settings, with magnitude and random baselines at "
                    "matched sparsity.")
    rep.add_argument("--data-dir", metavar="DIR", required=True,
                     help="folder with the paper's CSV files")
    rep.add_argument("--seeds", type=int, default=5, help="number of seeds (default: 5)")
    rep.add_argument("--datasets", nargs="+", metavar="NAME",
                     help="a subset (default: all, digits as the MNIST stand-in)")
    rep.add_argument("--scaling", choices=("per_feature", "reference"), default="per_feature",
                     help="'reference' scales each sample as the reference code did")
    rep.add_argument("--risk", choices=("error", "loss"), default="error",
                     help="risk series: misclassification rate (the paper's, default) "
                          "or validation loss")
    rep.add_argument("--n-jobs", type=int, default=None, metavar="N",
                     help="run the (data set, seed) units in N processes (joblib; -1: "
                          "every core); the results do not depend on it (default: 1)")
    rep.add_argument("--quiet", action="store_true", help="no progress bars")
    rep.add_argument("--json", metavar="FILE",
                     help="also write the results as JSON, with the settings used and "
                          "the versions of skchaosprune and its dependencies")
    rep.set_defaults(func=_reproduce)

    swp = sub.add_parser(
        "sweep", help="accuracy against sparsity over seeds: chaos-causal ranking against "
                      "magnitude, random and a layer-wise shuffle control",
        description="For each data set and seed, one dense run with its dynamics, then "
                    "every method at every sparsity (chaos-causal ranking with risk loss "
                    "and error, magnitude global and layer-wise, random, the chaos-causal "
                    "mask shuffled within each layer) and the alpha-decided LEGCNet-FT and "
                    "PT masks, each retrained by rewinding to the same initial weights "
                    "with the same data order. Prints accuracy tables and paired Wilcoxon "
                    "tests over seeds; docs/study.md is its output.")
    swp.add_argument("--data-dir", metavar="DIR",
                     help="folder with the paper's CSV files (as for reproduce)")
    swp.add_argument("--datasets", nargs="+", metavar="NAME",
                     help="paper data sets (as for reproduce; default: all seven, unless "
                          "--dataset or --csv is given)")
    swp.add_argument("--scaling", choices=("per_feature", "reference"), default="per_feature",
                     help="scaling of the paper data (as for reproduce)")
    swp.add_argument("--dataset", nargs="+", choices=SKLEARN_DATASETS, metavar="NAME",
                     help="scikit-learn data sets (as for demo: "
                          f"{', '.join(SKLEARN_DATASETS)}), with the demo's network; "
                          "split 80/20 with the fixed seed 42")
    swp.add_argument("--csv", metavar="FILE",
                     help="a CSV file with a header, numeric features and a label column "
                          "(the input table, as for demo; named after the file)")
    swp.add_argument("--data", dest="csv", help=argparse.SUPPRESS)  # --csv's old name
    swp.add_argument("--target", metavar="COLUMN", help="the label column of --csv")
    swp.add_argument("--hidden", type=int, default=DEMO_NETWORK["hidden"],
                     help="hidden units of --dataset/--csv networks (default: %(default)s)")
    swp.add_argument("--epochs", type=int, default=DEMO_NETWORK["epochs"],
                     help="epochs of --dataset/--csv networks (default: %(default)s)")
    swp.add_argument("--lr", type=float, default=DEMO_NETWORK["lr"],
                     help="learning rate of --dataset/--csv networks (default: %(default)s)")
    swp.add_argument("--batch-size", type=int, default=DEMO_NETWORK["batch_size"],
                     help="samples per update of --dataset/--csv networks "
                          "(default: %(default)s)")
    swp.add_argument("--window", type=_auto_int, default="auto",
                     help="Lyapunov window of --dataset/--csv networks (default: auto)")
    swp.add_argument("--maxlag", type=_auto_int, default="auto",
                     help="largest Granger lag of --dataset/--csv networks (default: auto)")
    swp.add_argument("--sparsities", nargs="+", metavar="S",
                     help="target fractions of weights pruned, in (0, 1), e.g. "
                          "0.25,0.5,0.75,0.9 (the default; --quick: 0.5,0.9)")
    swp.add_argument("--seeds", type=int, default=None,
                     help="number of seeds, 0 .. N-1 (default: 5; --quick: 1)")
    swp.add_argument("--regression", nargs="+", choices=REGRESSION_DATASETS, metavar="NAME",
                     help="regression tables scored by test R^2 "
                          f"({', '.join(REGRESSION_DATASETS)}), with a one-hidden-layer "
                          "regressor (32 sigmoid units, lr 0.01, 20 epochs, batch 1)")
    swp.add_argument("--methods", nargs="+", metavar="NAME",
                     choices=list(SWEEP_ALL_METHODS[1:]) + ["all"],
                     help="the methods to compare, or 'all' (default: the chaos-causal "
                          "ranking, magnitude, random, the shuffle control and the FT/PT "
                          "masks); more: " + ", ".join(SWEEP_EXTRA))
    swp.add_argument("--regime", nargs="+", choices=REGIMES, default=["paper"],
                     help="training regimes: 'paper' (one-sample plain SGD, the default) "
                          "and/or 'sklearn' (the estimator's defaults: adam, batch 200)")
    swp.add_argument("--n-jobs", type=int, default=None, metavar="N",
                     help="run the (data set, seed, regime) units in N processes (joblib; "
                          "-1: every core); the results do not depend on it (default: 1)")
    swp.add_argument("--seeds-for", nargs="+", metavar="NAME=N",
                     help="fewer seeds for the slowest data sets: the first N of --seeds "
                          "on NAME (as the tables name it, e.g. digits=3 "
                          "sklearn_digits=5)")
    swp.add_argument("--quick", action="store_true",
                     help="for tests and CI: 1 seed, 2 sparsities, a quarter of the epochs, "
                          "auto windows and lags")
    swp.add_argument("--quiet", action="store_true", help="no progress bars")
    swp.add_argument("--json", metavar="FILE",
                     help="also write the results (every row) as JSON, with the settings "
                          "used and the versions of skchaosprune and its dependencies")
    swp.add_argument("--out-csv", metavar="FILE",
                     help="also write the summary (per data set, method, sparsity) as CSV")
    swp.add_argument("--plot", metavar="FILE",
                     help="draw accuracy against sparsity per data set to FILE and the "
                          "overview to FILE's name + _overview (needs matplotlib, the "
                          "'plot' extra)")
    swp.set_defaults(func=_sweep)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        for name in ("hidden", "epochs", "batch_size", "window", "maxlag", "seeds",
                     "partial_epochs"):
            value = getattr(args, name, 1)
            if value is not None and value != "auto" and value < 1:
                raise _Failure(f"--{name.replace('_', '-')} must be at least 1")
        if getattr(args, "n_jobs", None) == 0:
            raise _Failure("--n-jobs must not be 0 (1: serial; -1: every core)")
        # Warnings in one line each, for this command only.
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            _NOW["label"] = ""
            return args.func(args)
    except (_Failure, ValueError, OSError) as exc:
        message = " ".join(str(exc).split())
        if not isinstance(exc, _Failure):
            message = _in_flags(message)
        print(f"skchaosprune: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skchaosprune: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
