import numpy as np
import pytest

from archembed.errors import ConfigError, UnknownNameError
from archembed.predictors import check_predictor, make_predictor
from archembed.predictors.metrics import kendall_tau, precision_at_k, regression_report


def smooth_problem(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 4))
    return X, np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=n)


@pytest.mark.parametrize("name", ["gp", "lightgbm", "rf", "mlp"])
def test_heads_learn_a_smooth_function(name):
    X, y = smooth_problem(300)
    X_test, y_test = smooth_problem(200, seed=1)
    predictor = make_predictor(name).fit(X, y)
    assert kendall_tau(y_test, predictor.predict(X_test)) > 0.6


def test_gp_uncertainty_grows_away_from_data():
    X, y = smooth_problem(60)
    gp = make_predictor("gp", fit_maxiter=50).fit(X, y)
    _, near = gp.predict(X[:5], return_std=True)
    _, far = gp.predict(X[:5] + 5.0, return_std=True)
    assert (far > near).all()


def test_gp_warm_start_without_optimisation_keeps_hyperparameters():
    X, y = smooth_problem(80)
    first = make_predictor("gp", fit_maxiter=50).fit(X[:60], y[:60])
    again = make_predictor("gp", warm_start=first.hyperparameters_, optimise=False).fit(X, y)
    for name, value in first.hyperparameters_.items():
        assert np.allclose(again.hyperparameters_[name].numpy(), value.numpy())
    X_test, y_test = smooth_problem(100, seed=1)
    assert kendall_tau(y_test, again.predict(X_test)) > 0.6
    with pytest.raises(ConfigError, match="warm_start"):
        make_predictor("gp", optimise=False)


def test_gp_lengthscales_stay_bounded_on_one_hot_inputs():
    rng = np.random.default_rng(0)
    X = (rng.random((60, 40)) < 0.2).astype(float)
    y = X[:, 0] - X[:, 1] + 0.01 * rng.normal(size=60)
    gp = make_predictor("gp", fit_maxiter=50).fit(X, y)
    assert float(gp.model_.covar_module.base_kernel.lengthscale.min()) >= 0.025
    mean, std = gp.predict((rng.random((500, 40)) < 0.2).astype(float), return_std=True)
    assert np.isfinite(mean).all() and (std > 0).all()


def test_predictor_errors_are_user_errors():
    with pytest.raises(UnknownNameError):
        make_predictor("xgb")
    with pytest.raises(ConfigError):
        make_predictor("lightgbm").fit(*smooth_problem(20)).predict(
            np.zeros((1, 4)), return_std=True
        )
    with pytest.raises(ConfigError):
        make_predictor("gp").fit(np.zeros((1, 4)), np.zeros(1))


def test_metrics():
    y = np.arange(10.0)
    assert kendall_tau(y, y) == pytest.approx(1.0)
    assert precision_at_k(y, y[::-1], 3) == 0.0
    assert precision_at_k(y, y, 3) == 1.0
    report = regression_report(y, y + 1, ks=(5,))
    assert report["rmse"] == pytest.approx(1.0) and report["p@5"] == 1.0


def test_tree_heads_run_on_the_thread_setting():
    from archembed.threads import set_threads

    set_threads(3)
    try:
        X, y = smooth_problem(40)
        assert make_predictor("lightgbm").fit(X, y).model_.n_jobs == 3
        assert make_predictor("rf", n_estimators=4).fit(X, y).model_.n_jobs == 3
        assert make_predictor("lightgbm", n_jobs=1).fit(X, y).model_.n_jobs == 1
    finally:
        set_threads(None)


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("lightgbm", {"num_leaves": -3}, "num_leaves"),
        ("lightgbm", {"learning_rate": "fast"}, "learning_rate"),
        ("lightgbm", {"frob": 1}, "unknown lightgbm parameter 'frob'"),
        ("rf", {"max_depth": 0}, "max_depth"),
        ("rf", {"frob": 1}, "frob"),
        ("rf", {"n_estimators": 0}, "n_estimators"),
        ("mlp", {"hidden": []}, "hidden"),
        ("mlp", {"max_iter": 0}, "max_iter"),
        ("gp", {"fit_maxiter": 0}, "fit_maxiter"),
        ("dngo", {"lr": float("nan")}, "lr"),
        ("dngo", {"epochs": -1}, "epochs"),
    ],
)
def test_head_parameters_are_checked_without_fitting(name, params, fragment):
    with pytest.raises(ConfigError, match=fragment):
        check_predictor(name, params)


def test_good_head_parameters_pass_the_check():
    for name, params in [("lightgbm", {"num_leaves": 7}), ("rf", {"max_depth": 3}), ("gp", {})]:
        check_predictor(name, params)
