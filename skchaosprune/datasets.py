"""The paper's datasets and networks (docs/method.md section 9).

:data:`PAPER_SETTINGS` holds, per dataset, the network and training
settings of the paper's experiments; :func:`load_paper_dataset` loads a
dataset as the paper's reference code split it (80/20, seed 42) and
standardises it; :func:`paper_estimator` builds the matching
:class:`~skchaosprune.DenseMLPClassifier`.

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
    "PAPER_SETTINGS",
    "PaperDataset",
    "PaperSettings",
    "load_paper_dataset",
    "paper_estimator",
    "paper_pruning",
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
