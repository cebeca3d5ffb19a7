"""The paper's datasets and networks (docs/method.md section 9).

:data:`PAPER_SETTINGS` holds, per dataset, the network and training
settings of the paper's experiments; :func:`load_paper_dataset` loads a
dataset as the paper's reference code split it (80/20, seed 42) and
standardises it; :func:`paper_estimator` builds the matching
:class:`~skchaosprune.DenseMLPClassifier`.  The command line's data come
from here too: :func:`load_sklearn_dataset` and :func:`load_csv_dataset`
split and standardise scikit-learn's bundled data sets and CSV files, and
:func:`demo_estimator` and :func:`demo_data` give them the demo's network.

The data files (``binary_banknote.csv``, ``binary_cancer.csv``,
``Iris.csv``, ``titanic_train.csv``, ``titanic_test.csv``,
``titanic_testy.csv``, ``vowel.csv``) are not shipped with the package: pass
the folder that holds them as ``data_dir`` (``--data-dir`` on the command
line), or set the environment variable ``SKCHAOSPRUNE_DATA_DIR``.  The
``'digits'`` entry (sklearn's bundled 8x8 digits, the offline stand-in for
MNIST) needs no file; it keeps the paper's MNIST settings (50 hidden units,
lr 0.5, 50 epochs, window 200, benchmark 0.92) but trains one sample per
update instead of MNIST's batches of 128, because 50 epochs of batches of
128 on digits are only 550 updates, fewer than the 7,939 that window 200
and maxlag 14 need for the Granger tests.
"""

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

__all__ = [
    "DEMO_NETWORK",
    "PAPER_SETTINGS",
    "PaperDataset",
    "PaperSettings",
    "REGRESSION_DATASETS",
    "SKLEARN_DATASETS",
    "demo_data",
    "demo_estimator",
    "load_csv_dataset",
    "load_paper_dataset",
    "load_regression_dataset",
    "load_sklearn_dataset",
    "paper_estimator",
    "paper_pruning",
    "regression_data",
]

DATA_DIR_ENV = "SKCHAOSPRUNE_DATA_DIR"


@dataclass(frozen=True)
class PaperSettings:
    """One dataset's settings in the paper's experiments.

    Attributes
    ----------
    name : str
        Key in :data:`PAPER_SETTINGS`.
    files : tuple of str
        Data files read from ``data_dir`` (empty for 'digits').
    hidden_units : int
        Units of the single sigmoid hidden layer.
    learning_rate : float
        Constant SGD step size.
    epochs : int
        Training epochs (the estimator's ``max_iter``; the retraining after
        pruning runs as many).
    window : int
        Updates per Lyapunov window.
    benchmark : float
        Training accuracy whose first reaching is counted in epochs.
    batch_size : int
        Samples per SGD update: 1 everywhere, as in the paper's small
        datasets, and also for 'digits' (the paper's MNIST used 128; see
        the module's description).
    net : str
        The network as the paper writes it, e.g. ``'4-8-1'`` (one sigmoid
        output for two classes, one per class otherwise).
    """

    name: str
    files: tuple
    hidden_units: int
    learning_rate: float
    epochs: int
    window: int
    benchmark: float
    batch_size: int
    net: str


def _settings(name, files, hidden, lr, epochs, window, benchmark, net, batch_size=1):
    return PaperSettings(name=name, files=tuple(files), hidden_units=hidden,
                         learning_rate=lr, epochs=epochs, window=window,
                         benchmark=benchmark, batch_size=batch_size, net=net)


_TITANIC_FILES = ("titanic_train.csv", "titanic_test.csv", "titanic_testy.csv")

#: name -> :class:`PaperSettings`, the table of docs/method.md section 9.
#:
#: 'digits' adapts the paper's MNIST row (784-50-10, lr 0.5, 50 epochs,
#: window 200, benchmark 0.92) to sklearn's 8x8 digits: 64-50-10 with the
#: same lr, epochs, window and benchmark, but one sample per update instead
#: of MNIST's batches of 128.  With batches of 128, digits' 1,293 fitting
#: samples give 11 updates per epoch, 550 in 50 epochs, while window 200
#: with maxlag 14 needs at least 7,939 updates (44 windows) for the Granger
#: tests; with one sample per update, 50 epochs give 64,650 updates (359
#: windows), about MNIST's number of windows at batch 128.
PAPER_SETTINGS = MappingProxyType({
    "banknote": _settings("banknote", ["binary_banknote.csv"], 8, 0.5, 100, 250, 0.91, "4-8-1"),
    "breast_cancer": _settings("breast_cancer", ["binary_cancer.csv"], 6, 0.01, 50, 200, 0.90,
                               "9-6-1"),
    "iris": _settings("iris", ["Iris.csv"], 6, 0.05, 200, 160, 0.95, "4-6-3"),
    "iris3": _settings("iris3", ["Iris.csv"], 6, 0.05, 200, 160, 0.95, "3-6-3"),
    "titanic": _settings("titanic", _TITANIC_FILES, 8, 0.1, 50, 250, 0.74, "6-8-1"),
    "vowel": _settings("vowel", ["vowel.csv"], 4, 0.5, 50, 200, 0.80, "3-4-6"),
    "digits": _settings("digits", [], 50, 0.5, 50, 200, 0.92, "64-50-10"),
})

# Datasets whose reference code scaled each sample across its own features.
_PER_SAMPLE_REFERENCE = ("banknote", "breast_cancer", "titanic")

_BANKNOTE_FEATURES = ["variance", "skewness", "curtosis", "entropy"]
_CANCER_FEATURES = [
    "clump_thickness", "uniformity_of_cell_size", "uniformity_of_cell_shape",
    "marginal_adhesion", "single_epithelial_cell_size", "bare_nuclei",
    "bland_chromatin", "normal_nucleoli", "mitoses",
]
_IRIS_FEATURES = ["SepalLengthCm", "SepalWidthCm", "PetalLengthCm", "PetalWidthCm"]
_IRIS3_FEATURES = ["SepalLengthCm", "PetalLengthCm", "PetalWidthCm"]
_TITANIC_FEATURES = ["Pclass", "Sex", "SibSp", "Parch", "Fare", "Embarked"]
_VOWEL_FEATURES = ["F1", "F2", "F3"]
_SEX = {"male": 1.0, "female": 0.0}
_EMBARKED = {"S": 0.0, "C": 1.0, "Q": 2.0}


class PaperDataset(NamedTuple):
    """A loaded paper dataset: the split, scaled, with its settings.

    Attributes
    ----------
    X_train, X_test : ndarray of shape (n_samples, n_features)
        Features, scaled as ``load_paper_dataset``'s ``scaling`` says.
    y_train, y_test : ndarray of shape (n_samples,)
        Labels as in the file (0/1; iris: species names; vowel: 1..6).
    feature_names : list of str
        Names of the feature columns, in order.
    settings : PaperSettings
        The paper's settings for this dataset.
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: list
    settings: PaperSettings


def _check_name(name):
    if name not in PAPER_SETTINGS:
        raise ValueError(
            f"Unknown paper dataset {name!r}; choose one of {sorted(PAPER_SETTINGS)}."
        )
    return PAPER_SETTINGS[name]


def _resolve_dir(data_dir):
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV, "data")
    return Path(data_dir)


def _path(data_dir, filename, name):
    path = data_dir / filename
    if not path.is_file():
        raise FileNotFoundError(
            f"The {name!r} dataset needs the file {filename!r}, expected at {path}, "
            "which does not exist. Pass the folder holding the paper's data files "
            f"as data_dir (on the command line: --data-dir DIR), or set "
            f"{DATA_DIR_ENV}."
        )
    return path


def _read_table(path):
    """Header and rows (lists of str) of a CSV file with a header line."""
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [row for row in reader if row]
    return header, rows


def _columns(path, wanted):
    header, rows = _read_table(path)
    missing = [c for c in wanted if c not in header]
    if missing:
        raise ValueError(f"{path} has no column(s) {missing}; its columns are {header}.")
    index = [header.index(c) for c in wanted]
    return {c: [row[i] for row in rows] for c, i in zip(wanted, index)}


def _load_numeric(path, n_features):
    """Headerless numeric CSV, label (0/1) in the last column."""
    data = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    if data.shape[1] != n_features + 1:
        raise ValueError(
            f"{path} has {data.shape[1]} columns; expected {n_features} features "
            "and the label."
        )
    return data[:, :-1], data[:, -1].astype(np.int64)


def _split(X, y, random_state):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.2, random_state=random_state)


def _load_titanic(data_dir):
    """Titanic as docs/method.md section 9 says, the test labels joined by id.

    Embarked: missing -> the training mode; Fare: missing -> the training
    median (only one test passenger lacks a fare).
    """
    train_path, test_path, testy_path = (_path(data_dir, f, "titanic") for f in _TITANIC_FILES)
    wanted = ["PassengerId", *_TITANIC_FEATURES]
    train = _columns(train_path, [*wanted, "Survived"])
    test = _columns(test_path, wanted)
    testy = _columns(testy_path, ["PassengerId", "Survived"])

    embarked = [e for e in train["Embarked"] if e != ""]
    values, counts = np.unique(embarked, return_counts=True)
    embarked_mode = str(values[np.argmax(counts)])
    fares = np.array([float(f) for f in train["Fare"] if f != ""])
    fare_median = float(np.median(fares))

    def encode(table):
        n = len(table["PassengerId"])
        X = np.empty((n, len(_TITANIC_FEATURES)))
        for i in range(n):
            sex, emb, fare = table["Sex"][i], table["Embarked"][i], table["Fare"][i]
            if sex not in _SEX:
                raise ValueError(f"Unknown Sex value {sex!r} in titanic row {i}.")
            emb = emb if emb != "" else embarked_mode
            if emb not in _EMBARKED:
                raise ValueError(f"Unknown Embarked value {emb!r} in titanic row {i}.")
            X[i] = (float(table["Pclass"][i]), _SEX[sex], float(table["SibSp"][i]),
                    float(table["Parch"][i]), fare_median if fare == "" else float(fare),
                    _EMBARKED[emb])
        return X

    X_train, X_test = encode(train), encode(test)
    y_train = np.array([int(v) for v in train["Survived"]])
    labels = dict(zip(testy["PassengerId"], testy["Survived"]))
    missing = [pid for pid in test["PassengerId"] if pid not in labels]
    if missing:
        raise ValueError(
            f"{testy_path} has no label for {len(missing)} test passenger(s), "
            f"e.g. PassengerId {missing[0]}."
        )
    y_test = np.array([int(labels[pid]) for pid in test["PassengerId"]])
    return X_train, X_test, y_train, y_test


def _load_raw(name, data_dir, random_state):
    """Unscaled split and feature names."""
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        X_tr, X_te, y_tr, y_te = _split(bunch.data.astype(np.float64), bunch.target,
                                        random_state)
        return X_tr, X_te, y_tr, y_te, list(bunch.feature_names)
    data_dir = _resolve_dir(data_dir)
    if name == "titanic":
        return (*_load_titanic(data_dir), list(_TITANIC_FEATURES))
    if name in ("banknote", "breast_cancer"):
        settings = PAPER_SETTINGS[name]
        features = _BANKNOTE_FEATURES if name == "banknote" else _CANCER_FEATURES
        X, y = _load_numeric(_path(data_dir, settings.files[0], name), len(features))
        return (*_split(X, y, random_state), list(features))
    if name in ("iris", "iris3"):
        features = _IRIS_FEATURES if name == "iris" else _IRIS3_FEATURES
        table = _columns(_path(data_dir, "Iris.csv", name), [*features, "Species"])
        label = "Species"
    else:  # vowel
        features = _VOWEL_FEATURES
        table = _columns(_path(data_dir, "vowel.csv", name), [*features, "Y"])
        label = "Y"
    X = np.array([[float(v) for v in table[c]] for c in features]).T
    y = np.array(table[label])
    if name == "vowel":
        y = y.astype(np.int64)
    return (*_split(X, y, random_state), list(features))


def _per_sample(X):
    """Each row standardised across its own features (the reference code's
    StandardScaler fitted on the transposed matrix)."""
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(X.T).T


def load_paper_dataset(name, data_dir=None, *, scaling="per_feature", random_state=42):
    """Load one of the paper's datasets, split and standardised.

    Parameters
    ----------
    name : str
        A key of :data:`PAPER_SETTINGS`: 'banknote', 'breast_cancer',
        'iris', 'iris3', 'titanic', 'vowel' or 'digits'.
    data_dir : str or path-like, default=None
        Folder holding the paper's data files.  None: the environment
        variable ``SKCHAOSPRUNE_DATA_DIR``, else ``./data``.  Not used for
        'digits' (sklearn's bundled data).
    scaling : {'per_feature', 'reference', None}, default='per_feature'
        'per_feature': each feature standardised with the training split's
        mean and standard deviation (sklearn's ``StandardScaler`` fitted on
        ``X_train``).  'reference': **the reference code's scaling**, for
        'banknote', 'breast_cancer' and 'titanic' only: each sample
        standardised across its own features (a ``StandardScaler`` fitted
        on the transposed matrix, the test set with its own statistics);
        this is where the paper's banknote accuracy of about 0.85-0.90 comes
        from.  None: the raw features.
    random_state : int, default=42
        Seed of the 80/20 train/test split (42 in the reference code;
        unused for 'titanic', which has its own test file).

    Returns
    -------
    dataset : PaperDataset
        Named tuple ``(X_train, X_test, y_train, y_test, feature_names,
        settings)``.

    Raises
    ------
    ValueError
        For an unknown ``name`` or ``scaling``, or 'reference' scaling of a
        dataset the reference code scaled per feature.
    FileNotFoundError
        When a data file is missing (the message names it and the
        ``--data-dir`` to pass).

    Notes
    -----
    Column handling follows docs/method.md section 9.  banknote and
    breast_cancer: headerless files, label (0/1) in the last column.  iris:
    label ``Species``; 'iris3' keeps SepalLengthCm, PetalLengthCm,
    PetalWidthCm.  titanic: features Pclass, Sex (male 1, female 0), SibSp,
    Parch, Fare, Embarked (S 0, C 1, Q 2); a missing Embarked becomes the
    training mode ('S'), a missing Fare (one test passenger) the training
    median; the test labels come from ``titanic_testy.csv``, matched by
    PassengerId.  vowel: features F1, F2, F3, label Y (1 to 6).  The split
    is ``train_test_split(test_size=0.2, random_state=42)``, not
    stratified, as in the reference code.

    Examples
    --------
    >>> from skchaosprune.datasets import load_paper_dataset
    >>> data = load_paper_dataset("digits")
    >>> data.X_train.shape, data.X_test.shape
    ((1437, 64), (360, 64))
    >>> data.settings.net, data.settings.benchmark
    ('64-50-10', 0.92)
    >>> bool(abs(data.X_train.mean(axis=0)).max() < 1e-12)
    True
    """
    settings = _check_name(name)
    if scaling not in ("per_feature", "reference", None):
        raise ValueError(
            f"scaling must be 'per_feature', 'reference' or None; got {scaling!r}."
        )
    if scaling == "reference" and name not in _PER_SAMPLE_REFERENCE:
        raise ValueError(
            f"scaling='reference' reproduces the reference code's per-sample "
            f"scaling, which it used only for {list(_PER_SAMPLE_REFERENCE)}; the "
            f"reference code scaled {name!r} per feature: use scaling='per_feature'."
        )
    X_tr, X_te, y_tr, y_te, features = _load_raw(name, data_dir, random_state)
    if scaling == "per_feature":
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(X_tr)
        X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    elif scaling == "reference":
        X_tr, X_te = _per_sample(X_tr), _per_sample(X_te)
    return PaperDataset(np.ascontiguousarray(X_tr), np.ascontiguousarray(X_te),
                        np.asarray(y_tr), np.asarray(y_te), features, settings)


def paper_pruning(name, **params):
    """The paper's chaos-causal settings for one dataset.

    :class:`~skchaosprune.ChaosCausalPruning` with the dataset's Lyapunov
    ``window``, 10 % overlap, ``maxlag=14``, ``alpha=0.05`` and the paper's
    risk, the validation misclassification rate (``risk='error'``).

    Parameters
    ----------
    name : str
        A key of :data:`PAPER_SETTINGS`.
    **params : dict
        Any other :class:`~skchaosprune.ChaosCausalPruning` parameter; these
        win over the paper's (e.g. ``risk='loss'``, ``mode='partial'``).

    Returns
    -------
    strategy : ChaosCausalPruning

    Examples
    --------
    >>> from skchaosprune.datasets import paper_pruning
    >>> s = paper_pruning("banknote")
    >>> s.window, s.maxlag, s.risk
    (250, 14, 'error')
    >>> paper_pruning("iris", risk="loss").risk
    'loss'
    """
    from .pruning import ChaosCausalPruning

    settings = _check_name(name)
    defaults = dict(window=settings.window, overlap=0.1, maxlag=14, risk="error")
    valid = ChaosCausalPruning().get_params()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(
            f"Unknown ChaosCausalPruning parameter(s) {unknown}; valid ones: {sorted(valid)}.")
    return ChaosCausalPruning(**{**defaults, **params})


def paper_estimator(name, *, pruning=None, random_state=0, **overrides):
    """The paper's network and training settings for one dataset.

    One sigmoid hidden layer of ``hidden_units``, sigmoid outputs trained on
    one-hot targets with ``loss='squared_error'``, plain one-sample SGD
    (``solver='sgd'``, ``momentum=0``, ``alpha=0``, ``batch_size`` of the
    settings), normal initial weights with standard deviation 0.1, the
    dataset's learning rate, exactly ``max_iter`` = its epochs
    (``n_iter_no_change=np.inf``: no convergence test) and the training
    accuracy recorded every epoch.  (The estimators' own defaults are
    scikit-learn's: adam, mini-batches, L2 and the convergence test.)

    Parameters
    ----------
    name : str
        A key of :data:`PAPER_SETTINGS`.
    pruning : {None, 'chaos_causal'} or strategy, default=None
        None: a dense network; 'chaos_causal': :func:`paper_pruning` of the
        dataset (its window, maxlag 14, ``risk='error'``); or any strategy.
    random_state : int, RandomState instance or None, default=0
        Passed to the estimator.
    **overrides : dict
        Any other :class:`~skchaosprune.DenseMLPClassifier` parameter; these
        win over the paper's settings (e.g. ``max_iter=5`` for a quick run).

    Returns
    -------
    estimator : DenseMLPClassifier
        Unfitted.

    Examples
    --------
    >>> from skchaosprune.datasets import load_paper_dataset, paper_estimator
    >>> clf = paper_estimator("digits", max_iter=3)
    >>> clf.hidden_layer_sizes, clf.learning_rate_init, clf.batch_size
    ((50,), 0.5, 1)
    >>> paper_estimator("digits", pruning="chaos_causal").pruning.window
    200
    >>> data = load_paper_dataset("digits")
    >>> clf.fit(data.X_train, data.y_train).score(data.X_test, data.y_test) > 0.8
    True
    """
    from ._mlp import DenseMLPClassifier

    settings = _check_name(name)
    if isinstance(pruning, str) and pruning == "chaos_causal":
        pruning = paper_pruning(name)
    params = dict(
        hidden_layer_sizes=(settings.hidden_units,), activation="sigmoid",
        loss="squared_error", solver="sgd", momentum=0.0, alpha=0.0,
        learning_rate_init=settings.learning_rate, n_iter_no_change=np.inf,
        batch_size=settings.batch_size, max_iter=settings.epochs, init_std=0.1,
        record_train_score=True, pruning=pruning, random_state=random_state,
    )
    valid = DenseMLPClassifier().get_params()
    unknown = sorted(set(overrides) - set(valid))
    if unknown:
        raise ValueError(
            f"Unknown DenseMLPClassifier parameter(s) {unknown}; valid ones: "
            f"{sorted(valid)} (the window, maxlag and thresholds are parameters of "
            "the pruning strategy: see paper_pruning)."
        )
    params.update(overrides)
    return DenseMLPClassifier(**params)


# ---------------------------------------------------------------------------
# scikit-learn data, CSV files and the demo's network
# ---------------------------------------------------------------------------

#: scikit-learn data sets the demo and the study load by name
#: (``sklearn.datasets.load_<name>``).
SKLEARN_DATASETS = ("digits", "iris", "wine", "breast_cancer")

#: The demo's network (``skchaosprune demo``'s defaults): hidden units,
#: epochs, learning rate and samples per update of :func:`demo_estimator`.
DEMO_NETWORK = {"hidden": 32, "epochs": 20, "lr": 0.1, "batch_size": 1}


def _split_scale(X, y, random_state):
    """80/20 stratified split, features standardised on the training part."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=random_state, stratify=y)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def load_sklearn_dataset(name, random_state=42):
    """A data set that ships with scikit-learn, split and standardised.

    The split is 80/20, stratified by class, with ``random_state``; the
    features are standardised with the training part's mean and standard
    deviation.  ``skchaosprune demo --dataset NAME`` runs on it (split with
    its ``--seed``), and :func:`skchaosprune.experiments.sklearn_study_data`
    (split with the fixed seed 42).

    Parameters
    ----------
    name : {'digits', 'iris', 'wine', 'breast_cancer'}
        The scikit-learn loader (``sklearn.datasets.load_<name>``), one of
        :data:`SKLEARN_DATASETS`.
    random_state : int, default=42
        Seed of the train/test split.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray

    Examples
    --------
    >>> from skchaosprune.datasets import load_sklearn_dataset
    >>> X_train, X_test, y_train, y_test = load_sklearn_dataset("wine")
    >>> X_train.shape, X_test.shape
    ((142, 13), (36, 13))
    """
    from sklearn import datasets

    if name not in SKLEARN_DATASETS:
        raise ValueError(f"Unknown scikit-learn data set {name!r}; choose one of "
                         f"{list(SKLEARN_DATASETS)}.")
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return _split_scale(X, y, random_state)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_csv_dataset(path, target, random_state=42):
    """A CSV file of numeric features and a label column, split and standardised.

    The file has a header line; ``target`` names the label column (class
    labels: integers or strings), every other column is a numeric feature.
    The rows are split 80/20, stratified by class, with ``random_state``,
    and the features standardised with the training part's statistics, as
    :func:`load_sklearn_dataset` does (``skchaosprune demo --csv FILE
    --target COLUMN`` and ``skchaosprune sweep --csv``).

    Parameters
    ----------
    path : str or path-like
    target : str
        The label column.
    random_state : int, default=42
        Seed of the train/test split.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Labels that are all integers (``'3'``, ``'3.0'``) as int64, other
        labels as strings.

    Raises
    ------
    ValueError
        When the file cannot be read or split, or holds no ``target``
        column, rows of another length than the header, missing values,
        non-numeric or non-finite features, a continuous target (a
        regression one) or a class with a single row; the message, in one
        line, says which and what to do.
    """
    try:
        with open(path, newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    if len(rows) < 2:
        raise ValueError(f"{path} needs a header line and data rows")
    header, body = rows[0], [r for r in rows[1:] if r]
    if target not in header:
        raise ValueError(f"{path} has no column {target!r}; its columns are {', '.join(header)}")
    if any(len(r) != len(header) for r in body):
        raise ValueError(f"{path}: every row must have {len(header)} fields, as the header")
    t = header.index(target)
    y = np.array([r[t] for r in body])
    if any(v.strip() == "" for v in y) or any(v.strip() == "" for r in body for v in r):
        raise ValueError(f"{path} has missing values: fill or drop them first")
    try:
        X = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    except ValueError:
        text = [c for i, c in enumerate(header) if i != t
                and not all(_is_number(r[i]) for r in body)]
        raise ValueError(f"non-numeric feature columns {text} in {path}: encode them "
                         "as numbers first (or drop them)") from None
    if not np.isfinite(X).all():
        raise ValueError(f"{path} has infinite or NaN feature values")
    labels = y
    try:
        labels = y.astype(np.float64)
        if np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
    except ValueError:
        pass  # string labels
    if labels.dtype == np.float64:
        raise ValueError(
            f"the target column {target!r} of {path} holds continuous values (a regression "
            "target, e.g. " + ", ".join(f"{v:g}" for v in labels[:3]) + "): demo and sweep "
            "compare classifiers by test accuracy; give a column of class labels (or bin "
            "this one into classes first)")
    values, counts = np.unique(labels, return_counts=True)
    rare = [str(v) for v in values[counts < 2]]
    if rare:
        shown = ", ".join(rare[:5]) + (", ..." if len(rare) > 5 else "")
        raise ValueError(
            f"{path}: {len(rare)} of the {values.size} classes of {target!r} have a single "
            f"row ({shown}), and the stratified 80/20 split needs two of each: drop those "
            "rows or merge those classes")
    try:
        return _split_scale(X, labels, random_state)
    except ValueError as exc:
        raise ValueError(f"cannot split {path} for training and testing: {exc}") from None


def demo_estimator(*, hidden=DEMO_NETWORK["hidden"], epochs=DEMO_NETWORK["epochs"],
                   lr=DEMO_NETWORK["lr"], batch_size=DEMO_NETWORK["batch_size"],
                   random_state=0):
    """The network of ``skchaosprune demo`` (and of the study on
    scikit-learn and CSV data).

    :func:`paper_estimator`'s training (sigmoid units, squared error, plain
    SGD without momentum or L2, normal initial weights of sd 0.1, exactly
    ``epochs`` epochs, the training accuracy recorded every epoch) with one
    hidden layer of ``hidden`` units; the defaults are
    :data:`DEMO_NETWORK`.

    Parameters
    ----------
    hidden : int, default=32
        Units of the hidden layer (the demo's ``--hidden``).
    epochs : int, default=20
        ``max_iter`` (``--epochs``).
    lr : float, default=0.1
        ``learning_rate_init`` (``--lr``).
    batch_size : int, default=1
        Samples per update (``--batch-size``).
    random_state : int, default=0
        The estimator's seed (``--seed``).

    Returns
    -------
    estimator : DenseMLPClassifier
        Unfitted, without a pruning strategy.

    Examples
    --------
    >>> from skchaosprune.datasets import demo_estimator
    >>> est = demo_estimator(hidden=8)
    >>> est.hidden_layer_sizes, est.max_iter, est.learning_rate_init, est.batch_size
    ((8,), 20, 0.1, 1)
    """
    return paper_estimator(
        "digits", hidden_layer_sizes=(hidden,), learning_rate_init=lr, max_iter=epochs,
        batch_size=batch_size, random_state=random_state)


def demo_data(name, X_train, X_test, y_train, y_test, *, hidden=DEMO_NETWORK["hidden"],
              epochs=DEMO_NETWORK["epochs"], lr=DEMO_NETWORK["lr"],
              batch_size=DEMO_NETWORK["batch_size"], window="auto", maxlag="auto"):
    """Split data with the demo's network, as
    :func:`skchaosprune.experiments.sweep` takes a data set.

    Parameters
    ----------
    name : str
        The data set's name in the study's tables.
    X_train, X_test, y_train, y_test : array-like
        The split (e.g. from :func:`load_sklearn_dataset` or
        :func:`load_csv_dataset`).
    hidden, epochs, lr, batch_size : int, int, float, int
        The network (:func:`demo_estimator`).
    window, maxlag : int or 'auto', default='auto'
        Of the :class:`~skchaosprune.ChaosCausalPruning` strategy.

    Returns
    -------
    data : dict
        Keys 'name', 'X_train', 'X_test', 'y_train', 'y_test', 'estimator'
        (:func:`demo_estimator`, unfitted), 'pruning' and 'network' (a
        description, e.g. ``'13-32-3 sigmoid, lr 0.1, 20 epochs, batch
        1'``).

    Examples
    --------
    >>> from skchaosprune.datasets import demo_data, load_sklearn_dataset
    >>> data = demo_data("wine", *load_sklearn_dataset("wine"), hidden=16)
    >>> data["network"], data["pruning"].window
    ('13-16-3 sigmoid, lr 0.1, 20 epochs, batch 1', 'auto')
    """
    from .pruning import ChaosCausalPruning

    estimator = demo_estimator(hidden=hidden, epochs=epochs, lr=lr, batch_size=batch_size)
    n_classes = len(np.unique(y_train))
    net = (f"{np.shape(X_train)[1]}-{hidden}-{1 if n_classes == 2 else n_classes} sigmoid, "
           f"lr {lr}, {epochs} epochs, batch {batch_size}")
    return {"name": name, "X_train": X_train, "X_test": X_test, "y_train": y_train,
            "y_test": y_test, "estimator": estimator,
            "pruning": ChaosCausalPruning(window=window, maxlag=maxlag), "network": net}


# ---------------------------------------------------------------------------
# Regression tables for the study
# ---------------------------------------------------------------------------

#: Regression data sets the study loads by name: scikit-learn's diabetes
#: table (442 x 10) and Friedman's first generator
#: (``sklearn.datasets.make_friedman1``, 500 x 10, noise 1, seed 0).
REGRESSION_DATASETS = ("diabetes", "friedman1")

#: The regression network of the study's 'paper' regime: the demo's
#: (one sigmoid hidden layer, plain one-sample SGD) with a smaller learning
#: rate, for a linear output trained on standardised targets.
REGRESSION_NETWORK = {"hidden": 32, "epochs": 20, "lr": 0.01, "batch_size": 1}


def load_regression_dataset(name, random_state=42):
    """A regression table, split 80/20 and standardised (features and target).

    The split is 80/20 with ``random_state`` (not stratified); the features
    and the target are standardised with the training part's mean and
    standard deviation (R^2 does not change under that affine map of the
    target).

    Parameters
    ----------
    name : {'diabetes', 'friedman1'}
        ``sklearn.datasets.load_diabetes`` or ``make_friedman1(n_samples=500,
        noise=1.0, random_state=0)``; one of :data:`REGRESSION_DATASETS`.
    random_state : int, default=42
        Seed of the train/test split.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray

    Examples
    --------
    >>> from skchaosprune.datasets import load_regression_dataset
    >>> X_train, X_test, y_train, y_test = load_regression_dataset("diabetes")
    >>> X_train.shape, X_test.shape, round(float(y_train.std()), 6)
    ((353, 10), (89, 10), 1.0)
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    if name == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
    elif name == "friedman1":
        X, y = datasets.make_friedman1(n_samples=500, noise=1.0, random_state=0)
    else:
        raise ValueError(f"Unknown regression data set {name!r}; choose one of "
                         f"{list(REGRESSION_DATASETS)}.")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
                                                        random_state=random_state)
    scaler = StandardScaler().fit(X_train)
    mean, sd = float(np.mean(y_train)), float(np.std(y_train))
    return (scaler.transform(X_train), scaler.transform(X_test), (y_train - mean) / sd,
            (y_test - mean) / sd)


def regression_data(name, *, hidden=REGRESSION_NETWORK["hidden"],
                    epochs=REGRESSION_NETWORK["epochs"], lr=REGRESSION_NETWORK["lr"],
                    batch_size=REGRESSION_NETWORK["batch_size"], window="auto",
                    maxlag="auto", random_state=42):
    """A regression table with the study's regression network, as
    :func:`skchaosprune.experiments.sweep` takes a data set.

    The network is :func:`demo_estimator`'s training (sigmoid hidden units,
    plain SGD without momentum or L2, normal initial weights of sd 0.1,
    exactly ``epochs`` epochs) as a :class:`~skchaosprune.DenseMLPRegressor`
    with an identity output and squared error; the data are
    :func:`load_regression_dataset`'s.

    Parameters
    ----------
    name : {'diabetes', 'friedman1'}
        One of :data:`REGRESSION_DATASETS`; the study names it
        ``'sklearn_' + name``.
    hidden, epochs, lr, batch_size : int, int, float, int
        The network (defaults: :data:`REGRESSION_NETWORK`).
    window, maxlag : int or 'auto', default='auto'
        Of the :class:`~skchaosprune.ChaosCausalPruning` strategy.
    random_state : int, default=42
        Seed of the train/test split.

    Returns
    -------
    data : dict
        Keys 'name', 'X_train', 'X_test', 'y_train', 'y_test', 'estimator'
        (unfitted), 'pruning' and 'network' (a description).

    Examples
    --------
    >>> from skchaosprune.datasets import regression_data
    >>> data = regression_data("diabetes")
    >>> data["name"], data["network"]
    ('sklearn_diabetes', '10-32-1 sigmoid, identity output, lr 0.01, 20 epochs, batch 1')
    """
    from ._mlp import DenseMLPRegressor
    from .pruning import ChaosCausalPruning

    X_train, X_test, y_train, y_test = load_regression_dataset(name, random_state)
    estimator = DenseMLPRegressor(
        hidden_layer_sizes=(hidden,), activation="sigmoid", loss="squared_error",
        solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=lr,
        n_iter_no_change=np.inf, batch_size=batch_size, max_iter=epochs, init_std=0.1,
        random_state=0)
    net = (f"{X_train.shape[1]}-{hidden}-1 sigmoid, identity output, lr {lr}, "
           f"{epochs} epochs, batch {batch_size}")
    return {"name": f"sklearn_{name}", "X_train": X_train, "X_test": X_test,
            "y_train": y_train, "y_test": y_test, "estimator": estimator,
            "pruning": ChaosCausalPruning(window=window, maxlag=maxlag), "network": net}
