"""Prediction heads on embeddings and the metrics they are judged by."""
