import importlib.util
from pathlib import Path

import numpy as np

from archembed.search import make_strategy
from archembed.search.budget import Budget
from archembed.search.loop import run_search
from archembed.search.objectives import FunctionObjective

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "user_objective.py"


def load_example():
    spec = importlib.util.spec_from_file_location("user_objective", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_user_training_function_drives_a_search():
    example = load_example()
    space = example.get_space("nb201")
    empty = space.from_native("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    convs = space.from_native(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    )
    dead, alive = example.train_cells([empty, convs], steps=60)
    assert dead < 20 < alive  # a cell that passes nothing cannot beat chance (10 classes)

    objective = FunctionObjective(lambda gs: example.train_cells(gs, steps=10), space)
    strategy = make_strategy("random", space, np.random.default_rng(0))
    trajectory, _ = run_search(strategy, objective, Budget(3), np.random.default_rng(0))
    assert len(trajectory) == 3 and trajectory["score"].between(0, 100).all()
