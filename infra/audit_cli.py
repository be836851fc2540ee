"""`zhurnal audit ...`: tamper evidence of the log, and erasing a person's personal data.

    zhurnal audit head                      the chain's latest checkpoint, as POSITION:HASH
    zhurnal audit verify [--anchor P:H]...  the log against the chain; exit 1 on any finding
    zhurnal audit erase PERSON --ground G --act A [--actor WHO]   crypto-shred a person
    zhurnal audit scrub                     compact the read models after erasures
"""

from __future__ import annotations

import sys
from uuid import UUID

import click
import psycopg

from domain.journal import Command
from infra.container import Container
from infra.settings import load_settings
from projections.affiliations import scrub_views
from projections.audit_chain import ChainQueries
from projections.audit_verify import parse_anchor, verify_chain


def _container() -> Container:
    return Container(load_settings())


@click.group()
def audit() -> None:
    """Audit: the hash chain over the log, and erasing personal data."""


@audit.command("head")
def head() -> None:
    """Print the latest checkpoint; keep it elsewhere and pass it to `verify --anchor`."""
    container = _container()
    container.runner  # noqa: B018  (creates the chain's table)
    latest = ChainQueries(container.views).head()
    container.close()
    click.echo(f"{latest['position']}:{latest['hash']}")


@audit.command("verify")
@click.option("--anchor", "anchors", multiple=True,
              help="POSITION:HASH from an earlier `zhurnal audit head`.")
def verify(anchors: tuple[str, ...]) -> None:
    """Recompute the chain from the stored log; say where an event was modified, deleted or
    inserted behind the application's back; exit 1 if anything is found."""
    try:
        expected = dict(parse_anchor(text) for text in anchors)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None
    container = _container()
    container.runner  # noqa: B018
    report = verify_chain(container.journal.recorder, container.views, expected)  # type: ignore[arg-type]
    container.close()
    for finding in report.findings:
        click.echo(f"{finding.kind.upper()} at position {finding.position}: {finding.detail}")
    click.echo(f"chain covers positions up to {report.covered} ({report.events} events), "
               f"head {report.head}; {report.beyond} later events not chained yet")
    if not report.ok:
        click.echo(f"TAMPERED: {len(report.findings)} finding(s)", err=True)
        sys.exit(1)
    click.echo("log verified: every chained event is as it was recorded")


@audit.command("erase")
@click.argument("person_id", type=click.UUID)
@click.option("--ground", required=True, help="The legal ground, e.g. «152-ФЗ ст. 21 ч. 5».")
@click.option("--act", "act", required=True, help="The act of destruction, e.g. «Акт № 12».")
@click.option("--actor", default="admin", show_default=True, help="Who erases (person id).")
def erase(person_id: UUID, ground: str, act: str, actor: str) -> None:
    """Erase a person's personal data: record it, destroy the key, blank and compact the
    views. Repeating it for an erased person destroys the key again and exits 0."""
    from domain.commands.erasure import PersonalDataAlreadyErased
    from domain.errors import DomainError

    container = _container()
    try:
        outcome = container.journal.erase_personal_data(Command(actor=actor), person_id,
                                                        ground, act)
        click.echo(f"erased {person_id} at position {outcome.position}")
    except PersonalDataAlreadyErased:
        click.echo(f"{person_id} was already erased; its key is destroyed")
    except DomainError as error:
        container.close()
        raise click.ClickException(error.detail) from None
    container.runner.catch_up()
    _scrub(container)
    container.close()


@audit.command("scrub")
def scrub() -> None:
    """Compact the read models (SQLite: VACUUM; PostgreSQL: VACUUM of the database)."""
    container = _container()
    container.runner  # noqa: B018
    _scrub(container)
    container.close()


def _scrub(container: Container) -> None:
    if scrub_views(container.views):
        click.echo("views compacted: no old bytes of erased data left in the files")
        return
    url = container.settings.database_url
    if container.settings.is_postgres and url:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM")
        click.echo("database vacuumed")
        return
    raise click.ClickException("the views could not be compacted (busy); run it again")
