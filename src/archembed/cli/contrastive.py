"""``archembed pretrain contrastive``: train the contrastive encoder on Jacobian feature stores."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import JsonOption, app, emit, pretrain_app


@pretrain_app.command("contrastive")
def pretrain_contrastive(
    features: Annotated[
        list[Path],
        typer.Option(
            "--features",
            help="Feature store (archembed features jacobian); repeat to embed several spaces.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    partial: Annotated[
        bool,
        typer.Option("--partial", help="Accept stores still being computed: use rows written."),
    ] = False,
    epochs: Annotated[int, typer.Option("--epochs", min=0, help="Training epochs.")] = 30,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=2, help="Architectures per batch (2 views each).")
    ] = 512,
    temperature: Annotated[float, typer.Option("--temperature", help="NT-Xent temperature.")] = 0.1,
    embed_dim: Annotated[int, typer.Option("--embed-dim", min=1, help="Embedding size.")] = 256,
    hidden: Annotated[int, typer.Option("--hidden", min=1, help="Per-point MLP width.")] = 128,
    lr: Annotated[float, typer.Option("--lr", help="Adam learning rate.")] = 1e-3,
    holdout: Annotated[
        float, typer.Option("--holdout", help="Fraction of architectures held out for the loss.")
    ] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    device: Annotated[str, typer.Option("--device", help="cpu or cuda[:N].")] = "cpu",
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Train a DeepSets encoder with NT-Xent on feature sets; resumes from OUT/checkpoint.pt."""
    from archembed.encoders.contrastive import ContrastiveEncoder

    encoder = ContrastiveEncoder.from_stores(
        features,
        partial=partial,
        embed_dim=embed_dim,
        hidden=hidden,
        temperature=temperature,
        batch_size=batch_size,
        epochs=epochs,
        lr=lr,
        holdout=holdout,
        seed=seed,
        device=device,
        checkpoint_dir=out,
        progress=not quiet,
    )
    started = time.perf_counter()
    encoder.fit()
    encoder.save(out)
    last = encoder.history_[-1] if encoder.history_ else {}
    emit(
        {
            "model": str(out),
            "spaces": list(dict.fromkeys(encoder.spaces)),
            "architectures": len(encoder.feature_sets.all_entries()),
            "epochs": epochs,
            "train_loss": last.get("train_loss"),
            "heldout_loss": last.get("heldout_loss"),
            "seconds": round(time.perf_counter() - started, 1),
        },
        as_json,
    )


contrastive_app = typer.Typer(
    help="Evaluations of contrastive embeddings (Hesslow & Poli): Table 1, transfer.",
    no_args_is_help=True,
)
app.add_typer(contrastive_app, name="contrastive")
ModelOption = Annotated[Path, typer.Option("--model", help="Trained contrastive model directory.")]
OutOption = Annotated[Path, typer.Option("--out", help="Directory for the JSON and Markdown.")]
SeedsOption = Annotated[int, typer.Option("--seeds", min=1, help="Runs (seeds 0..N-1).")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
EvalFeaturesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--eval-features", help="Evaluate on the cells of these stores (default: the model's)."
    ),
]


def _open_stores(paths: list[Path] | None):
    from archembed.nets.feature_store import FeatureStore

    return None if not paths else [FeatureStore.open(p) for p in paths]


def _load_contrastive(path: Path):
    from archembed.encoders import load_encoder
    from archembed.encoders.contrastive import ContrastiveEncoder
    from archembed.errors import ConfigError

    model = load_encoder(path)
    if not isinstance(model, ContrastiveEncoder):
        raise ConfigError(f"{path} holds a {model.name!r} model, not a contrastive one")
    return model


@contrastive_app.command("table1")
def table1_command(
    model: ModelOption,
    out: OutOption,
    baseline: Annotated[
        list[Path] | None,
        typer.Option("--baseline", help="Another saved encoder (e.g. arch2vec) to add as a row."),
    ] = None,
    eval_features: EvalFeaturesOption = None,
    n_train: Annotated[int, typer.Option("--n-train", min=1, help="Training cells.")] = 500,
    seeds: SeedsOption = 10,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """LightGBM on 500 NB201 cells, Pearson/Kendall on the rest: raw, untrained, trained, ..."""
    from archembed.encoders import load_encoder
    from archembed.experiments.contrastive_report import table1_report

    extra = {}
    for path in baseline or []:
        encoder = load_encoder(path)
        extra[encoder.name] = encoder
    rows = table1_report(
        _load_contrastive(model),
        out,
        extra=extra,
        stores=_open_stores(eval_features),
        n_train=n_train,
        seeds=range(seeds),
        progress=not quiet,
    )
    emit(_brief(rows, ["representation", "dataset"]), as_json, title=f"written to {out}")


@contrastive_app.command("transfer")
def transfer_command(
    model: ModelOption,
    out: OutOption,
    n_train: Annotated[int, typer.Option("--n-train", min=1, help="Training archs.")] = 1000,
    seeds: SeedsOption = 10,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
) -> None:
    """Random forest across one embedding space: NB201 <-> NB101 and CIFAR-10 -> CIFAR-100."""
    from archembed.experiments.contrastive_report import transfer_report

    rows = transfer_report(
        _load_contrastive(model), out, n_train=n_train, seeds=range(seeds), progress=not quiet
    )
    emit(_brief(rows, ["representation", "source", "target"]), as_json, title=f"written to {out}")


def _brief(rows: list[dict], keys: list[str]) -> list[dict]:
    """Summary columns of report rows (the per-seed runs stay in the JSON file)."""
    return [
        {
            **{k: row[k] for k in keys},
            **{m: round(row[m], 4) for m in ("pearson", "kendall_tau")},
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
    max_points: Annotated[int, typer.Option("--max-points", min=3, help="Cells shown.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Sample and t-SNE seed.")] = 0,
    eval_features: EvalFeaturesOption = None,
) -> None:
    """t-SNE maps of raw features, untrained and trained embeddings, coloured by accuracy."""
    from archembed.experiments.contrastive_report import tsne_report

    for path in tsne_report(
        _load_contrastive(model),
        out,
        stores=_open_stores(eval_features),
        dataset=dataset,
        max_points=max_points,
        seed=seed,
    ):
        typer.echo(str(path))
