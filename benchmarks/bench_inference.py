"""Inference: dense, pruned, compacted, ONNX and scikit-learn, in one run.

Setting (issue 13's): sklearn's digits, 80 % stratified train split
(``random_state=0``), standardised with a StandardScaler fitted on the train
part; network 64-32-10 (``DenseMLPClassifier((32,), random_state=0)``, every
other parameter at its default: relu, softmax outputs, log-loss, batch 32,
200 epochs).  Models:

- dense: no pruning;
- pruned: ``pruning=ChaosCausalPruning()`` (the defaults), as fitted, with
  its training diagnostics;
- pruned, compact(): its lean copy (:func:`skchaosprune.export.compact`);
- units: the same with ``prune_units=0.25`` (structured: a quarter of the
  hidden units, the least causal, removed before retraining), as fitted,
  and its ``compact()`` (a physically smaller network);
- ONNX: ``to_onnx()`` of each compact copy (float32) run by onnxruntime;
- sklearn export: ``to_sklearn()`` of the pruned model (sklearn's
  ``MLPClassifier`` holding the same weights);
- sklearn's own: ``MLPClassifier((32,), random_state=0)`` trained by
  sklearn (its defaults), the reference for what a plain sklearn MLP costs.

Measured per model: hidden units, non-zero weights, test accuracy, the bytes
of its pickle (ONNX: of the serialized model), ``predict`` of one sample
(microseconds) and of a batch of 1,000 (milliseconds), each the best
(minimum) over repeats of the mean over many calls (ONNX: ``session.run``
on float32 input already cast), with one BLAS thread and one onnxruntime
thread (on a shared 2-core machine a second thread mostly waits for the
other processes), and the cold start: a fresh Python process
with ``NUMBA_CACHE_DIR`` set to an empty directory that imports, unpickles
(ONNX: creates the session) and predicts one sample, timed inside the
process (the interpreter's own start excluded; best of 3, after one
untimed run that writes the bytecode of every module to a private
``PYTHONPYCACHEPREFIX``, as an installed package has it even where
``PYTHONDONTWRITEBYTECODE`` is set), with whether that process imported
Numba.

Run from the repository root (the script puts it on ``sys.path``)::

    python benchmarks/bench_inference.py           # about a minute
    python benchmarks/bench_inference.py --quick   # fewer epochs and repeats

The ONNX rows need the extra ``skchaosprune[onnx]`` (skipped without it).
Exit status 0: a measurement, not a test.
"""

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import textwrap
import timeit
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from _common import machine as _machine  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skchaosprune import ChaosCausalPruning, DenseMLPClassifier  # noqa: E402

_COLD = textwrap.dedent("""
    import sys, time
    start = time.perf_counter()
    import numpy as np
    x = np.load(sys.argv[2])
    if sys.argv[1].endswith(".onnx"):
        import onnxruntime
        session = onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
        session.run(None, {"X": x.astype(np.float32)})
    else:
        import pickle
        with open(sys.argv[1], "rb") as handle:
            model = pickle.load(handle)
        model.predict(x)
    seconds = time.perf_counter() - start
    print(seconds, "numba" in sys.modules)
""")


def load_data():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0,
                                              stratify=y)
    scaler = StandardScaler().fit(X_tr)
    batch = scaler.transform(X[:1000])
    return scaler.transform(X_tr), y_tr, scaler.transform(X_te), y_te, batch


def cold_start(path, x, repeats, pycache):
    """Best in-process seconds of import + load + first predict in a fresh
    process with an empty Numba cache, and whether it imported Numba (one
    untimed run first writes the bytecode to ``pycache``)."""
    best, numba = np.inf, False
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "cold.py")
        with open(script, "w") as handle:
            handle.write(_COLD)
        sample = os.path.join(tmp, "x.npy")
        np.save(sample, x)
        for attempt in range(repeats + 1):
            cache = tempfile.mkdtemp(dir=tmp)
            env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPYCACHEPREFIX=pycache,
                       PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            run = subprocess.run([sys.executable, script, path, sample], env=env,
                                 capture_output=True, text=True, timeout=600)
            if run.returncode != 0:
                raise RuntimeError(run.stderr)
            seconds, imported = run.stdout.split()
            numba = numba or imported == "True"
            if attempt:
                best = min(best, float(seconds))
    return best, numba


def timed(call, number, repeats):
    return min(timeit.repeat(call, number=number, repeat=repeats)) / number


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 epochs, fewer repeats")
    args = parser.parse_args(argv)
    epochs = 60 if args.quick else 200
    n_one, n_batch, repeats, cold_repeats = ((300, 20, 3, 1) if args.quick
                                             else (2000, 200, 5, 3))
    try:
        import onnxruntime
        import skl2onnx
        modules = (np, sklearn, skl2onnx, onnxruntime)
    except ImportError:
        onnxruntime = None
        modules = (np, sklearn)
    print("Machine:", _machine(*modules))
    X_tr, y_tr, X_te, y_te, batch = load_data()
    print(f"Data: digits, {X_tr.shape[0]} train / {X_te.shape[0]} test samples, network "
          f"64-32-10 relu, {epochs} epochs; timing: best of {repeats} repeats of the mean "
          f"over {n_one} calls (1 sample) and {n_batch} calls (1,000 samples)\n")

    def ours(**kwargs):
        return DenseMLPClassifier((32,), max_iter=epochs, random_state=0, **kwargs)

    dense = ours().fit(X_tr, y_tr)
    pruned = ours(pruning=ChaosCausalPruning()).fit(X_tr, y_tr)
    units = ours(pruning=ChaosCausalPruning(), prune_units=0.25).fit(X_tr, y_tr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        own = MLPClassifier((32,), max_iter=epochs, random_state=0).fit(X_tr, y_tr)
    models = [
        ("dense", dense),
        ("pruned (chaos-causal)", pruned),
        ("pruned, compact()", pruned.compact()),
        ("units=0.25, as fitted", units),
        ("units=0.25, compact()", units.compact()),
        ("sklearn export of pruned", pruned.to_sklearn()),
        ("sklearn's own MLPClassifier", own),
    ]
    print(f"pruned: sparsity {pruned.sparsity_:.3f}; units=0.25: sparsity "
          f"{units.sparsity_:.3f}, removed units {units.pruned_units_[0].tolist()}\n")

    rows = []
    one, thousand = X_te[:1], batch
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        entries = []
        for name, model in models:
            path = os.path.join(tmp, f"{len(entries)}.pkl")
            with open(path, "wb") as handle:
                pickle.dump(model, handle)
            entries.append((name, model, path, os.path.getsize(path)))
        if onnxruntime is not None:
            for name, model in (("ONNX of pruned, compact()", models[2][1]),
                                ("ONNX of units=0.25, compact()", models[4][1])):
                onx = model.to_onnx()
                path = os.path.join(tmp, f"{len(entries)}.onnx")
                with open(path, "wb") as handle:
                    handle.write(onx.SerializeToString())
                entries.append((name, model, path, os.path.getsize(path)))
        for name, model, path, size in entries:
            hidden = model.coefs_[0].shape[1]
            nonzero = sum(int(np.count_nonzero(c)) for c in model.coefs_)
            if path.endswith(".onnx"):
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = options.inter_op_num_threads = 1
                session = onnxruntime.InferenceSession(path, options,
                                                       providers=["CPUExecutionProvider"])
                one32, thousand32 = one.astype(np.float32), thousand.astype(np.float32)
                labels = session.run(None, {"X": X_te.astype(np.float32)})[0]
                accuracy = float(np.mean(labels == y_te))
                t_one = timed(lambda: session.run(None, {"X": one32}), n_one, repeats)
                t_batch = timed(lambda: session.run(None, {"X": thousand32}), n_batch,
                                repeats)
            else:
                accuracy = float(np.mean(model.predict(X_te) == y_te))
                t_one = timed(lambda: model.predict(one), n_one, repeats)
                t_batch = timed(lambda: model.predict(thousand), n_batch, repeats)
            cold, numba = cold_start(path, one, cold_repeats, os.path.join(tmp, "pycache"))
            rows.append((name, hidden, nonzero, accuracy, size, t_one * 1e6, t_batch * 1e3,
                         cold, numba))

    print("| model | hidden units | non-zero weights | test accuracy | bytes | "
          "1 sample us | 1,000 samples ms | cold start s | numba imported |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, hidden, nonzero, accuracy, size, t_one, t_batch, cold, numba in rows:
        print(f"| {name} | {hidden} | {nonzero:,} | {accuracy:.4f} | {size:,} | "
              f"{t_one:.1f} | {t_batch:.3f} | {cold:.2f} | {'yes' if numba else 'no'} |")
    if onnxruntime is None:
        print("\n(ONNX rows skipped: pip install 'skchaosprune[onnx]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
