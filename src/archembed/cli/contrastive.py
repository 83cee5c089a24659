"""``archembed pretrain contrastive`` and the ``contrastive`` evaluations (Table 1, transfer,
t-SNE) of an encoder trained on Jacobian feature stores."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from archembed.cli.common import (
    JsonOption,
    QuietOption,
    ThreadsOption,
    app,
    emit,
    pretrain_app,
)
from archembed.errors import ConfigError

MAX_RUNS = 1000
CONTRASTIVE_RECIPES = ("default", "paper", "fast")
"""The recipes of ``pretrain contrastive --recipe`` (a test checks they are ContrastiveConfig's)."""
RECIPE_DEFAULT = " (default: the recipe's)."


@pretrain_app.command("contrastive")
def pretrain_contrastive(
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    features: Annotated[
        list[Path] | None,
        typer.Option(
            "--features",
            help="Feature store (archembed features jacobian); repeat to embed several spaces.",
        ),
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option("--benchmark", help="Benchmark whose cells the --features store holds."),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option("--partial", help="Accept stores still being computed: use rows written."),
    ] = False,
    recipe: Annotated[
        str,
        typer.Option(
            "--recipe",
            help=f"Training recipe: {', '.join(CONTRASTIVE_RECIPES)}; the options below "
            "override it.",
        ),
    ] = "default",
    epochs: Annotated[
        int | None,
        typer.Option("--epochs", help="Training epochs (0: untrained)" + RECIPE_DEFAULT),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size", help="Architectures per batch (2 views each), >= 2" + RECIPE_DEFAULT
        ),
    ] = None,
    temperature: Annotated[
        float | None,
        typer.Option("--temperature", help="NT-Xent temperature, > 0" + RECIPE_DEFAULT),
    ] = None,
    embed_dim: Annotated[
        int | None, typer.Option("--embed-dim", help="Embedding size" + RECIPE_DEFAULT)
    ] = None,
    hidden: Annotated[
        int | None, typer.Option("--hidden", help="Per-point MLP width" + RECIPE_DEFAULT)
    ] = None,
    lr: Annotated[
        float | None, typer.Option("--lr", help="Adam learning rate, > 0" + RECIPE_DEFAULT)
    ] = None,
    lr_decay: Annotated[
        float | None,
        typer.Option("--lr-decay", help="Learning rate factor per epoch, (0, 1]" + RECIPE_DEFAULT),
    ] = None,
    holdout: Annotated[
        float | None,
        typer.Option(
            "--holdout",
            help="Fraction of architectures held out for the loss, [0, 1)" + RECIPE_DEFAULT,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    device: Annotated[str, typer.Option("--device", help="cpu or cuda[:N].")] = "cpu",
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Train a DeepSets encoder with NT-Xent on feature sets; resumes from OUT/checkpoint.pt.

    --recipe picks a complete configuration (paper: the official code's training; fast: a
    small, short run); every option given explicitly overrides it. A run
    whose loss turns NaN or infinite stops (exit 1) and writes no model.
    """
    from archembed.benchmarks.cells import require_features
    from archembed.encoders.contrastive import ContrastiveEncoder
    from archembed.encoders.pretrain import model_output
    from archembed.threads import apply_torch_threads

    features = require_features(features, benchmark)
    apply_torch_threads()
    given = {
        "epochs": epochs,
        "batch_size": batch_size,
        "temperature": temperature,
        "embed_dim": embed_dim,
        "hidden": hidden,
        "lr": lr,
        "lr_decay": lr_decay,
        "holdout": holdout,
    }
    encoder = ContrastiveEncoder.from_recipe(
        recipe,
        features,
        partial=partial,
        seed=seed,
        device=device,
        checkpoint_dir=out,
        progress=not quiet,
        **{name: value for name, value in given.items() if value is not None},
    )
    _check_not_other_model(out)
    out = model_output(out)
    started = time.perf_counter()
    encoder.fit()
    encoder.save(out)
    last = encoder.history_[-1] if encoder.history_ else {}
    emit(
        {
            "model": str(out),
            "spaces": list(dict.fromkeys(encoder.spaces)),
            "architectures": len(encoder.feature_sets.all_entries()),
            "recipe": recipe,
            "epochs": encoder.epochs,
            "train_loss": last.get("loss"),
            "heldout_loss": last.get("heldout_loss"),
            "seconds": round(time.perf_counter() - started, 1),
        },
        as_json,
    )


def _check_not_other_model(out: Path) -> None:
    """A contrastive run may extend its own finished model, never replace another encoder's."""
    from archembed.io import read_json_if_valid

    config = read_json_if_valid(out / "config.json")
    if isinstance(config, dict) and config.get("encoder", "contrastive") != "contrastive":
        raise ConfigError(
            f"--out {out} holds a finished {config['encoder']} model; choose another directory"
        )


contrastive_app = typer.Typer(
    help="Evaluations of contrastive embeddings (Hesslow & Poli): Table 1, transfer.",
    no_args_is_help=True,
)
app.add_typer(contrastive_app, name="contrastive")
ModelOption = Annotated[Path, typer.Option("--model", help="Trained contrastive model directory.")]
OutOption = Annotated[Path, typer.Option("--out", help="Directory for the JSON and Markdown.")]
SeedsOption = Annotated[int, typer.Option("--seeds", help="Runs (seeds 0..N-1), >= 1.")]
EvalFeaturesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--eval-features", help="Evaluate on the cells of these stores (default: the model's)."
    ),
]


def _open_stores(model: Any, paths: list[Path] | None) -> list | None:
    """The ``--eval-features`` stores, each checked to hold sets of the model's shape."""
    from archembed.nets.feature_store import FeatureStore

    stores = [FeatureStore.open(p) for p in paths or []]
    for store in stores:
        if tuple(store.features.shape[2:]) != (model.n_points_, model.in_dim_):
            raise ConfigError(
                f"--eval-features {store.directory} holds sets of shape "
                f"{tuple(store.features.shape[2:])}, the model was trained on "
                f"{(model.n_points_, model.in_dim_)}; compute them with the same --points and --k"
            )
    return stores or None


def _load_contrastive(path: Path) -> Any:
    from archembed.encoders import load_encoder
    from archembed.encoders.contrastive import ContrastiveEncoder

    model = load_encoder(path)
    if not isinstance(model, ContrastiveEncoder):
        raise ConfigError(f"--model {path} holds a {model.name!r} model, not a contrastive one")
    return model


def _check_seeds(seeds: int) -> None:
    from archembed.checks import check_int

    check_int("--seeds", seeds, 1, MAX_RUNS)


@contrastive_app.command("table1")
def table1_command(
    model: ModelOption,
    out: OutOption,
    baseline: Annotated[
        list[Path] | None,
        typer.Option("--baseline", help="Another saved encoder (e.g. arch2vec) to add as a row."),
    ] = None,
    eval_features: EvalFeaturesOption = None,
    n_train: Annotated[int, typer.Option("--n-train", help="Training cells, >= 1.")] = 500,
    seeds: SeedsOption = 10,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """LightGBM on 500 NB201 cells, Pearson/Kendall on the rest: raw, untrained, trained, ..."""
    from archembed.encoders import load_encoder
    from archembed.experiments.contrastive_report import table1_report
    from archembed.threads import apply_torch_threads

    apply_torch_threads()
    _check_seeds(seeds)
    contrastive = _load_contrastive(model)
    extra = {}
    for path in baseline or []:
        encoder = load_encoder(path)
        encoder.check_space("nb201")
        extra[encoder.name] = encoder
    stores = _open_stores(contrastive, eval_features)
    rows = table1_report(
        contrastive,
        out,
        extra=extra,
        stores=stores,
        n_train=n_train,
        seeds=range(seeds),
        progress=not quiet,
    )
    emit(_brief(rows, ["representation", "dataset"]), as_json, title=f"written to {out}")


@contrastive_app.command("transfer")
def transfer_command(
    model: ModelOption,
    out: OutOption,
    n_train: Annotated[int, typer.Option("--n-train", help="Training archs, >= 1.")] = 1000,
    seeds: SeedsOption = 10,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Random forest across one embedding space: NB201 <-> NB101 and CIFAR-10 -> CIFAR-100."""
    from archembed.experiments.contrastive_report import transfer_report
    from archembed.threads import apply_torch_threads

    apply_torch_threads()
    _check_seeds(seeds)
    rows = transfer_report(
        _load_contrastive(model),
        out,
        n_train=n_train,
        seeds=range(seeds),
        progress=not quiet,
    )
    emit(_brief(rows, ["representation", "source", "target"]), as_json, title=f"written to {out}")


@contrastive_app.command("table2")
def table2_command(
    model: ModelOption,
    out: OutOption,
    raw_features: Annotated[
        list[Path] | None,
        typer.Option("--raw-features", help="Unnormalised store of a space, for Figure 7."),
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", help="cifar10 (default), cifar100, ImageNet16-120; repeat."),
    ] = None,
    n_train: Annotated[int, typer.Option("--n-train", help="Training cells per space.")] = 10_000,
    n_test: Annotated[int, typer.Option("--n-test", help="Test cells per space.")] = 3_000,
    seeds: SeedsOption = 10,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Paper Table 2: random forest between the size (nats_sss) and topology (nb201) spaces."""
    from archembed.experiments.space_transfer import table2_report
    from archembed.nets.feature_store import FeatureStore
    from archembed.threads import apply_torch_threads

    apply_torch_threads()
    _check_seeds(seeds)
    raw = [FeatureStore.open(p) for p in raw_features or []]
    rows = table2_report(
        _load_contrastive(model),
        out,
        raw_stores=raw,
        datasets=dataset or ["cifar10"],
        n_train=n_train,
        n_test=n_test,
        seeds=range(seeds),
        progress=not quiet,
    )
    keys = ["representation", "dataset", "source", "target"]
    emit(_brief(rows, keys), as_json, title=f"written to {out}")


def _brief(rows: list[dict], keys: list[str]) -> list[dict]:
    """Summary columns of report rows: mean, std and runs of each metric (runs stay in JSON)."""
    metrics = ("pearson", "kendall_tau")
    return [
        {
            **{k: row[k] for k in keys},
            **{f: row[f] for m in metrics for f in (m, f"{m}_std")},
            "n": len(row["runs"]),
        }
        for row in rows
    ]


@contrastive_app.command("tsne")
def tsne_command(
    model: ModelOption,
    out: OutOption,
    dataset: Annotated[str, typer.Option("--dataset", help="NB201 dataset for colours.")] = (
        "cifar10"
    ),
    max_points: Annotated[int, typer.Option("--max-points", help="Cells shown, >= 3.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Sample and t-SNE seed.")] = 0,
    eval_features: EvalFeaturesOption = None,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """t-SNE maps of raw features, untrained and trained embeddings, coloured by accuracy."""
    from archembed.experiments.contrastive_report import tsne_report
    from archembed.progress import status
    from archembed.threads import apply_torch_threads

    apply_torch_threads()
    contrastive = _load_contrastive(model)
    stores = _open_stores(contrastive, eval_features)
    with status("t-SNE maps of raw, untrained and trained representations"):
        paths = tsne_report(
            contrastive,
            out,
            stores=stores,
            dataset=dataset,
            max_points=max_points,
            seed=seed,
        )
    if as_json:
        emit({"out": str(out), "files": [str(p) for p in paths]}, as_json)
    else:
        for path in paths:
            typer.echo(str(path))
