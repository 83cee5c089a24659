"""``archembed pretrain locality``: locality-based pretraining of a NAO controller."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    QuietOption,
    ThreadsOption,
    apply_data_dir,
    emit,
    pretrain_app,
)
from archembed.errors import ConfigError

METRIC_LOSS_NAMES = (
    "none",
    "triplet",
    "contrastive",
    "margin",
    "multisimilarity",
    "npairs",
    "angular",
    "lifted",
    "generalized_lifted",
)
"""Names of :func:`archembed.nn.metric_learning.metric_loss_names`, for help texts that must
not import pytorch-metric-learning (a test checks that the two agree)."""
MINER_NAMES = ("none", "semihard", "angular")
"""Names of :func:`archembed.nn.metric_learning.miner_names` (same test)."""
CHECKPOINT = "checkpoint.pt"
LOCALITY_RECIPES = ("default", "paper", "fast")
"""The recipes of ``pretrain locality --recipe`` (a test checks they are LocalityConfig's)."""
RECIPE_DEFAULT = " (default: the recipe's)."


@pretrain_app.command("locality")
def pretrain_locality_command(
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    space: Annotated[
        str | None, typer.Option("--space", help="Search space (nb101, nb201, ...).")
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="Anchors: the cells of this benchmark.")
    ] = None,
    recipe: Annotated[
        str,
        typer.Option(
            "--recipe",
            help=f"Pretraining recipe: {', '.join(LOCALITY_RECIPES)}; the options below "
            "override it.",
        ),
    ] = "default",
    loss: Annotated[
        str | None,
        typer.Option(
            "--loss", help=f"Metric loss: {', '.join(METRIC_LOSS_NAMES)}" + RECIPE_DEFAULT
        ),
    ] = None,
    miner: Annotated[
        str | None,
        typer.Option(
            "--miner",
            help=f"Miner: {', '.join(MINER_NAMES)} (default: the loss's usual miner).",
            show_default=False,
        ),
    ] = None,
    lambda_e: Annotated[
        float | None,
        typer.Option("--lambda-e", help="Weight of the metric loss, in [0, 1]" + RECIPE_DEFAULT),
    ] = None,
    anchors: Annotated[
        int | None, typer.Option(help="Random anchor cells per epoch" + RECIPE_DEFAULT)
    ] = None,
    positives: Annotated[
        int | None, typer.Option(help="Positives per anchor" + RECIPE_DEFAULT)
    ] = None,
    max_edits: Annotated[
        int | None, typer.Option(help="Edits per positive: 1..max" + RECIPE_DEFAULT)
    ] = None,
    anchors_per_batch: Annotated[
        int | None, typer.Option(help="Anchors per batch" + RECIPE_DEFAULT)
    ] = None,
    epochs: Annotated[
        int | None, typer.Option(help="Passes over the anchors" + RECIPE_DEFAULT)
    ] = None,
    hidden: Annotated[
        int | None, typer.Option(help="Controller hidden size (16-64)" + RECIPE_DEFAULT)
    ] = None,
    lr: Annotated[float | None, typer.Option(help="Adam learning rate" + RECIPE_DEFAULT)] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: Annotated[str, typer.Option(help="Torch device: cpu or cuda[:N].")] = "cpu",
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore an interrupted run's checkpoint.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a finished model.")] = False,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pretrain a NAO controller so that cells a few edits apart embed close together.

    --recipe picks a complete configuration computed for the space (paper: the official code's
    settings; fast: a short run); every option given explicitly overrides it. Interrupted
    runs resume from OUT/checkpoint.pt (saved after every epoch). A run whose
    loss turns NaN or infinite stops (exit 1) and writes no model.
    """
    from archembed.benchmarks.cells import training_space
    from archembed.encoders.locality import pretrain_locality
    from archembed.encoders.nao import NAOEncoder
    from archembed.encoders.pretrain import model_output
    from archembed.threads import apply_torch_threads

    apply_data_dir(data_dir)
    apply_torch_threads()
    given = {
        "loss": loss,
        "miner": miner,
        "lambda_e": lambda_e,
        "anchors": anchors,
        "positives": positives,
        "max_edits": max_edits,
        "anchors_per_batch": anchors_per_batch,
        "epochs": epochs,
        "hidden": hidden,
        "lr": lr,
    }
    overrides = {name: value for name, value in given.items() if value is not None}
    encoder = NAOEncoder.from_recipe(
        recipe, training_space(space, benchmark), device=device, seed=seed, **overrides
    )
    config = encoder.locality
    if (out / "config.json").exists() and not force:
        raise ConfigError(f"{out} already holds a model; use --force to overwrite it")
    out = model_output(out)
    checkpoint = out / CHECKPOINT
    if restart:
        checkpoint.unlink(missing_ok=True)
    started = time.perf_counter()
    history = pretrain_locality(encoder, config, checkpoint=checkpoint, progress=not quiet)
    encoder.save(out)
    checkpoint.unlink(missing_ok=True)
    emit(
        {
            "model": str(out),
            "space": encoder.space.name,
            "recipe": recipe,
            "loss": config.loss,
            "epochs": config.epochs,
            "final": history[-1],
            "seconds": round(time.perf_counter() - started, 1),
        },
        as_json,
    )
