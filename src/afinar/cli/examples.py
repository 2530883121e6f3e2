"""`afinar examples ...`: write example datasets (marked as example data) for the course's exercises."""

from __future__ import annotations

from pathlib import Path

import click

from afinar import i18n
from afinar.cli.options import lang_option


@click.group()
@lang_option
def examples() -> None:
    """Write example datasets for the course's exercises (offline, from registry packages)."""


@examples.command("cats-dogs")
@click.argument("out", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--per-class", type=click.IntRange(2, 1000), default=1000, show_default=True,
              help="Pictures of each class (the package has 1,000 cats and 1,000 dogs).")
@click.option("--valid-fraction", type=click.FloatRange(0.05, 0.5), default=0.2, show_default=True,
              help="Share of each class written to validation/.")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the random choice and split.")
@click.option("--force", is_flag=True, help="Write into DIR even if it is not empty.")
@lang_option
def cats_dogs(out: Path, per_class: int, valid_fraction: float, seed: int, force: bool) -> None:
    """Cat and dog silhouettes (animal-shape-mnist, MIT) as PNG files in the course's layout.

    \b
    DIR/train/cat/  DIR/train/dog/  DIR/validation/cat/  DIR/validation/dog/
    The package is installed on first use (pip --no-deps) and converted once.
    """
    from afinar.tasks.image_classification.example_data import write_cats_dogs

    click.echo(i18n.t("examples.cats_dogs.source"), err=True)
    counts = write_cats_dogs(out, per_class=per_class, valid_fraction=valid_fraction, seed=seed, force=force)
    click.echo(i18n.t("examples.cats_dogs.done", path=str(out), train=sum(counts["train"].values()),
                      valid=sum(counts["validation"].values())))
