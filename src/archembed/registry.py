"""Plain-dict registries filled by decorators (spaces, benchmarks, encoders, strategies)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from archembed.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """A named dict of factories; ``get`` raises UnknownNameError listing what exists."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(item: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = item
            return item

        return decorate

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, sorted(self._items)) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items
