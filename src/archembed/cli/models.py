"""Model commands: ``pretrain arch2vec``, ``embed`` (any encoder) and ``evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import (
    DataDirOption,
    JsonOption,
    QuietOption,
    ThreadsOption,
    app,
    apply_data_dir,
    console,
    emit,
    pretrain_app,
)
from archembed.cli.locality import METRIC_LOSS_NAMES, MINER_NAMES
from archembed.errors import ConfigError
from archembed.outputs import output_dir, output_file
from archembed.progress import status

LOCALITY_HELP = "arch2vec + locality (off unless --locality-loss is given)"
EVALUATION_KIND = "evaluation"
"""The output-directory kind of ``evaluate`` (see :mod:`archembed.outputs`)."""


ARCH2VEC_RECIPES = ("default", "plain", "official", "paper", "dag", "fast")
"""The recipes of ``pretrain arch2vec --recipe`` (a test checks they are Arch2VecConfig's)."""
RECIPE_DEFAULT = " (default: the recipe's)."


@pretrain_app.command("arch2vec")
def pretrain_arch2vec(
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    space: Annotated[
        str | None,
        typer.Option("--space", help="Search space (a name or a space YAML file) to pretrain on."),
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option("--benchmark", help="Pretrain on the architectures of this benchmark."),
    ] = None,
    holdout: Annotated[
        float | None,
        typer.Option(
            "--holdout",
            help="Share of the architectures held out of training to measure reconstruction, "
            "in [0, 1)" + RECIPE_DEFAULT,
        ),
    ] = None,
    recipe: Annotated[
        str,
        typer.Option(
            "--recipe",
            help=f"Training recipe: {', '.join(ARCH2VEC_RECIPES)}; the options below override it.",
        ),
    ] = "default",
    epochs: Annotated[
        int | None, typer.Option("--epochs", help="Epochs, >= 1 (default: paper's per space).")
    ] = None,
    latent_dim: Annotated[
        int | None, typer.Option("--latent-dim", help="Latent size, >= 1" + RECIPE_DEFAULT)
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", help="Batch size, >= 2" + RECIPE_DEFAULT)
    ] = None,
    lr: Annotated[
        float | None, typer.Option("--lr", help="Adam learning rate, > 0" + RECIPE_DEFAULT)
    ] = None,
    encoder: Annotated[
        str | None,
        typer.Option(
            "--encoder",
            help="gin (arch2vec), gin-directed (successors and predecessors summed apart) "
            "or gcn (GAE/VGAE).",
        ),
    ] = None,
    variational: Annotated[
        bool | None,
        typer.Option(
            "--variational/--no-variational",
            help="Variational or plain autoencoder (with gcn: VGAE or GAE)" + RECIPE_DEFAULT,
            show_default=False,
        ),
    ] = None,
    kl_weight: Annotated[
        float | None,
        typer.Option("--kl-weight", help="Weight of the KL term, >= 0 (0: off)" + RECIPE_DEFAULT),
    ] = None,
    adj_weight: Annotated[
        float | None,
        typer.Option(
            "--adj-weight",
            help="Weight of the adjacency loss against the op loss (official recipe: "
            "(N - 1) / 2N for N-vertex graphs)" + RECIPE_DEFAULT,
        ),
    ] = None,
    adj_offset: Annotated[
        bool | None,
        typer.Option(
            "--adj-offset/--no-adj-offset",
            help="Learn an offset for the adjacency logits (default recipe: on exactly when "
            "the training graphs have unlinked twins; official, paper: off).",
            show_default=False,
        ),
    ] = None,
    decoder_dropout: Annotated[
        float | None,
        typer.Option("--decoder-dropout", help="Dropout on latents before decoding, in [0, 1)."),
    ] = None,
    stochastic_epochs: Annotated[
        int | None,
        typer.Option(
            "--stochastic-epochs",
            help="Train in training mode (latent sampling, dropout) only for the first N epochs, "
            "then in eval mode as the official code" + RECIPE_DEFAULT,
        ),
    ] = None,
    grad_clip: Annotated[
        float | None,
        typer.Option(
            "--grad-clip",
            help="Clip each step's gradient norm to this value (official recipe: 5).",
        ),
    ] = None,
    op_loss: Annotated[
        str | None,
        typer.Option(
            "--op-loss",
            help="softmax (cross-entropy), sigmoid (per-class BCE, as the official code) or "
            "sigmoid-zero-pad (the same, padded vertices as all-zero rows).",
        ),
    ] = None,
    data_order: Annotated[
        str | None,
        typer.Option(
            "--data-order",
            help="reshuffle (a new order every epoch) or fixed (one random order for every "
            "epoch, as the official code).",
        ),
    ] = None,
    latent_stats: Annotated[
        str | None,
        typer.Option(
            "--latent-stats",
            help="Sampling Gaussian from the final model's training latents (final) or from "
            "the last epoch's training-batch latents (last-epoch, as the official code).",
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option("--samples", help="Train on N >= 2 random archs (default: all, if finite)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    device: Annotated[str, typer.Option("--device", help="cpu or cuda[:N].")] = "cpu",
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run.")] = False,
    data_dir: DataDirOption = None,
    locality_loss: Annotated[
        str | None,
        typer.Option(
            "--locality-loss",
            help=f"Add a locality metric loss: {', '.join(METRIC_LOSS_NAMES[1:])} "
            "(as `pretrain locality --loss`; default: off).",
            show_default=False,
            rich_help_panel=LOCALITY_HELP,
        ),
    ] = None,
    locality_miner: Annotated[
        str | None,
        typer.Option(
            "--locality-miner",
            help=f"Miner: {', '.join(MINER_NAMES)} (default: the loss's usual miner).",
            show_default=False,
            rich_help_panel=LOCALITY_HELP,
        ),
    ] = None,
    locality_weight: Annotated[
        float | None,
        typer.Option(
            "--locality-weight",
            help="Weight lambda_e of the metric loss, in [0, 1] (default 0.5).",
            show_default=False,
            rich_help_panel=LOCALITY_HELP,
        ),
    ] = None,
    locality_positives: Annotated[
        int | None,
        typer.Option(
            "--locality-positives",
            help="Positives per anchor (default 7).",
            rich_help_panel=LOCALITY_HELP,
        ),
    ] = None,
    locality_max_edits: Annotated[
        int | None,
        typer.Option(
            "--locality-max-edits",
            help="Edits per positive: 1..max (default 3).",
            rich_help_panel=LOCALITY_HELP,
        ),
    ] = None,
    locality_anchors: Annotated[
        int | None,
        typer.Option(
            "--locality-anchors",
            help="Anchors taken from each training batch (default 16).",
            rich_help_panel=LOCALITY_HELP,
        ),
    ] = None,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Pretrain arch2vec (or its GAE/VGAE ablations) on a search space; saves a model directory.

    --space or --benchmark says what to train on: every architecture of a finite space (else
    --samples random ones), or the architectures of a benchmark (an imported one too); the
    --holdout share is kept out of training and scores the reconstruction after each epoch.
    --recipe picks a complete configuration computed for the space (official: the official
    code's training, loss scaling included; paper: the paper's stated settings; plain:
    archembed's own VAE; fast: a short run; default: official on nb201, where it searched
    best, plain elsewhere); every option given explicitly overrides the recipe's value. With
    --locality-loss, each batch also adds --locality-weight x a metric loss that pulls cells a
    few random edits apart together (the loss of `pretrain locality`). A run whose loss turns
    NaN or infinite stops (exit 1) and writes no model; --resume continues from its last good
    epoch.
    """
    from archembed.benchmarks.cells import training_space
    from archembed.encoders.arch2vec import Arch2Vec
    from archembed.encoders.pretrain import (
        check_samples,
        check_target,
        model_output,
        pretrain_to,
        training_graphs,
    )
    from archembed.threads import apply_torch_threads

    apply_data_dir(data_dir)
    apply_torch_threads()
    if locality_loss is None and (locality_weight is not None or locality_miner is not None):
        raise ConfigError("--locality-weight and --locality-miner need --locality-loss")
    check_samples(samples)
    space_obj = training_space(space, benchmark)
    given = {
        "epochs": epochs,
        "latent_dim": latent_dim,
        "batch_size": batch_size,
        "lr": lr,
        "encoder": encoder,
        "variational": variational,
        "kl_weight": kl_weight,
        "adj_weight": adj_weight,
        "adj_offset": adj_offset,
        "decoder_dropout": decoder_dropout,
        "stochastic_epochs": stochastic_epochs,
        "grad_clip": grad_clip,
        "op_loss": op_loss,
        "data_order": data_order,
        "latent_stats": latent_stats,
        "holdout": holdout,
        "locality_loss": locality_loss,
        "locality_miner": locality_miner,
        "locality_weight": locality_weight,
        "locality_positives": locality_positives,
        "locality_max_edits": locality_max_edits,
        "locality_anchors": locality_anchors,
    }
    overrides = {name: value for name, value in given.items() if value is not None}
    model = Arch2Vec.from_recipe(recipe, space_obj, device=device, seed=seed, **overrides)
    out = model_output(out)
    check_target(out, resume)
    graphs = training_graphs(space_obj, samples, seed)
    pretrain_to(model, graphs, out, resume=resume, progress=not quiet)
    title = f"arch2vec ({recipe} recipe) on {space_obj.name} ({len(graphs)} architectures)"
    emit(model.history_, as_json, title=title)
    if not as_json:
        console.print(f"model written to {out}")


@app.command("embed")
def embed_command(
    model: Annotated[
        str,
        typer.Argument(
            help="Model directory, pretrained:NAME (a shipped model, see `archembed models`), "
            "or an encoder needing no training: onehot, path."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    space: Annotated[
        str | None, typer.Option("--space", help="Embed every architecture of this space.")
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option("--benchmark", help="Embed every architecture of a benchmark.")
    ] = None,
    archs: Annotated[
        Path | None,
        typer.Option("--archs", help="File of native architecture strings, one a line."),
    ] = None,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write arch id, native string and embedding vector of each architecture to Parquet."""
    from archembed.encoders.embedding import embed_to_parquet, resolve_encoder, select_graphs
    from archembed.pretrained import resolve_model
    from archembed.threads import apply_torch_threads

    apply_data_dir(data_dir)
    apply_torch_threads()
    out = output_file(out, (".parquet",))
    encoder, graphs = select_graphs(resolve_model(model), space, benchmark, archs)
    encoder = resolve_encoder(encoder, graphs)
    with status(f"embedding {len(graphs)} architectures"):
        info = embed_to_parquet(encoder, graphs, out, source=model)
    emit(info, as_json)


@app.command("evaluate")
def evaluate_command(
    model: Annotated[
        Path,
        typer.Argument(
            help="Model directory (any saved encoder), or an embedding Parquet file of every "
            "architecture of the benchmark's space (columns arch, embedding)."
        ),
    ],
    benchmark: Annotated[str, typer.Option("--benchmark", help="Benchmark with labels.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for JSON and PNG results.")],
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Dataset of the labels (default: the only one).")
    ] = None,
    metric: Annotated[
        str | None, typer.Option("--metric", help="Metric (default: val_acc, else the only one).")
    ] = None,
    epoch: Annotated[
        int | None, typer.Option("--epoch", help="Training epoch of the metric.")
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", help="Decoded latent samples, >= 1.")
    ] = 10_000,
    n_train: Annotated[int, typer.Option("--n-train", help="GP training archs, >= 2.")] = 250,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Score only test archs above this value.")
    ] = 80.0,
    seeds: Annotated[int, typer.Option("--seeds", help="GP repetitions, >= 1.")] = 10,
    walk_steps: Annotated[int, typer.Option("--walk-steps", help="Random-walk steps.")] = 1000,
    tsne_points: Annotated[
        int, typer.Option("--tsne-points", help="Points in the 2-D map, >= 3.")
    ] = 3000,
    projection: Annotated[str, typer.Option("--projection", help="tsne, umap or pca.")] = "tsne",
    seed: Annotated[int, typer.Option("--seed")] = 0,
    threads: ThreadsOption = None,
    quiet: QuietOption = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pretraining quality, predictive power, smoothness, t-SNE and nearest-neighbour sequence."""
    from dataclasses import replace

    from archembed.benchmarks.catalog import load_benchmark
    from archembed.encoders.base import load_encoder
    from archembed.encoders.precomputed import is_embedding_file, read_embedding_file
    from archembed.evaluation.report import EvaluationSettings, check_evaluation, evaluate_model
    from archembed.threads import apply_torch_threads

    apply_data_dir(data_dir)
    apply_torch_threads()
    settings = EvaluationSettings(
        dataset=dataset or "",
        metric=metric or "",
        epoch=epoch,
        samples=samples,
        n_train=n_train,
        threshold=threshold,
        seeds=seeds,
        walk_steps=walk_steps,
        tsne_points=tsne_points,
        projection=projection,
        seed=seed,
    )
    embeddings = read_embedding_file(model) if is_embedding_file(model) else None
    encoder = load_encoder(model) if embeddings is None else None
    bench = load_benchmark(benchmark)
    if embeddings is not None:
        encoder = embeddings.encoder(bench.space)
    dataset = bench.index.default_dataset(dataset)
    metric = bench.index.default_metric(dataset, metric)
    settings = replace(settings, dataset=dataset, metric=metric)
    check_evaluation(encoder, bench, settings)
    out = output_dir(out, EVALUATION_KIND)
    summary = evaluate_model(encoder, bench, settings, out, progress=not quiet)
    emit(summary, as_json)
