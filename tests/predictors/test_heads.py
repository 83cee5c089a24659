import numpy as np
import pytest

from archembed.errors import ConfigError, UnknownNameError
from archembed.predictors import make_predictor
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
