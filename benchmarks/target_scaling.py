"""Pruning a regressor on an unscaled target, and on the same target
standardised (issue 21, point 8; quoted in DenseMLPRegressor's docstring
and docs/user_guide.md).

friedman1 (600 rows, 10 features, noise 1; target mean 14, sd 5), features
standardised, a 75/25 split; the default DenseMLPRegressor with the default
ChaosCausalPruning(), the same with the target standardised by
TransformedTargetRegressor, and magnitude pruning at the chaos-causal
sparsity; test R^2 for 3 seeds.

    python benchmarks/target_scaling.py
"""

import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skchaosprune import ChaosCausalPruning, DenseMLPRegressor, MagnitudePruning


def main():
    warnings.simplefilter("ignore")
    X, y = make_friedman1(600, 10, noise=1.0, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    print(f"target mean {y_tr.mean():.1f}, sd {y_tr.std():.1f}")
    print("seed  dense  chaos-causal (output weights kept)  magnitude  "
          "chaos-causal, target scaled (output weights kept)")
    for seed in range(3):
        dense = DenseMLPRegressor(random_state=seed).fit(X_tr, y_tr)
        raw = DenseMLPRegressor(pruning=ChaosCausalPruning(), random_state=seed).fit(X_tr, y_tr)
        mag = DenseMLPRegressor(pruning=MagnitudePruning(raw.sparsity_),
                                random_state=seed).fit(X_tr, y_tr)
        scaled = TransformedTargetRegressor(
            regressor=DenseMLPRegressor(pruning=ChaosCausalPruning(), random_state=seed),
            transformer=StandardScaler()).fit(X_tr, y_tr)
        print(f"{seed:4d}  {dense.score(X_te, y_te):5.3f}  {raw.score(X_te, y_te):6.3f} "
              f"({raw.masks_[-1].mean():.0%})  {mag.score(X_te, y_te):26.3f}  "
              f"{scaled.score(X_te, y_te):9.3f} ({scaled.regressor_.masks_[-1].mean():.0%})")


if __name__ == "__main__":
    main()
