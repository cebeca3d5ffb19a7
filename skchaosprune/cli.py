"""Command line: ``skchaosprune demo`` (also ``python -m skchaosprune``)."""

import argparse
import sys
import time

_DATASETS = ("digits", "iris", "wine", "breast_cancer")


def _load(name):
    from sklearn import datasets

    return getattr(datasets, f"load_{name}")(return_X_y=True)


def _demo(args):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from . import DenseMLPClassifier

    X, y = _load(args.dataset)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=args.seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    clf = DenseMLPClassifier(
        hidden_layer_sizes=(args.hidden,), activation="sigmoid", batch_size=1,
        learning_rate_init=args.lr, max_iter=args.epochs, random_state=args.seed,
    )
    start = time.perf_counter()
    clf.fit(scaler.transform(X_train), y_train)
    seconds = time.perf_counter() - start
    accuracy = clf.score(scaler.transform(X_test), y_test)
    sizes = "-".join(str(s) for s in [X.shape[1], args.hidden, len(clf.classes_)])
    print(f"dataset {args.dataset}: dense {sizes} MLP, one-sample SGD, "
          f"{args.epochs} epochs in {seconds:.2f} s")
    print(f"test accuracy {accuracy:.4f}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skchaosprune",
        description="Chaos-causality pruning of dense neural networks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train a dense MLP on a scikit-learn dataset")
    demo.add_argument("--dataset", choices=_DATASETS, default="digits")
    demo.add_argument("--hidden", type=int, default=50, help="hidden units")
    demo.add_argument("--epochs", type=int, default=10)
    demo.add_argument("--lr", type=float, default=0.05, help="learning rate")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
