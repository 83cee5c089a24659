"""A space described in a short YAML file, for users with a design space but no measurements.

```yaml
ops: [conv3x3, conv1x1, maxpool]   # the op vocabulary of the inner vertices
nodes: [3, 6]                      # vertex count, input and output included: [min, max] or max
max_in_degree: 2                   # optional: most inputs of a vertex
max_edges: 8                       # optional: most edges of a graph
```

The space is named by the file's resolved path, so a model pretrained on it finds it again.
Its architectures are DAGs from ``input`` to ``output`` (native format as
:class:`~archembed.spaces.generic.GenericSpace`). A space of at most
:data:`MAX_ENUMERATED_NODES` vertices and :data:`MAX_CHECKED` graphs to check is finite:
``enumerate`` lists every architecture once (isomorphic graphs are one).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from archembed.checks import check_int
from archembed.errors import ConfigError
from archembed.graph import ArchGraph
from archembed.spaces.generic import RESERVED_OPS, GenericSpace

FIELDS = ("ops", "nodes", "max_in_degree", "max_edges")
MAX_NODES = 64
"""Largest vertex count a described space may allow."""
MAX_ENUMERATED_NODES = 6
"""Largest vertex count of an enumerable space (2^15 edge sets of 6 vertices)."""
MAX_CHECKED = 200_000
"""Most (edge set, op assignment) pairs an enumeration checks."""
MAX_MISSES = 2_000
"""Draws in a row that may miss the constraints before sampling gives up."""


class DescribedSpace(GenericSpace):
    """DAGs over ``ops`` with ``min_nodes``..``max_nodes`` vertices, at most ``max_in_degree``
    inputs per vertex and ``max_edges`` edges (None: unconstrained)."""

    def __init__(
        self,
        ops: Sequence[str],
        max_nodes: int,
        min_nodes: int = 2,
        max_in_degree: int | None = None,
        max_edges: int | None = None,
        name: str = "described",
    ) -> None:
        super().__init__(ops, max_nodes, name=name)
        self.min_nodes = min_nodes
        self.max_in_degree = max_in_degree
        self.max_edges = max_edges

    def problem(self, graph: ArchGraph) -> str | None:
        """Why ``graph`` is not in this space (the generic rules, then the constraints)."""
        found = super().problem(graph)
        if found is not None:
            return found
        if graph.n_nodes < self.min_nodes:
            return f"{graph.n_nodes} vertices, fewer than the space's minimum of {self.min_nodes}"
        in_degree = int(graph.adj.sum(axis=0).max())
        if self.max_in_degree is not None and in_degree > self.max_in_degree:
            return f"a vertex has {in_degree} inputs, more than max_in_degree {self.max_in_degree}"
        if self.max_edges is not None and graph.n_edges > self.max_edges:
            return f"{graph.n_edges} edges, more than max_edges {self.max_edges}"
        return None

    def _draw(self, rng: np.random.Generator) -> ArchGraph | None:
        """One random DAG (inputs cut to ``max_in_degree``), pruned; None when disconnected."""
        inner = self.inner_ops or ()
        size = int(rng.integers(self.min_nodes, self.max_nodes + 1))
        adj = np.triu(rng.integers(0, 2, size=(size, size)), k=1)
        if self.max_in_degree is not None:
            for column in range(size):
                parents = np.flatnonzero(adj[:, column])
                if len(parents) > self.max_in_degree:
                    dropped = rng.choice(parents, len(parents) - self.max_in_degree, replace=False)
                    adj[dropped, column] = 0
        ops = [inner[i] for i in rng.integers(len(inner), size=size - 2)]
        graph = ArchGraph(adj, ["input", *ops, "output"])
        return graph.prune() if graph.is_connected() else None

    def sample(self, n: int, rng: np.random.Generator) -> list[ArchGraph]:
        """Random architectures: size uniform, ops uniform, each forward edge with p=1/2; graphs
        breaking a constraint are redrawn (ConfigError after MAX_MISSES misses in a row)."""
        graphs: list[ArchGraph] = []
        misses = 0
        while len(graphs) < n:
            graph = self._draw(rng)
            if graph is not None and self.is_valid(graph):
                graphs.append(graph)
                misses = 0
                continue
            misses += 1
            if misses >= MAX_MISSES:
                raise ConfigError(
                    f"no architecture of space {self.name!r} met its constraints in {MAX_MISSES:,} "
                    "draws; loosen nodes, max_in_degree or max_edges"
                )
        return graphs

    @cached_property
    def _structures(self) -> list[np.ndarray]:
        """Every edge set (vertices in topological order) of an allowed size where each vertex
        lies on an input-output path and the constraints hold."""
        found = []
        for n in range(self.min_nodes, self.max_nodes + 1):
            rows, cols = np.triu_indices(n, k=1)
            codes = np.arange(2 ** len(rows), dtype=np.int64)
            bits = (codes[:, None] >> np.arange(len(rows))) & 1
            adj = np.zeros((len(codes), n, n), dtype=np.uint8)
            adj[:, rows, cols] = bits
            ins, outs = adj.sum(axis=1), adj.sum(axis=2)
            keep = (ins[:, 1:] > 0).all(axis=1) & (outs[:, :-1] > 0).all(axis=1)
            if self.max_in_degree is not None:
                keep &= ins.max(axis=1) <= self.max_in_degree
            if self.max_edges is not None:
                keep &= bits.sum(axis=1) <= self.max_edges
            found += list(adj[keep])
        return found

    def _checks(self) -> int:
        """How many graphs an enumeration builds: edge sets x op assignments."""
        n_ops = len(self.inner_ops or ())
        return sum(n_ops ** (adj.shape[0] - 2) for adj in self._structures)

    @property
    def finite(self) -> bool:
        """True when the space is small enough to enumerate (see the module docstring)."""
        return self.max_nodes <= MAX_ENUMERATED_NODES and self._checks() <= MAX_CHECKED

    @property
    def size(self) -> int | None:  # type: ignore[override]
        """Number of architectures of an enumerable space, else None."""
        return len(self._all) if self.finite else None

    @cached_property
    def _all(self) -> list[ArchGraph]:
        found: dict[str, ArchGraph] = {}
        for adj in self._structures:
            for ops in itertools.product(self.inner_ops or (), repeat=adj.shape[0] - 2):
                graph = ArchGraph.from_trusted(adj, ("input", *ops, "output"))
                found.setdefault(self.identity(graph), graph)
        return list(found.values())

    def enumerate(self) -> list[ArchGraph]:
        """Every architecture once; ConfigError when the space is too large to list."""
        if not self.finite:
            raise ConfigError(
                f"space {self.name!r} is too large to enumerate (at most {MAX_ENUMERATED_NODES} "
                f"vertices and {MAX_CHECKED:,} graphs to check); sample it instead"
            )
        return list(self._all)


def _node_range(value: object) -> tuple[int, int]:
    """``nodes``: a maximum, or a [min, max] pair, each in 2..MAX_NODES."""
    if isinstance(value, list) and len(value) == 2:
        low = check_int("nodes' minimum", value[0], 2, MAX_NODES)
        high = check_int("nodes' maximum", value[1], 2, MAX_NODES)
        if low > high:
            raise ConfigError(f"nodes: minimum {low} is larger than maximum {high}")
        return low, high
    if isinstance(value, list):
        raise ConfigError(f"nodes must be a maximum or a [min, max] pair, got {value!r}")
    return 2, check_int("nodes", value, 2, MAX_NODES)


def _op_names(value: object) -> list[str]:
    """``ops``: a non-empty list of distinct op names, none of them input or output."""
    if not isinstance(value, list) or not value:
        raise ConfigError("ops must be a non-empty list of op names, e.g. [conv3x3, maxpool]")
    for op in value:
        if not isinstance(op, str) or not op.strip():
            raise ConfigError(f"ops: {op!r} is not an op name")
        if op in RESERVED_OPS:
            raise ConfigError(f"ops: {op!r} is reserved for the first and last vertex")
    if len(set(value)) != len(value):
        raise ConfigError("ops lists an op twice")
    return value


def space_from_mapping(data: object, name: str) -> DescribedSpace:
    """A described space from the parsed YAML ``data`` (ConfigError naming any bad field)."""
    if not isinstance(data, dict):
        raise ConfigError(f"space file {name} must be a mapping with: {', '.join(FIELDS)}")
    unknown = [str(key) for key in data if key not in FIELDS]
    if unknown:
        raise ConfigError(
            f"space file {name}: unknown field {unknown[0]!r}; known: {', '.join(FIELDS)}"
        )
    for required in ("ops", "nodes"):
        if required not in data:
            raise ConfigError(f"space file {name} needs {required!r}")
    low, high = _node_range(data["nodes"])
    options: dict[str, Any] = {}
    for key in ("max_in_degree", "max_edges"):
        if data.get(key) is not None:
            options[key] = check_int(key, data[key], 1, MAX_NODES * MAX_NODES)
    return DescribedSpace(_op_names(data["ops"]), high, low, name=name, **options)


def read_space_file(path: str | Path) -> DescribedSpace:
    """The space a YAML file describes, named by the file's resolved path."""
    from archembed.experiments.config import read_yaml_file

    target = Path(path).expanduser()
    data = read_yaml_file(target, "space file")
    return space_from_mapping(data, str(target.resolve()))
