"""``archembed models``: the pretrained models shipped in the package, with their cards."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from archembed.cli.common import JsonOption, QuietOption, app, console, emit

models_app = typer.Typer(
    help="Pretrained models shipped with archembed (use one as --encoder pretrained:NAME)."
)
app.add_typer(models_app, name="models")

HEADLINE_METRICS = (
    "holdout_reconstruction",
    "paper_validity",
    "validity",
    "reconstruction",
    "smoothness_spearman",
    "cifar10_kendall_tau",
)
"""The card metrics the list shows, where a model's card has them."""


@models_app.callback(invoke_without_command=True)
def models_command(
    ctx: typer.Context, as_json: JsonOption = False, quiet: QuietOption = False
) -> None:
    """List the shipped models: name, encoder, space, recipe, seed, size and main metrics.

    JSON: a list of the models' full cards (recipe, data, seed, metrics, file checksums).
    """
    if ctx.invoked_subcommand is not None:
        return
    from archembed.pretrained import NAMES, load_card

    cards = [load_card(name) for name in NAMES]
    emit(cards if as_json else [_summary(card) for card in cards], as_json, "shipped models")


@models_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="A shipped model (listed by `archembed models`).")],
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Print one shipped model's card: recipe, data, seed, metrics, environment, checksums."""
    from archembed.pretrained import load_card

    card = load_card(name)
    if as_json:
        emit(card, as_json)
        return
    for key, value in card.items():
        if key != "embedding_sample":
            console.print(f"[bold]{key}[/bold]: {_text(value)}", highlight=False)


def _summary(card: dict[str, Any]) -> dict[str, Any]:
    """One table row of a card."""
    from archembed.pretrained import model_size

    metrics = card["metrics"]
    shown = {key: metrics[key] for key in HEADLINE_METRICS if key in metrics}
    recipe = card.get("recipe_name", "custom")
    if card.get("samples"):
        recipe += f" on {card['samples']:,} samples"
    return {
        "name": card["name"],
        "encoder": card["encoder"],
        "space": card["space"],
        "recipe": recipe,
        "seed": card["seed"],
        "KB": round(model_size(card["name"]) / 1024),
        "metrics": ", ".join(f"{key} {value:.3g}" for key, value in shown.items()),
    }


def _text(value: Any) -> str:
    """A card value on one line: mappings as ``key=value`` pairs."""
    if isinstance(value, dict):
        return ", ".join(f"{key}={_text(item)}" for key, item in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
