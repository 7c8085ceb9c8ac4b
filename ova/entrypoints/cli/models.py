"""``ova models list | verify | pull``: the local models' files on this machine, from the catalogue."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from ova.application.ports.model_store import ModelReport, ModelStore
from ova.domain.errors import DomainError


def _size(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


def _state(report: ModelReport) -> str:
    if report.verified:
        return "verified"
    return "present" if report.present else "missing"


def models_group(store_of: Callable[[], ModelStore]) -> click.Group:
    """The ``models`` command group; ``store_of`` builds the store from the configuration."""

    @click.group()
    def models() -> None:
        """Local models: what they are, whether their files are here and right (sha256)."""

    @models.command("list")
    def list_models() -> None:
        """Every model of the catalogue: state here, size, licence, and the capability that runs it."""
        store = store_of()
        click.echo(f"{'name':<20} {'task':<9} {'state':<9} {'size':>9}  {'licence':<16} {'languages':<14} used by")
        for name in store.names():
            report = store.report(name)
            languages = ",".join(report.languages[:4]) + ("…" if len(report.languages) > 4 else "")
            click.echo(f"{name:<20} {report.task:<9} {_state(report):<9} {_size(report.size):>9}  "
                       f"{report.licence:<16} {languages:<14} {', '.join(report.used_by) or '-'}")
        click.echo("state: verified (sha256 matched), present (not checked yet: `ova models verify`), missing")

    @models.command()
    @click.argument("names", nargs=-1)
    def verify(names: tuple[str, ...]) -> None:
        """Hash every present file of NAMES (default: every model) again. Exit 1 if a model in use is
        not verified, or a named one is not."""
        store = store_of()
        failed = False
        for name in names or tuple(store.names()):
            try:
                report = store.report(name, check=True)
            except DomainError as error:
                raise click.BadParameter(error.detail, param_hint="NAMES") from None
            click.echo(f"{name:<20} {_state(report)}")
            for file in report.files:
                if file.note:
                    click.echo(f"  {file.name}: {file.note}")
                if file.present and not file.verified:
                    click.echo(f"  {file.name}: sha256 differs from {file.sha256}")
            if not report.verified and (names or report.used_by):
                failed = True
        sys.exit(1 if failed else 0)

    @models.command()
    @click.argument("name")
    def pull(name: str) -> None:
        """Download NAME's missing files from their upstream URLs (resuming, sha256-checked)."""
        store = store_of()
        with click.progressbar(length=1, label=f"{name}", show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, done, 1)
                bar.update(done - bar.pos)

            try:
                report = store.pull(name, progress)
            except DomainError as error:
                click.echo(f"\n{error.detail}", err=True)
                sys.exit(1)
        click.echo(f"{name}: {_state(report)}")

    return models
