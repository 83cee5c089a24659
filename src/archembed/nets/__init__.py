"""Real PyTorch networks from architectures and the features computed from them.

``build.build_network`` (NB201, NB101, DARTS; official and proxy settings), ``inputs``
(natural-image crops, user images, noise), ``jacobian.compute_jacobian_features`` (projected
data Jacobians into a ``feature_store.FeatureStore``), ``zero_cost`` (per-network proxies and
``per_op_saliencies``). See docs/guides/networks.md.
"""
