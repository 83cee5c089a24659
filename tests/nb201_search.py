"""The search tests' shared world: every NB201 cell as a finite space, and a smooth objective."""

from archembed.spaces import get_space
from archembed.spaces.restricted import RestrictedSpace


def all_nb201_cells() -> RestrictedSpace:
    """NB201 restricted to its 15,625 cells, so candidate pools are exhaustive."""
    space = get_space("nb201")
    return RestrictedSpace(space, space.enumerate())


def smooth(space):
    """3x3 convolutions count 1, skip connections 0.1: a smooth objective with a known optimum."""

    def score(graphs):
        ops = [space.edge_ops(g) for g in graphs]
        return [o.count("nor_conv_3x3") + 0.1 * o.count("skip_connect") for o in ops]

    return score
