"""Loaders of the paper's datasets and the paper's estimator settings."""

import csv
import shutil

import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from skchaosprune import ChaosCausalPruning, DenseMLPClassifier, MagnitudePruning
from skchaosprune.datasets import (
    DEMO_NETWORK,
    PAPER_SETTINGS,
    SKLEARN_DATASETS,
    PaperSettings,
    demo_data,
    demo_estimator,
    load_csv_dataset,
    load_paper_dataset,
    load_sklearn_dataset,
    paper_estimator,
    paper_pruning,
)

# name: (train shape, test shape, label set)
SHAPES = {
    "banknote": ((1097, 4), (275, 4), {0, 1}),
    "breast_cancer": ((546, 9), (137, 9), {0, 1}),
    "iris": ((120, 4), (30, 4), {"Iris-setosa", "Iris-versicolor", "Iris-virginica"}),
    "iris3": ((120, 3), (30, 3), {"Iris-setosa", "Iris-versicolor", "Iris-virginica"}),
    "titanic": ((891, 6), (418, 6), {0, 1}),
    "vowel": ((696, 3), (175, 3), {1, 2, 3, 4, 5, 6}),
}


def test_settings_table_matches_the_paper():
    table = {name: (s.net, s.learning_rate, s.epochs, s.window, s.benchmark)
             for name, s in PAPER_SETTINGS.items()}
    assert table == {
        "banknote": ("4-8-1", 0.5, 100, 250, 0.91),
        "breast_cancer": ("9-6-1", 0.01, 50, 200, 0.90),
        "iris": ("4-6-3", 0.05, 200, 160, 0.95),
        "iris3": ("3-6-3", 0.05, 200, 160, 0.95),
        "titanic": ("6-8-1", 0.1, 50, 250, 0.74),
        "vowel": ("3-4-6", 0.5, 50, 200, 0.80),
        "digits": ("64-50-10", 0.5, 50, 200, 0.92),
    }
    for name, s in PAPER_SETTINGS.items():
        assert isinstance(s, PaperSettings) and s.name == name
        assert int(s.net.split("-")[1]) == s.hidden_units
        assert s.batch_size == 1
    with pytest.raises(TypeError):
        PAPER_SETTINGS["new"] = PAPER_SETTINGS["iris"]  # read-only


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes_labels_and_names(data_dir, name):
    train_shape, test_shape, labels = SHAPES[name]
    data = load_paper_dataset(name, data_dir)
    assert data.X_train.shape == train_shape
    assert data.X_test.shape == test_shape
    assert data.y_train.shape == (train_shape[0],)
    assert data.y_test.shape == (test_shape[0],)
    assert set(data.y_train.tolist()) == labels
    assert set(data.y_test.tolist()) <= labels
    assert len(data.feature_names) == train_shape[1]
    assert data.settings is PAPER_SETTINGS[name]
    assert np.isfinite(data.X_train).all() and np.isfinite(data.X_test).all()
    X_train, X_test, y_train, y_test, names, settings = data  # unpacks
    assert settings.name == name


def test_iris_columns(data_dir):
    assert load_paper_dataset("iris", data_dir).feature_names == [
        "SepalLengthCm", "SepalWidthCm", "PetalLengthCm", "PetalWidthCm"]
    assert load_paper_dataset("iris3", data_dir).feature_names == [
        "SepalLengthCm", "PetalLengthCm", "PetalWidthCm"]
    assert load_paper_dataset("vowel", data_dir).feature_names == ["F1", "F2", "F3"]


def test_split_is_80_20_with_seed_42(data_dir):
    raw = np.loadtxt(data_dir / "binary_banknote.csv", delimiter=",")
    X_tr, X_te, y_tr, y_te = train_test_split(raw[:, :4], raw[:, 4], test_size=0.2,
                                              random_state=42)
    data = load_paper_dataset("banknote", data_dir, scaling=None)
    np.testing.assert_array_equal(data.X_train, X_tr)
    np.testing.assert_array_equal(data.X_test, X_te)
    np.testing.assert_array_equal(data.y_test, y_te.astype(int))
    other = load_paper_dataset("banknote", data_dir, scaling=None, random_state=0)
    assert not np.array_equal(other.X_train, data.X_train)


def test_titanic_encoding_by_hand(data_dir):
    data = load_paper_dataset("titanic", data_dir, scaling=None)
    assert data.feature_names == ["Pclass", "Sex", "SibSp", "Parch", "Fare", "Embarked"]
    # PassengerId 1: 3rd class, male, 1 sibling, 0 parents, fare 7.25, S.
    np.testing.assert_array_equal(data.X_train[0], [3, 1, 1, 0, 7.25, 0])
    # PassengerId 2: 1st class, female, 1, 0, 71.2833, C.
    np.testing.assert_array_equal(data.X_train[1], [1, 0, 1, 0, 71.2833, 1])
    # PassengerId 62 and 830: Embarked missing -> the mode, S (0).
    np.testing.assert_array_equal(data.X_train[61], [1, 0, 0, 0, 80.0, 0])
    np.testing.assert_array_equal(data.X_train[829], [1, 0, 0, 0, 80.0, 0])
    assert data.y_train[:3].tolist() == [0, 1, 1]
    # Test PassengerId 892: 3rd class, male, 0, 0, 7.8292, Q (2); label 0.
    np.testing.assert_array_equal(data.X_test[0], [3, 1, 0, 0, 7.8292, 2])
    # PassengerId 1044 (row 152) has no fare: the training median, 14.4542.
    np.testing.assert_array_equal(data.X_test[152], [3, 1, 0, 0, 14.4542, 0])
    # Test labels come from titanic_testy.csv, matched by PassengerId.
    with open(data_dir / "titanic_testy.csv", newline="") as handle:
        labels = {row["PassengerId"]: int(row["Survived"]) for row in csv.DictReader(handle)}
    with open(data_dir / "titanic_test.csv", newline="") as handle:
        ids = [row["PassengerId"] for row in csv.DictReader(handle)]
    assert data.y_test.tolist() == [labels[i] for i in ids]
    assert data.y_test[:2].tolist() == [0, 1]


@pytest.mark.parametrize("name", ["banknote", "titanic", "vowel"])
def test_per_feature_scaling_uses_training_statistics(data_dir, name):
    raw = load_paper_dataset(name, data_dir, scaling=None)
    data = load_paper_dataset(name, data_dir)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0, rtol=1e-12)
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(data.X_test, (raw.X_test - mean) / std, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["banknote", "breast_cancer", "titanic"])
def test_reference_scaling_standardises_each_sample(data_dir, name):
    raw = load_paper_dataset(name, data_dir, scaling=None)
    data = load_paper_dataset(name, data_dir, scaling="reference")
    for X, X_raw in ((data.X_train, raw.X_train), (data.X_test, raw.X_test)):
        np.testing.assert_allclose(X.mean(axis=1), 0.0, atol=1e-12)
        spread = X_raw.std(axis=1) > 0
        np.testing.assert_allclose(X.std(axis=1)[spread], 1.0, rtol=1e-12)
        rows = X_raw[spread]
        np.testing.assert_allclose(
            X[spread], (rows - rows.mean(axis=1, keepdims=True))
            / rows.std(axis=1, keepdims=True), atol=1e-12)
        # A sample whose features are all equal becomes all zeros.
        np.testing.assert_array_equal(X[~spread], 0.0)
    # Not the per-feature scaling.
    assert np.abs(data.X_train.mean(axis=0)).max() > 0.1


def test_reference_scaling_only_where_the_reference_used_it(data_dir):
    with pytest.raises(ValueError, match="scaled 'iris' per feature"):
        load_paper_dataset("iris", data_dir, scaling="reference")
    with pytest.raises(ValueError, match="scaling must be"):
        load_paper_dataset("iris", data_dir, scaling="minmax")


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Unknown paper dataset 'mnist'.*banknote"):
        load_paper_dataset("mnist")
    with pytest.raises(ValueError, match="Unknown paper dataset"):
        paper_estimator("mnist")
    with pytest.raises(ValueError, match="Unknown paper dataset"):
        paper_pruning("mnist")


def test_missing_file_names_the_file_and_the_option(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r"'banknote'.*'binary_banknote.csv'.*--data-dir"):
        load_paper_dataset("banknote", tmp_path)
    with pytest.raises(FileNotFoundError, match="Iris.csv"):
        load_paper_dataset("iris3", tmp_path / "nowhere")


def test_missing_titanic_test_labels(data_dir, tmp_path):
    for name in ("titanic_train.csv", "titanic_test.csv"):
        shutil.copy(data_dir / name, tmp_path / name)
    with pytest.raises(FileNotFoundError, match="titanic_testy.csv"):
        load_paper_dataset("titanic", tmp_path)


def test_data_dir_from_environment(data_dir, monkeypatch):
    monkeypatch.setenv("SKCHAOSPRUNE_DATA_DIR", str(data_dir))
    assert load_paper_dataset("vowel").X_train.shape == (696, 3)


def test_digits_needs_no_files(tmp_path):
    data = load_paper_dataset("digits", tmp_path)
    assert data.X_train.shape == (1437, 64) and data.X_test.shape == (360, 64)
    assert set(data.y_train.tolist()) == set(range(10))


def test_paper_estimator_settings():
    est = paper_estimator("banknote")
    assert isinstance(est, DenseMLPClassifier)
    params = est.get_params()
    expected = dict(hidden_layer_sizes=(8,), activation="sigmoid", loss="squared_error",
                    learning_rate_init=0.5, batch_size=1, max_iter=100, init_std=0.1,
                    record_train_score=True, pruning=None, random_state=0)
    assert {k: params[k] for k in expected} == expected
    # The pruning settings are no estimator parameters any more.
    assert not {"window", "overlap", "maxlag", "causality_alpha"} & set(params)
    est = paper_estimator("vowel", pruning="chaos_causal", random_state=3, max_iter=7)
    assert (est.hidden_layer_sizes, est.learning_rate_init, est.random_state,
            est.max_iter) == ((4,), 0.5, 3, 7)
    # 'chaos_causal' is the dataset's paper_pruning: window 200, maxlag 14.
    assert isinstance(est.pruning, ChaosCausalPruning)
    assert est.pruning.get_params() == paper_pruning("vowel").get_params()
    assert (est.pruning.window, est.pruning.maxlag, est.pruning.risk) == (200, 14, "error")
    # A strategy is passed through as it is.
    strategy = ChaosCausalPruning(window=50, maxlag=3)
    assert paper_estimator("vowel", pruning=strategy).pruning is strategy
    magnitude = MagnitudePruning(0.3)
    assert paper_estimator("iris", pruning=magnitude).pruning is magnitude
    with pytest.raises(ValueError, match="Unknown DenseMLPClassifier parameter.*lr"):
        paper_estimator("iris", lr=0.1)
    # The old flat pruning parameters point to the strategy.
    with pytest.raises(ValueError,
                       match=r"Unknown DenseMLPClassifier parameter.*'window'.*paper_pruning"):
        paper_estimator("vowel", pruning="chaos_causal", window=50)


@pytest.mark.parametrize("name", sorted(PAPER_SETTINGS))
def test_paper_pruning_has_the_papers_settings(name):
    strategy = paper_pruning(name)
    assert isinstance(strategy, ChaosCausalPruning)
    expected = dict(ChaosCausalPruning().get_params(), window=PAPER_SETTINGS[name].window,
                    overlap=0.1, maxlag=14, risk="error", alpha=0.05)
    assert strategy.get_params() == expected
    assert strategy.mode == "full" and strategy.sparsity is None


def test_paper_pruning_overrides_and_errors():
    strategy = paper_pruning("iris", risk="loss", mode="partial", partial_epochs=5,
                             window=30)
    assert strategy.get_params() == dict(paper_pruning("iris").get_params(), risk="loss",
                                         mode="partial", partial_epochs=5, window=30)
    assert paper_pruning("banknote").window == 250
    assert paper_pruning("banknote") is not paper_pruning("banknote")
    with pytest.raises(ValueError, match=r"Unknown ChaosCausalPruning parameter.*'windw'"):
        paper_pruning("iris", windw=30)
    with pytest.raises(ValueError, match="Unknown paper dataset 'mnist'"):
        paper_pruning("mnist")


def test_paper_estimator_fits_a_paper_dataset(data_dir):
    data = load_paper_dataset("iris", data_dir)
    est = paper_estimator("iris", max_iter=20).fit(data.X_train, data.y_train)
    assert est.coefs_[0].shape == (4, 6) and est.coefs_[1].shape == (6, 3)
    assert len(est.train_score_curve_) == 20
    assert est.score(data.X_test, data.y_test) > 0.6


def test_paper_estimator_prunes_a_paper_dataset(data_dir):
    data = load_paper_dataset("iris", data_dir)
    est = paper_estimator("iris", pruning=paper_pruning("iris", window=30, maxlag=3),
                          max_iter=12).fit(data.X_train, data.y_train)
    params = est.pruning_params_
    assert (params["window"], params["maxlag"], params["risk"]) == (30, 3, "error")
    assert params["dense_epochs"] == 12
    # risk='error': the misclassification rate of the 12 held-out samples.
    np.testing.assert_allclose(est.risk_series_ * 12, np.round(est.risk_series_ * 12),
                               atol=1e-9)
    assert est.granger_pvalues_.shape == (4 * 6 + 6 * 3,)
    assert 0.0 <= est.sparsity_ < 1.0


# ---------------------------------------------------------------------------
# scikit-learn data, CSV files and the demo's network
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", SKLEARN_DATASETS)
def test_load_sklearn_dataset_splits_stratified_and_standardises(name):
    from sklearn import datasets

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X_train, X_test, y_train, y_test = load_sklearn_dataset(name, random_state=3)
    assert X_train.shape[0] + X_test.shape[0] == X.shape[0]
    assert X_test.shape[0] == int(np.ceil(0.2 * X.shape[0]))
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    # Stratified: each class's share of the test set is its share of all.
    for label in np.unique(y):
        assert abs(np.mean(y_test == label) - np.mean(y == label)) < 1.0 / len(y_test) + 1e-12
    np.testing.assert_array_equal(load_sklearn_dataset(name, random_state=3)[0], X_train)


def test_load_sklearn_dataset_refuses_other_names():
    with pytest.raises(ValueError, match=r"Unknown scikit-learn data set 'mnist'; choose one of "
                                         r"\['digits', 'iris', 'wine', 'breast_cancer'\]"):
        load_sklearn_dataset("mnist")


def _write(path, header, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_load_csv_dataset_reads_labels_as_ints_or_strings(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    ints = _write(tmp_path / "ints.csv", ["a", "label", "b", "c"],
                  [[x[0], f"{i % 2}.0", x[1], x[2]] for i, x in enumerate(X)])
    X_train, X_test, y_train, y_test = load_csv_dataset(ints, "label", random_state=0)
    assert X_train.shape == (32, 3) and X_test.shape == (8, 3)
    assert y_train.dtype == np.int64 and set(y_train) == {0, 1}
    strings = _write(tmp_path / "strings.csv", ["a", "b", "species"],
                     [[x[0], x[1], "ab"[i % 2]] for i, x in enumerate(X)])
    assert set(load_csv_dataset(strings, "species")[2]) == {"a", "b"}


@pytest.mark.parametrize("header, rows, match", [
    (["a", "y"], [], "needs a header line and data rows"),
    (["a", "b"], [["1", "0"], ["2", "1"]], "has no column 'y'; its columns are a, b"),
    (["a", "y"], [["1", "0"], ["2"]], "every row must have 2 fields"),
    (["a", "y"], [["1", "0"], ["", "1"]], "has missing values"),
    (["a", "y"], [["x", "0"], ["2", "1"]], r"non-numeric feature columns \['a'\]"),
    (["a", "y"], [["inf", "0"], ["2", "1"]], "infinite or NaN"),
    (["a", "y"], [["1", "0.5"], ["2", "1.5"]], "holds continuous values"),
    (["a", "y"], [["1", "0"], ["2", "0"], ["3", "1"]], "1 of the 2 classes of 'y' have a single"),
])
def test_load_csv_dataset_errors_say_what_is_wrong(tmp_path, header, rows, match):
    path = _write(tmp_path / "t.csv", header, rows)
    with pytest.raises(ValueError, match=match):
        load_csv_dataset(path, "y")
    with pytest.raises(ValueError, match="cannot read"):
        load_csv_dataset(tmp_path / "missing.csv", "y")


def test_demo_estimator_is_the_paper_training_with_the_demo_network():
    est = demo_estimator(random_state=5)
    expected = paper_estimator("digits", hidden_layer_sizes=(32,), learning_rate_init=0.1,
                               max_iter=20, batch_size=1, random_state=5)
    assert est.get_params() == expected.get_params()
    assert DEMO_NETWORK == {"hidden": 32, "epochs": 20, "lr": 0.1, "batch_size": 1}
    assert demo_estimator(hidden=4, epochs=3, lr=0.5, batch_size=8).get_params()["batch_size"] == 8


def test_demo_data_describes_the_network():
    X, y = np.zeros((10, 5)), np.array([0, 1] * 5)
    data = demo_data("d", X, X, y, y, hidden=7, epochs=4, lr=0.2, batch_size=2, window=30,
                     maxlag=3)
    assert data["network"] == "5-7-1 sigmoid, lr 0.2, 4 epochs, batch 2"   # binary: one output
    assert data["estimator"].hidden_layer_sizes == (7,) and data["estimator"].max_iter == 4
    assert isinstance(data["pruning"], ChaosCausalPruning)
    assert (data["pruning"].window, data["pruning"].maxlag) == (30, 3)
    assert data["pruning"].get_params() == ChaosCausalPruning(window=30, maxlag=3).get_params()
