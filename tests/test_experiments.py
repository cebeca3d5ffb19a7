"""run_methods, summarize and format_table on tiny configurations."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skchaosprune import ChaosCausalPruning, MagnitudePruning, RandomPruning
from skchaosprune.datasets import load_paper_dataset, paper_estimator, paper_pruning
from skchaosprune.experiments import (
    FIELDS,
    METHODS,
    compare_methods,
    format_table,
    run_methods,
    summarize,
)
from skchaosprune.experiments.reproduction import _method_estimator, _updates_per_epoch
from skchaosprune.pruning import auto_window

# iris 4-6-3, one-sample SGD; short windows so that a few epochs suffice.
TINY = dict(max_iter=12)
TINY_PRUNING = dict(window=30, maxlag=3)
SEEDS = (0, 1)
CHAOS = ("chaos_ft", "chaos_pt")


@pytest.fixture
def rows(data_dir):
    messages = []
    rows = run_methods("iris", data_dir, seeds=SEEDS, progress=messages.append,
                       pruning=TINY_PRUNING, **TINY)
    rows_progress = list(messages)
    return rows, rows_progress


def test_rows_have_every_field_for_every_seed_and_method(rows):
    rows, messages = rows
    assert [(r["seed"], r["method"]) for r in rows] == [(s, m) for s in SEEDS for m in METHODS]
    for r in rows:
        assert set(r) == set(FIELDS)
        assert r["dataset"] == "iris"
        assert 0.0 <= r["accuracy"] <= 1.0 and 0.0 <= r["f1_macro"] <= 1.0
        assert r["seconds"] > 0.0
        assert r["n_weights"] == 4 * 6 + 6 * 3
        assert r["sparsity"] == pytest.approx(100.0 * r["pruned_weights"] / r["n_weights"])
        # FLOPs: 2 * non-zero weights + outputs (6 hidden + 3 output biases).
        assert r["flops"] == 2 * (r["n_weights"] - r["pruned_weights"]) + 9
        e = r["epochs_to_benchmark"]
        assert e is None or 1 <= e <= TINY["max_iter"]
        # The chaos-causal rows report the window and maxlag they used.
        if r["method"] in CHAOS:
            assert (r["window"], r["maxlag"]) == (30, 3)
        else:
            assert (r["window"], r["maxlag"]) == (None, None)
    assert len(messages) == len(rows)
    assert messages[:len(METHODS)] == [f"iris seed 0: {m}" for m in METHODS]
    assert messages[len(METHODS)] == "iris seed 1: dense"


def test_baselines_are_pruned_at_the_ft_sparsity(rows):
    rows, _ = rows
    for seed in SEEDS:
        by = {r["method"]: r for r in rows if r["seed"] == seed}
        assert by["dense"]["pruned_weights"] == 0 and by["dense"]["sparsity"] == 0.0
        for method in ("magnitude", "random"):
            assert by[method]["pruned_weights"] == by["chaos_ft"]["pruned_weights"]
            assert by[method]["sparsity"] == by["chaos_ft"]["sparsity"]
    assert any(r["pruned_weights"] > 0 for r in rows if r["method"] == "chaos_ft")


@pytest.mark.filterwarnings("ignore:Got `batch_size` larger")
@pytest.mark.parametrize("batch_size, expected", [("auto", 3), (64, 7), (1000, 1)])
def test_updates_per_epoch_are_the_estimators(batch_size, expected):
    # 450 samples, 45 held out (as the methods other than chaos-causal do
    # with risk_every), 405 trained on: 'auto' is the estimator's own
    # min(200, n), so 3 updates an epoch.
    X, y = load_iris(return_X_y=True)
    X, y = np.vstack([X] * 3), np.concatenate([y] * 3)
    est = paper_estimator("iris", batch_size=batch_size, max_iter=1, risk_every=1)
    assert _updates_per_epoch(est, X.shape[0]) == expected
    assert est.fit(X, y)._n_updates == expected


def test_updates_and_dense_epochs(rows, data_dir):
    rows, _ = rows
    n_train = load_paper_dataset("iris", data_dir).X_train.shape[0]
    per_epoch = _updates_per_epoch(paper_estimator("iris"), n_train)
    assert per_epoch == 108  # 120 training samples, 12 held out for the risk
    # PT's 'auto' partial_epochs: window 30, maxlag 3 need 17 windows (the
    # degrees-of-freedom rule, 5 * 3 + 2), 461 updates, 5 epochs of 108
    # (more than 10 % of 12 epochs).
    pt_epochs = paper_pruning("iris", mode="partial", **TINY_PRUNING).dense_epochs(
        TINY["max_iter"], per_epoch)
    assert pt_epochs == 5
    for r in rows:
        if r["method"] == "dense":
            assert (r["dense_epochs"], r["total_updates"]) == (12, 12 * per_epoch)
        elif r["method"] == "chaos_pt":
            assert r["dense_epochs"] == pt_epochs
            assert r["total_updates"] == (pt_epochs + 12) * per_epoch
        else:  # a full dense run, then the retraining
            assert (r["dense_epochs"], r["total_updates"]) == (12, 24 * per_epoch)


def test_summarize_matches_numpy(rows):
    rows, _ = rows
    summary = summarize(rows)
    assert [(s["dataset"], s["method"]) for s in summary] == [("iris", m) for m in METHODS]
    for s in summary:
        group = [r for r in rows if r["method"] == s["method"]]
        assert s["n"] == len(group) == len(SEEDS)
        for key in ("accuracy", "f1_macro", "sparsity", "flops", "seconds", "total_updates"):
            values = np.array([r[key] for r in group], dtype=float)
            assert s[key] == pytest.approx((values.mean(), values.std(ddof=1)))
        reached = [r["epochs_to_benchmark"] for r in group
                   if r["epochs_to_benchmark"] is not None]
        assert s["reached"] == len(reached)


def test_summarize_by_hand():
    def row(method, accuracy, epochs, dataset="a"):
        return dict(dataset=dataset, method=method, accuracy=accuracy, f1_macro=accuracy,
                    sparsity=10.0, flops=5, epochs_to_benchmark=epochs, seconds=1.0,
                    total_updates=3)

    summary = summarize([row("x", 0.5, None), row("x", 0.7, 4), row("x", 0.9, 8),
                         row("y", 0.6, None), row("x", 1.0, 1, dataset="b")])
    assert [(s["dataset"], s["method"], s["n"], s["reached"]) for s in summary] == [
        ("a", "x", 3, 2), ("a", "y", 1, 0), ("b", "x", 1, 1)]
    assert summary[0]["accuracy"] == pytest.approx((0.7, 0.2))
    assert summary[0]["epochs_to_benchmark"] == pytest.approx((6.0, np.sqrt(8.0)))
    assert summary[0]["sparsity"] == (10.0, 0.0)
    assert summary[1]["accuracy"] == (0.6, 0.0)  # one row: std 0
    assert summary[1]["epochs_to_benchmark"] == (None, None)
    table = format_table(summary)
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["dataset", "method", "n", "accuracy"]
    assert "0.7000 +/- 0.2000" in lines[2]
    assert "6.0 +/- 2.8 [2/3]" in lines[2]
    assert "never" in lines[3]
    assert "2 * non-zero weights + outputs" in lines[-1]


def test_ft_pruning_nothing_means_baselines_prune_nothing(data_dir):
    # alpha = 1 prunes only p-values of exactly 1, and on_infeasible='keep'
    # gives infeasible tests p = 0: the FT mask keeps every weight.
    rows = run_methods("iris", data_dir, seeds=(0,),
                       methods=("chaos_ft", "magnitude", "random"),
                       pruning=dict(TINY_PRUNING, alpha=1.0, on_infeasible="keep"), **TINY)
    assert [r["method"] for r in rows] == ["chaos_ft", "magnitude", "random"]
    assert [r["pruned_weights"] for r in rows] == [0, 0, 0]


def test_run_methods_uses_the_papers_pruning_settings(data_dir):
    # Without overrides the chaos-causal rows use paper_pruning("iris"):
    # window 160 and maxlag 14, too long for 12 epochs (the check fails
    # before any training and names them).
    with pytest.raises(ValueError, match=r"too short.*window=160.*maxlag=14"):
        run_methods("iris", data_dir, seeds=(0,), methods=("chaos_ft",), **TINY)


def test_every_method_trains_on_the_same_samples_from_the_same_start(data_dir):
    data = load_paper_dataset("iris", data_dir)
    per_epoch = _updates_per_epoch(paper_estimator("iris"), data.X_train.shape[0])
    strategy = paper_pruning("iris", **TINY_PRUNING)
    fitted = {}
    for method in ("dense", "chaos_ft", "magnitude"):
        est = _method_estimator(paper_estimator("iris", random_state=3, **TINY), strategy,
                                method, sparsity=0.25, partial_epochs=None,
                                per_epoch=per_epoch)
        fitted[method] = est.fit(data.X_train, data.y_train)
    dense, ft, mag = fitted["dense"], fitted["chaos_ft"], fitted["magnitude"]
    for a, b, c in zip(dense.coefs_, ft.dense_coefs_, mag.dense_coefs_):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert dense.train_score_curve_ == ft.dense_train_score_curve_


def test_method_estimators_get_their_strategies():
    template = paper_estimator("iris", random_state=5, pruning=MagnitudePruning(0.9), **TINY)
    strategy = ChaosCausalPruning(window=30, maxlag=3, risk="error", alpha=0.2,
                                  sparsity=0.7, partial_epochs=4)
    before = strategy.get_params()

    def pruning(method, partial_epochs=None):
        return _method_estimator(template, strategy, method, sparsity=0.3,
                                 partial_epochs=partial_epochs, per_epoch=100).pruning

    assert pruning("dense") is None
    ft, pt = pruning("chaos_ft"), pruning("chaos_pt")
    expected = dict(before, mode="full", sparsity=None)
    assert isinstance(ft, ChaosCausalPruning) and ft.get_params() == expected
    # PT: partial_epochs=None is the 'auto' rule, an int is kept.
    assert pt.get_params() == dict(expected, mode="partial", partial_epochs="auto")
    assert pruning("chaos_pt", partial_epochs=6).partial_epochs == 6
    mag, rnd = pruning("magnitude"), pruning("random")
    # The strategies' defaults otherwise (keep_connected, max_drop, ...).
    assert isinstance(mag, MagnitudePruning) and mag.get_params() == dict(
        MagnitudePruning().get_params(), sparsity=0.3, scope="global")
    assert isinstance(rnd, RandomPruning) and rnd.get_params() == dict(
        RandomPruning().get_params(), sparsity=0.3, random_state=5)
    # Neither the strategy nor the template is modified.
    assert strategy.get_params() == before and ft is not strategy and pt is not strategy
    assert template.pruning.get_params() == dict(MagnitudePruning().get_params(), sparsity=0.9,
                                                 scope="global")


def test_partial_epochs_auto_is_the_fewest_the_estimator_accepts():
    X, y = load_iris(return_X_y=True)
    order = np.random.default_rng(0).permutation(150)[:120]
    X, y = X[order], y[order]
    per_epoch = _updates_per_epoch(paper_estimator("iris"), 120)
    assert per_epoch == 108
    # window 30, maxlag 10: 52 windows (5 * 10 + 2), 51 * 27 + 30 = 1,407
    # rows, 1,406 updates; 108 per epoch -> 14 epochs.
    win = dict(window=30, maxlag=10)
    pt = ChaosCausalPruning(mode="partial", **win)
    assert pt.dense_epochs(20, per_epoch) == 14
    est = paper_estimator("iris", pruning=pt, max_iter=20).fit(X, y)
    assert est.pruning_cost_["dense_epochs"] == 14
    assert est.pruning_params_["partial_epochs"] == est.pruning_params_["dense_epochs"] == 14
    assert (est.pruning_params_["window"], est.pruning_params_["maxlag"]) == (30, 10)
    paper_estimator("iris", pruning=clone(pt).set_params(partial_epochs=14),
                    max_iter=20).fit(X, y)
    with pytest.raises(ValueError, match="too short"):
        paper_estimator("iris", pruning=clone(pt).set_params(partial_epochs=13),
                        max_iter=20).fit(X, y)
    # 10 % of the epochs when that is more.
    assert pt.dense_epochs(200, per_epoch) == 20
    # Never more than max_iter (PT is then FT), and FT is always max_iter.
    assert pt.dense_epochs(5, per_epoch) == 5
    assert ChaosCausalPruning(mode="full", **win).dense_epochs(20, per_epoch) == 20
    # maxlag='auto' asks for 20 windows: 19 * 27 + 30 = 543 rows, 542
    # updates -> 6 epochs.
    assert ChaosCausalPruning(mode="partial", window=30).dense_epochs(20, per_epoch) == 6
    # banknote at the paper's settings: 1,097 training samples, 987 after
    # the hold-out; window 250 and maxlag 14 need 72 windows, 71 * 225 + 250
    # = 16,225 rows, 16,224 updates -> 17.
    banknote_per_epoch = _updates_per_epoch(paper_estimator("banknote"), 1097)
    assert banknote_per_epoch == 987
    assert paper_pruning("banknote", mode="partial").dense_epochs(
        100, banknote_per_epoch) == 17


def test_partial_epochs_auto_on_banknote(data_dir):
    data = load_paper_dataset("banknote", data_dir)
    assert data.X_train.shape[0] == 1097
    est = paper_estimator("banknote", pruning=paper_pruning("banknote", mode="partial"),
                          retrain=None).fit(data.X_train, data.y_train)
    assert est.pruning_cost_["dense_epochs"] == 17
    assert est.pruning_cost_["dense_updates"] == 17 * 987
    assert (est.pruning_params_["window"], est.pruning_params_["maxlag"]) == (250, 14)
    with pytest.raises(ValueError, match="too short"):
        paper_estimator("banknote", pruning=paper_pruning("banknote", mode="partial",
                                                          partial_epochs=16),
                        retrain=None).fit(data.X_train, data.y_train)


def test_explicit_partial_epochs(data_dir):
    rows = run_methods("iris", data_dir, seeds=(0,), methods=("chaos_pt",),
                       partial_epochs=5, pruning=TINY_PRUNING, **TINY)
    assert rows[0]["dense_epochs"] == 5


def test_argument_errors(data_dir):
    with pytest.raises(ValueError, match="Unknown method.*'prune'"):
        run_methods("iris", data_dir, methods=("dense", "prune"))
    with pytest.raises(ValueError, match="include 'chaos_ft'"):
        run_methods("iris", data_dir, methods=("dense", "magnitude"))
    with pytest.raises(ValueError, match="methods is empty"):
        run_methods("iris", data_dir, methods=())
    with pytest.raises(ValueError, match=r"sets \['random_state'\] itself"):
        run_methods("iris", data_dir, random_state=1)
    with pytest.raises(ValueError, match="partial_epochs must be"):
        run_methods("iris", data_dir, partial_epochs=0)
    with pytest.raises(ValueError, match="Unknown paper dataset"):
        run_methods("mnist", data_dir)
    with pytest.raises(FileNotFoundError, match="--data-dir"):
        run_methods("iris", data_dir / "missing")
    # Pruning settings go in pruning=, not with the estimator's.
    with pytest.raises(ValueError, match=r"Unknown ChaosCausalPruning parameter.*'windw'"):
        run_methods("iris", data_dir, pruning={"windw": 30})
    with pytest.raises(ValueError, match=r"Unknown DenseMLPClassifier parameter.*'window'"):
        run_methods("iris", data_dir, seeds=(0,), methods=("dense",), window=30)


@pytest.fixture(scope="module")
def iris_split():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def test_compare_methods_on_any_data(iris_split):
    X_tr, X_te, y_tr, y_te = iris_split
    # A template carrying a pruning strategy: each method replaces it.
    template = paper_estimator("iris", random_state=7,
                               pruning=RandomPruning(0.9, random_state=1), **TINY)
    messages = []
    rows = compare_methods(template, X_tr, y_tr, X_te, y_te, benchmark=0.5,
                           methods=("random", "chaos_ft", "dense"), dataset="mine",
                           progress=messages.append,
                           pruning=ChaosCausalPruning(**TINY_PRUNING))
    assert [r["method"] for r in rows] == ["dense", "chaos_ft", "random"]
    assert messages == ["dense", "chaos_ft", "random"]
    assert all(r["seed"] == 7 and r["dataset"] == "mine" for r in rows)
    assert all(set(r) == set(FIELDS) for r in rows)
    assert rows[0]["pruned_weights"] == 0
    assert rows[2]["pruned_weights"] == rows[1]["pruned_weights"] != round(0.9 * 42)
    assert (rows[1]["window"], rows[1]["maxlag"]) == (30, 3)
    assert isinstance(template.pruning, RandomPruning)  # the template itself is untouched
    assert template.pruning.get_params() == dict(RandomPruning().get_params(), sparsity=0.9,
                                                 random_state=1)
    assert not hasattr(template, "coefs_")
    unmeasured = compare_methods(template, X_tr, y_tr, X_te, y_te, methods=("dense",))
    assert unmeasured[0]["epochs_to_benchmark"] is None
    with pytest.raises(ValueError, match="include 'chaos_ft'"):
        compare_methods(template, X_tr, y_tr, X_te, y_te, methods=("random",))


def test_compare_methods_takes_the_chaos_settings_of_the_template(iris_split):
    X_tr, X_te, y_tr, y_te = iris_split
    # pruning=None: the template's ChaosCausalPruning, its sparsity dropped
    # (FT decides by alpha) and its mode set per row.
    strategy = ChaosCausalPruning(window=30, maxlag=3, sparsity=0.9)
    template = paper_estimator("iris", random_state=7, pruning=strategy, **TINY)
    rows = compare_methods(template, X_tr, y_tr, X_te, y_te,
                           methods=("chaos_ft", "chaos_pt", "magnitude"))
    assert [(r["method"], r["window"], r["maxlag"]) for r in rows] == [
        ("chaos_ft", 30, 3), ("chaos_pt", 30, 3), ("magnitude", None, None)]
    assert rows[0]["pruned_weights"] == rows[2]["pruned_weights"] != round(0.9 * 42)
    assert rows[1]["dense_epochs"] < rows[0]["dense_epochs"] == TINY["max_iter"]
    assert template.pruning is strategy and strategy.sparsity == 0.9
    # A template without a chaos-causal strategy gets ChaosCausalPruning()'s
    # defaults: window and maxlag 'auto', resolved in the rows.  112 training
    # samples, 100 after the hold-out, 12 epochs: 1,200 updates, window 66
    # (20 windows), maxlag 3.
    rows = compare_methods(paper_estimator("iris", random_state=7, **TINY),
                           X_tr, y_tr, X_te, y_te, methods=("chaos_ft",))
    assert (rows[0]["window"], rows[0]["maxlag"]) == (auto_window(1200), 3) == (66, 3)


def test_user_risk_every_is_kept(iris_split):
    X_tr, X_te, y_tr, y_te = iris_split
    strategy = ChaosCausalPruning(**TINY_PRUNING)
    template = paper_estimator("iris", random_state=0, risk_every=5, **TINY)
    est = _method_estimator(template, strategy, "dense", sparsity=None, partial_epochs=None,
                            per_epoch=100)
    assert est.risk_every == 5
    est = _method_estimator(paper_estimator("iris", **TINY), strategy, "magnitude",
                            sparsity=0.1, partial_epochs=None, per_epoch=100)
    assert est.risk_every == 100
    # The chaos-causal rows measure their own risk series.
    est = _method_estimator(paper_estimator("iris", **TINY), strategy, "chaos_ft",
                            sparsity=None, partial_epochs=None, per_epoch=100)
    assert est.risk_every is None


def test_format_table_of_rows_has_one_line_per_run():
    rows = [dict(dataset="d", method=m, seed=s, accuracy=0.5, f1_macro=0.5, sparsity=1.0,
                 flops=3, epochs_to_benchmark=2, seconds=0.1, total_updates=7)
            for s in (0, 1) for m in ("dense", "random")]
    lines = format_table(rows).splitlines()
    assert lines[0].split()[:3] == ["dataset", "method", "seed"]
    assert len(lines) == 2 + 4 + 1
    assert lines[4].split()[:4] == ["d", "dense", "1", "0.5000"]


# -- a method that raises (on_error) ------------------------------------------


def _break(monkeypatch, cls, exc):
    """Make one strategy's decision raise; the rest of the pipeline runs."""
    def failing(self, context):
        raise exc

    monkeypatch.setattr(cls, "decide", failing)


def test_compare_methods_records_a_method_that_raises(iris_split, monkeypatch):
    X_tr, X_te, y_tr, y_te = iris_split
    template = paper_estimator("iris", random_state=0, **TINY)
    _break(monkeypatch, RandomPruning, RuntimeError("random broke\nand said more"))
    with pytest.raises(RuntimeError, match="random broke"):   # the default: raise
        compare_methods(template, X_tr, y_tr, X_te, y_te, methods=("chaos_ft", "random"),
                        pruning=ChaosCausalPruning(**TINY_PRUNING))
    rows = compare_methods(template, X_tr, y_tr, X_te, y_te,
                           methods=("dense", "chaos_ft", "magnitude", "random"),
                           pruning=ChaosCausalPruning(**TINY_PRUNING), on_error="record")
    assert [r["method"] for r in rows] == ["dense", "chaos_ft", "magnitude", "random"]
    assert all(set(r) == set(FIELDS) for r in rows)
    assert [r["error"] for r in rows] == [None, None, None, "RuntimeError: random broke"]
    assert rows[3]["accuracy"] is None and rows[3]["seconds"] >= 0.0
    assert rows[2]["pruned_weights"] == rows[1]["pruned_weights"]
    lines = format_table(rows).splitlines()
    assert lines[5].split()[:3] == ["data", "random", "0"]
    assert lines[5].split()[3:] == "failed: RuntimeError: random broke".split()
    with pytest.raises(ValueError, match="on_error must be 'raise' or 'record'"):
        compare_methods(template, X_tr, y_tr, X_te, y_te, on_error="ignore")


def test_when_chaos_ft_raises_magnitude_and_random_say_they_were_skipped(iris_split,
                                                                         monkeypatch):
    X_tr, X_te, y_tr, y_te = iris_split
    _break(monkeypatch, ChaosCausalPruning, ValueError("no mask"))
    rows = compare_methods(paper_estimator("iris", random_state=0, **TINY), X_tr, y_tr,
                           X_te, y_te, methods=("dense", "chaos_ft", "magnitude", "random"),
                           pruning=ChaosCausalPruning(**TINY_PRUNING), on_error="record")
    assert rows[0]["error"] is None and rows[0]["accuracy"] is not None
    assert rows[1]["error"] == "no mask"
    assert rows[2]["error"] == ("skipped: magnitude prunes at chaos_ft's sparsity, and "
                                "chaos_ft failed")
    assert rows[3]["error"].startswith("skipped: random prunes")
    table = format_table(rows)
    assert table.splitlines()[3].split() == ["data", "chaos_ft", "0", "failed:", "no", "mask"]
    assert "failed: skipped" not in table


def test_invalid_parameters_raise_before_any_training(iris_split, monkeypatch):
    from skchaosprune import DenseMLPClassifier

    X_tr, X_te, y_tr, y_te = iris_split
    fits = []
    fit = DenseMLPClassifier.fit
    monkeypatch.setattr(DenseMLPClassifier, "fit",
                        lambda self, *a, **k: fits.append(1) or fit(self, *a, **k))
    with pytest.raises(ValueError, match="'window' parameter of ChaosCausalPruning"):
        compare_methods(paper_estimator("iris", **TINY), X_tr, y_tr, X_te, y_te,
                        pruning=ChaosCausalPruning(window=1), on_error="record")
    with pytest.raises(ValueError, match="'learning_rate_init' parameter"):
        compare_methods(paper_estimator("iris", learning_rate_init=-1.0, **TINY),
                        X_tr, y_tr, X_te, y_te, on_error="record")
    assert fits == []


def test_summary_of_failed_runs():
    def row(seed, accuracy, error=None):
        return dict(dataset="d", method="m", seed=seed, accuracy=accuracy, f1_macro=accuracy,
                    sparsity=None if error else 10.0, flops=None if error else 5,
                    epochs_to_benchmark=None if error else 2, seconds=1.0,
                    total_updates=None if error else 3, error=error)

    summary = summarize([row(0, 0.8), row(1, None, "it broke"), row(2, 0.6),
                         dict(row(0, None, "always"), method="x")])
    partly, wholly = summary
    assert (partly["n"], partly["failed"], partly["error"]) == (3, 1, "it broke")
    assert partly["accuracy"] == pytest.approx((0.7, np.std([0.8, 0.6], ddof=1)))
    assert partly["epochs_to_benchmark"] == (2.0, 0.0) and partly["reached"] == 2
    assert (wholly["n"], wholly["failed"], wholly["accuracy"]) == (1, 1, (None, None))
    lines = format_table(summary).splitlines()
    assert lines[2].split()[:4] == ["d", "m", "3", "0.7000"]
    assert lines[2].endswith("[2/2]  1.00 +/- 0.00  3 +/- 0  1 of 3 failed: it broke")
    assert lines[3].split() == ["d", "x", "1", "failed:", "always"]


# -- several data sets, their seeds in parallel (issue 26) -----------------------


def _without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def test_reproduce_in_two_processes_gives_the_serial_rows(data_dir):
    from skchaosprune.experiments import reproduce

    kwargs = dict(data_dir=data_dir, seeds=SEEDS, pruning=TINY_PRUNING, on_error="record",
                  **TINY)
    messages = []
    serial = reproduce(["iris", "banknote"], n_jobs=1, **kwargs)
    parallel = reproduce(["iris", "banknote"], n_jobs=2, progress=messages.append, **kwargs)
    kwargs.pop("data_dir")
    assert _without_seconds(parallel) == _without_seconds(serial)
    # One reproduce is run_methods per data set, in order.
    alone = run_methods("iris", data_dir, **kwargs)
    assert _without_seconds(serial[:len(alone)]) == _without_seconds(alone)
    assert [(r["dataset"], r["seed"]) for r in serial][::len(METHODS)] == [
        ("iris", 0), ("iris", 1), ("banknote", 0), ("banknote", 1)]
    # In parallel the progress reports one line per finished unit.
    assert sorted(messages) == sorted(f"{d} seed {s}: finished"
                                      for d in ("iris", "banknote") for s in SEEDS)
    assert _without_seconds(run_methods("iris", data_dir, n_jobs=2, **kwargs)) == \
        _without_seconds(alone)


def test_reproduce_argument_errors(data_dir):
    from skchaosprune.experiments import reproduce

    with pytest.raises(ValueError, match="Unknown paper dataset"):
        reproduce(["mnist"], data_dir=data_dir)
    with pytest.raises(ValueError, match="random_state"):
        reproduce(["iris"], data_dir=data_dir, random_state=0)
    with pytest.raises(ValueError, match="Unknown method"):
        reproduce(["iris"], data_dir=data_dir, methods=("lamp",))
