"""Evaluations of architecture embeddings (arch2vec's protocol), each returning plain dicts.

``pretraining`` (reconstruction, validity, uniqueness: encoders with a decoder),
``predictive`` (GP on a few labelled archs), ``smoothness`` (latent vs edit distance),
``neighbours`` (nearest-neighbour sequences), ``report`` (all of them into a directory).
"""
