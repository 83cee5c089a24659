"""scikit-learn parameter conventions for every model: get_params, set_params, clone.

``__init__`` stores (and checks) its parameters under their own names and does nothing else;
learned attributes end in ``_``. :class:`Estimator` then reads the parameters back from the
``__init__`` signatures, so a model needs no code of its own to be cloned or reconfigured.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from archembed.errors import ConfigError

E = TypeVar("E", bound="Estimator")


def parameter_names(cls: type) -> list[str]:
    """Named ``__init__`` parameters of ``cls`` and of the bases its ``**kwargs`` reach."""
    names: list[str] = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        parameters = inspect.signature(init).parameters.values()
        kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        names += [p.name for p in parameters if p.name != "self" and p.kind not in kinds]
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            break
    return list(dict.fromkeys(names))


class Estimator:
    """Mixin: ``get_params`` / ``set_params`` from the ``__init__`` signatures, and cloning.

    ``free_params`` names the attribute where a ``**kwargs`` catch-all of library options is
    stored (LightGBM's ``**params``); its entries count as parameters too.
    """

    free_params: str | None = None

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters; with ``deep``, a nested estimator's as ``name__param``."""
        params = {name: getattr(self, name) for name in parameter_names(type(self))}
        if self.free_params is not None:
            params.update(getattr(self, self.free_params))
        if deep:
            for name, value in list(params.items()):
                if isinstance(value, Estimator):
                    params.update({f"{name}__{k}": v for k, v in value.get_params().items()})
        return params

    def set_params(self: E, **params: Any) -> E:
        """Change parameters (``head__seed=3`` reaches a nested one), checked as ``__init__``
        checks them; fitted state is kept until the next ``fit``."""
        own = self.get_params(deep=False)
        changed: dict[str, Any] = {}
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in own and (sep or self.free_params is None):
                raise ConfigError(
                    f"{type(self).__name__} has no parameter {name!r}; choose from: "
                    f"{', '.join(sorted(own))}"
                )
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                changed[name] = value
        for name, values in nested.items():
            target = changed.get(name, own[name])
            if not isinstance(target, Estimator):
                raise ConfigError(f"parameter {name!r} of {type(self).__name__} has no parameters")
            target.set_params(**values)
        if changed:
            self.__init__(**{**own, **changed})  # type: ignore[misc]
        return self

    def __sklearn_clone__(self: E) -> E:
        """Make ``sklearn.base.clone`` use :func:`clone` (spaces and encoders are shared)."""
        return clone(self)


def clone(estimator: E) -> E:
    """A new, unfitted estimator with equal parameters.

    Nested estimators (a predictor's head) are cloned; other values (a search space, a
    pretrained encoder) are shared, not copied, as they are not refitted.
    """
    params = {
        name: clone(value) if isinstance(value, Estimator) else value
        for name, value in estimator.get_params(deep=False).items()
    }
    return type(estimator)(**params)


def reseeded(estimator: E, seed: int) -> E:
    """An unfitted clone whose ``seed`` parameters (a nested head's too) are all ``seed``."""
    names = [name for name in estimator.get_params() if name.split("__")[-1] == "seed"]
    return clone(estimator).set_params(**dict.fromkeys(names, seed))


def no_uncertainty(name: str) -> ConfigError:
    """The error for asking a model without a predictive distribution for ``return_std``."""
    return ConfigError(f"predictor {name!r} gives no uncertainty; use gp, dngo or rf")
