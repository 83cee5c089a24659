"""Predictors: the :class:`ArchPredictor` protocol, regression heads on embeddings (GP,
LightGBM, random forest, MLP, DNGO) and :class:`EmbeddingPredictor` joining the two."""

from archembed.estimator import Estimator, clone, reseeded
from archembed.predictors.arch import ArchPredictor, EmbeddingPredictor, tabulated
from archembed.predictors.base import (
    PREDICTORS,
    Predictor,
    check_predictor,
    make_predictor,
    register_predictor,
)

__all__ = [
    "PREDICTORS",
    "ArchPredictor",
    "EmbeddingPredictor",
    "Estimator",
    "Predictor",
    "check_predictor",
    "clone",
    "make_predictor",
    "register_predictor",
    "reseeded",
    "tabulated",
]
