"""`zhurnal export ...`: the federal export from the command line; non-zero on failure."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click
import msgspec

from infra.container import Container
from infra.settings import load_settings


def _container(catch_up: bool = False) -> Container:
    container = Container(load_settings())
    container.runner  # noqa: B018  (creates the export's tables)
    if catch_up:
        container.runner.catch_up()
    return container


def _echo_json(value: Any) -> None:
    click.echo(msgspec.json.format(msgspec.json.encode(value), indent=2).decode())


@click.group("export")
def export() -> None:
    """The federal export: schemas, seal, snapshot, status, held, push delivery, scheduler."""


@export.command("schemas")
def schemas() -> None:
    """Print the JSON Schema of every export record (docs/export-schemas.json)."""
    from projections.export_schemas import schema_json

    sys.stdout.write(schema_json().decode())


@export.command("seal")
@click.option("--catch-up/--no-catch-up", default=True, show_default=True,
              help="Bring the projections up to the log first.")
def seal(catch_up: bool) -> None:
    """Seal the records since the last delta into the next numbered delta."""
    from projections.export_deltas import seal as seal_delta

    container = _container(catch_up)
    try:
        sealed = seal_delta(container.views)
        if sealed is None:
            click.echo("nothing new to seal")
        else:
            click.echo(f"sealed delta {sealed.number}: {sealed.records} records, positions "
                       f"{sealed.from_position}-{sealed.to_position}, sha256 {sealed.sha256}")
    finally:
        container.close()


@export.command("snapshot")
@click.option("--school", "school_id", required=True, help="The school's id.")
@click.option("--catch-up/--no-catch-up", default=True, show_default=True)
def snapshot(school_id: str, catch_up: bool) -> None:
    """Seal a delta holding the school's complete current state."""
    from domain.errors import DomainError
    from projections.export_deltas import snapshot as snapshot_delta

    container = _container(catch_up)
    try:
        sealed = snapshot_delta(container.views, school_id)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    finally:
        container.close()
    click.echo(f"snapshot delta {sealed.number} of school {school_id}: {sealed.records} "
               f"records, sha256 {sealed.sha256}")


@export.command("status")
@click.option("--json", "as_json", is_flag=True, help="The status as JSON.")
def status(as_json: bool) -> None:
    """Deltas sealed, push delivery (last delivered, waiting, failures, alert), consumers."""
    from projections.export_status import status as export_status

    container = _container()
    try:
        found = export_status(container.views, container.log_position())
    finally:
        container.close()
    if as_json:
        _echo_json(found)
        return
    latest, push = found["latest_delta"], found["push"]
    click.echo(f"projection  position {found['projection_position']}, lag {found['lag']}")
    click.echo(f"sealed      {'none' if latest is None else latest['number']}"
               f"{'' if latest is None else ' up to position ' + str(latest['to_position'])}; "
               f"{found['records_since_last_seal']} records since")
    click.echo(f"push        {push['url'] or 'not configured'}: delivered {push['delivered']}, "
               f"waiting {push['waiting']}, failures {push['failures']}"
               + (f", next attempt {push['next_attempt_at']}" if push["next_attempt_at"] else ""))
    if push["last_error"]:
        click.echo(f"last error  {push['last_error']}")
    if push["stopped"]:
        click.echo(f"ALERT       delivery stopped: {push['alert']}")
    for consumer in found["consumers"]:
        click.echo(f"consumer    {consumer['consumer']}: acknowledged "
                   f"{consumer['acknowledged']}, waiting {consumer['waiting']}")
    if push["stopped"]:
        sys.exit(2)


@export.command("held")
@click.option("--school", "school_id", default=None, help="Only this school.")
def held(school_id: str | None) -> None:
    """Schools and people held back from the export, with what they lack (JSON)."""
    from projections.export_status import held as held_report

    container = _container()
    try:
        _echo_json(held_report(container.views, school_id))
    finally:
        container.close()


@export.command("deliver")
def deliver() -> None:
    """Push the undelivered deltas now, in the foreground; exit 1 unless all went."""
    from workers.export_delivery import Pusher

    container = _container()
    settings = container.settings
    try:
        if not settings.export_push_url:
            raise click.ClickException("ZHURNAL_EXPORT_PUSH_URL is not set")
        outcome = Pusher(container.views, settings.export_push_url,
                         timeout=settings.export_push_timeout_seconds,
                         max_backoff=settings.export_push_max_backoff_seconds).run()
    finally:
        container.close()
    click.echo(f"{outcome.status}: delivered {outcome.delivered or 'nothing'}"
               + (f"; {outcome.error}" if outcome.error else ""))
    if outcome.status != "done":
        sys.exit(1)


@export.command("resume")
@click.option("--after", type=int, default=None,
              help="Deliver again every delta after this number (0: all, to a new receiver).")
def resume(after: int | None) -> None:
    """Resume a push delivery stopped by a 4xx (after its cause was fixed)."""
    from workers.export_delivery import resume as resume_push
    from workers.export_delivery import rewind

    container = _container()
    try:
        resume_push(container.views)
        if after is not None:
            rewind(container.views, after)
    finally:
        container.close()
    click.echo("push delivery resumed" + ("" if after is None else f" after delta {after}"))


@export.command("scheduler")
@click.option("--threads", default=1, show_default=True,
              help="dramatiq threads in this process (only without Redis).")
def scheduler(threads: int) -> None:
    """Run THE scheduler of seals and push kicks (one per deployment: a lock makes a second
    one wait as a standby)."""
    from workers import runtime
    from workers.broker import configure_broker, start_worker
    from workers.export_delivery import deliver_export, seal_export
    from workers.export_scheduler import run_scheduler

    container = _container()
    settings = container.settings
    broker = configure_broker(settings.redis_url)
    runtime.install(container)
    worker = None if settings.redis_url else start_worker(broker, threads)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo("zhurnal export scheduler; Ctrl-C stops it")
    try:
        run_scheduler(settings, seal_export.send,
                      deliver_export.send if settings.export_push_url else None, stop)
    finally:
        if worker is not None:
            worker.stop()
        container.close()
