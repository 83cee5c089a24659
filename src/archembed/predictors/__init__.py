"""Prediction heads on embeddings (GP, LightGBM, random forest, MLP) and their metrics."""

from archembed.predictors.base import (
    PREDICTORS,
    Predictor,
    check_predictor,
    make_predictor,
    register_predictor,
)

__all__ = ["PREDICTORS", "Predictor", "check_predictor", "make_predictor", "register_predictor"]
