"""The paper's comparison table: dense vs chaos-causal (FT, PT) vs magnitude
and random pruning, on the paper's datasets with the paper's settings.

For each dataset and seed, :func:`skchaosprune.experiments.run_methods`
fits the dense network, LEGCNet-FT, LEGCNet-PT, and magnitude and random
pruning at the FT mask's sparsity, all with the settings of
:data:`skchaosprune.datasets.PAPER_SETTINGS` (one sigmoid hidden layer,
sigmoid outputs with squared error, one-sample SGD, initial weights with
standard deviation 0.1; the chaos-causal strategy of
:func:`skchaosprune.datasets.paper_pruning`: the dataset's window, overlap
0.1, maxlag 14, alpha 0.05 and the paper's risk, the validation
misclassification rate, ``risk='error'``), and
the table reports mean +/- sample standard deviation over the seeds of test
accuracy, macro F1, percentage of weights pruned, FLOPs of one forward pass
(2 * non-zero weights + outputs, per layer), epochs of the final training
run to reach the training-accuracy benchmark, fit wall time and SGD
updates.  Nothing is tuned: the paper's settings as they are.

Run from the repository root (the script puts the root on ``sys.path``)::

    python benchmarks/paper_table.py --data-dir ../shared/data
    python benchmarks/paper_table.py --scaling reference --datasets banknote
    python benchmarks/paper_table.py --out table.txt --rows rows.json

``--scaling reference`` reproduces the reference code's per-sample scaling
(banknote, breast cancer and titanic only); the default standardises each
feature with training statistics.
"""

import argparse
import json
import os
import platform
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from skchaosprune.datasets import PAPER_SETTINGS  # noqa: E402
from skchaosprune.experiments import (  # noqa: E402
    METHODS,
    format_table,
    run_methods,
    summarize,
)

DEFAULT_DATA_DIR = os.path.join(os.path.dirname(ROOT), "shared", "data")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["breast_cancer", "banknote"],
                        choices=sorted(PAPER_SETTINGS))
    parser.add_argument("--data-dir", default=os.environ.get("SKCHAOSPRUNE_DATA_DIR",
                                                             DEFAULT_DATA_DIR))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--scaling", choices=["per_feature", "reference"],
                        default="per_feature")
    parser.add_argument("--partial-epochs", type=int, default=None,
                        help="PT's dense epochs (default: run_methods' rule)")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--rows", default=None, help="write the per-seed rows as JSON here")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)

    def progress(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # Compile the Numba kernels first, so that no fit's time includes it:
    # one discarded seed of the first dataset, every method.
    progress("warm-up (compiling; not reported)")
    run_methods(args.datasets[0], args.data_dir, seeds=(args.seeds[0],),
                methods=tuple(args.methods), partial_epochs=args.partial_epochs,
                scaling=args.scaling)
    start = time.perf_counter()
    rows = []
    for name in args.datasets:
        rows += run_methods(name, args.data_dir, seeds=tuple(args.seeds),
                            methods=tuple(args.methods), partial_epochs=args.partial_epochs,
                            progress=progress, scaling=args.scaling)
    seconds = time.perf_counter() - start
    pt = sorted({(r["dataset"], r["dense_epochs"]) for r in rows if r["method"] == "chaos_pt"})
    lines = [
        f"Paper settings, scaling={args.scaling}, seeds {args.seeds}, "
        f"train/test split seed 42 (80/20)",
        *(f"{n}: net {s.net}, lr {s.learning_rate}, {s.epochs} epochs, window {s.window}, "
          f"benchmark {s.benchmark}"
          for n, s in PAPER_SETTINGS.items() if n in args.datasets),
        *(f"{n}: PT mask after {e} dense epochs" for n, e in pt),
        "",
        format_table(summarize(rows)),
        "",
        f"Total run time {seconds:.1f} s (after a discarded warm-up seed) on {platform.machine()} "
        f"({os.cpu_count()} CPUs), Python {platform.python_version()}.",
    ]
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(table + "\n")
    if args.rows:
        with open(args.rows, "w") as handle:
            json.dump(rows, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
