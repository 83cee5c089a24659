"""``archembed pretrain contrastive``: train the contrastive encoder on Jacobian feature stores."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from archembed.cli.common import JsonOption, emit, pretrain_app


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
            "spaces": encoder.spaces,
            "architectures": sum(len(s.ids) for s in encoder.feature_sets.stores),
            "epochs": epochs,
            "train_loss": last.get("train_loss"),
            "heldout_loss": last.get("heldout_loss"),
            "seconds": round(time.perf_counter() - started, 1),
        },
        as_json,
    )
