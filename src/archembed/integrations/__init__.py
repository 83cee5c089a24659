"""Bridges to other tools; each module imports its tool only when it is itself imported.

- :mod:`archembed.integrations.optuna`: ``suggest_arch(trial, space)`` and
  :class:`~archembed.integrations.optuna.ArchSampler` (needs ``pip install optuna``).
"""
