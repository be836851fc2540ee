"""The `zhurnal` command line: serve, worker, demo, token, projections; non-zero on failure."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

import click
from tqdm import tqdm

from api.auth import LocalTokens, Role
from infra.container import Container
from infra.settings import load_settings


def _container() -> Container:
    return Container(load_settings())


def _tokens(container: Container) -> LocalTokens:
    return LocalTokens(container.settings.secret, container.settings.token_ttl_hours * 3600)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """zhurnal: the regional electronic school journal and diary."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


@main.command()
@click.option("--demo/--no-demo", default=False, help="Load demo data into an empty database.")
@click.option("--workers", default=1, show_default=True, help="API processes (PostgreSQL only).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log each request (uvicorn's access log).")
def serve(demo: bool, workers: int, access_log: bool) -> None:
    """Run the HTTP API (embedded: with the projections and workers in-process)."""
    import uvicorn

    container = _container()
    settings = container.settings
    embedded = not settings.is_postgres
    if demo:
        _load_demo_if_empty(container, students=250)
        _catch_up(container)  # so the printed tokens can name people of each role
    if embedded or not settings.redis_url:
        # Nobody else runs the projections on the embedded default.
        _start_workers(container)
    if workers > 1 and embedded:
        raise click.ClickException(
            "several API processes need PostgreSQL (the embedded log is one file)"
        )
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"zhurnal on {base}  (API docs: {base}/docs)")
    if demo:
        _print_demo_tokens(container)
    if workers > 1:
        uvicorn.run("infra.asgi:app", host=settings.host, port=settings.port, workers=workers,
                    log_level="warning", access_log=access_log)
    else:
        from infra.asgi import build_app

        uvicorn.run(build_app(container), host=settings.host, port=settings.port,
                    log_level="info", access_log=access_log)
    container.close()


@main.command()
@click.option("--threads", default=2, show_default=True, help="dramatiq worker threads.")
def worker(threads: int) -> None:
    """Run the projection runners and the dramatiq worker until interrupted."""
    container = _container()
    _start_workers(container, threads, split=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo("zhurnal worker running (projections, dramatiq); Ctrl-C stops it")
    stop.wait()
    container.close()


def _start_workers(container: Container, threads: int = 2, split: bool = False) -> Any:
    from workers import runtime
    from workers.broker import configure_broker, start_worker

    broker = configure_broker(container.settings.redis_url)
    runtime.install(container)
    container.start_runner(split)
    return start_worker(broker, threads)


@main.command()
@click.option("--students", default=250, show_default=True)
@click.option("--weeks", default=4, show_default=True, help="Weeks of lessons to generate.")
@click.option("--seed", default=7, show_default=True)
def demo(students: int, weeks: int, seed: int) -> None:
    """Load demo data into an empty database (refuses a non-empty one)."""
    container = _container()
    if container.log_position():
        raise click.ClickException("the database is not empty; demo data goes into an empty one")
    _load_demo(container, students, weeks, seed)
    _catch_up(container)
    _print_demo_tokens(container)
    container.close()


def _load_demo(container: Container, students: int, weeks: int, seed: int) -> None:
    from infra.demo import load_demo

    with tqdm(desc="demo", unit=" commands", file=sys.stderr) as bar:
        load_demo(container.journal, students=students, seed=seed, progress=bar.update,
                  **_weeks_arg(weeks))


def _weeks_arg(weeks: int) -> dict[str, int]:
    import inspect

    from infra.demo import load_demo

    return {"weeks": weeks} if "weeks" in inspect.signature(load_demo).parameters else {}


def _load_demo_if_empty(container: Container, students: int) -> None:
    if not container.log_position():
        click.echo("empty database: loading demo data", err=True)
        _load_demo(container, students, 4, 7)


def _catch_up(container: Container) -> None:
    head = container.log_position()
    done = min(container.runner.positions().values(), default=0)
    with tqdm(total=head, initial=done, desc="projections", unit=" events",
              file=sys.stderr) as bar:
        container.runner.catch_up(progress=bar.update)


def _print_demo_tokens(container: Container) -> None:
    click.echo("Bearer tokens (Authorization: Bearer <token>):")
    for role in Role:
        try:
            token = _mint(container, role, None, None)
        except click.ClickException:
            continue
        click.echo(f"  {role.value:>12}: {token}")


def _mint(container: Container, role: Role, person: str | None, school: str | None) -> str:
    from infra.demo_accounts import subject_for

    subject, school_id = (person, school) if person else subject_for(container, role)
    if subject is None:
        raise click.ClickException(f"no person of role {role.value} in this deployment")
    return _tokens(container).mint(subject, role, school_id or school)


@main.command()
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--person", default=None, help="Person id (or service name) the token is for.")
@click.option("--school", default=None, help="School id, for a school-admin.")
def token(role: str, person: str | None, school: str | None) -> None:
    """Print a bearer token (only the token) for a role."""
    container = _container()
    if not person and Role(role) not in (Role.ADMIN, Role.AUDITOR, Role.EXPORTER):
        _catch_up(container)
    click.echo(_mint(container, Role(role), person, school))
    container.close()


# Command groups of other modules are registered here, one line each:
# main.add_command(<module>.<group>)
main.add_command(__import__("infra.export_cli", fromlist=["export"]).export)
main.add_command(__import__("infra.audit_cli", fromlist=["audit"]).audit)


@main.group()
def projections() -> None:
    """Projection operations: status, rebuild, verify."""


@projections.command("status")
def projections_status() -> None:
    """Position and lag of each projection."""
    container = _container()
    head = container.log_position()
    positions = container.runner.positions()
    old = set(container.outdated_projections())
    click.echo(f"{'projection':<20} {'position':>10} {'lag':>10}")
    for name, position in positions.items():
        note = "  outdated: rebuilt when a worker starts" if name in old else ""
        click.echo(f"{name:<20} {position:>10} {head - position:>10}{note}")
    container.close()


@projections.command("rebuild")
@click.argument("names", nargs=-1)
def projections_rebuild(names: tuple[str, ...]) -> None:
    """Rebuild projections from position 0 in shadow tables, then swap them in."""
    from projections.operations import rebuild

    container = _container()
    container.runner  # noqa: B018  (creates the live tables and positions)
    with tqdm(total=container.log_position(), desc="rebuild", unit=" events",
              file=sys.stderr) as bar:
        count = rebuild(
            container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
            container.views, container.projections, list(names) or None,
            container.settings.projection_batch_size, bar.update,
        )
    click.echo(f"rebuilt from {count} events")
    container.close()


@projections.command("verify")
@click.argument("names", nargs=-1)
def projections_verify(names: tuple[str, ...]) -> None:
    """Rebuild in the shadow and compare with the live views; exit 1 on any difference."""
    from projections.operations import verify

    container = _container()
    container.runner  # noqa: B018
    with tqdm(total=container.log_position(), desc="verify", unit=" events",
              file=sys.stderr) as bar:
        differences = verify(
            container.journal.recorder, container.journal.mapper,  # type: ignore[arg-type]
            container.views, container.projections, list(names) or None,
            container.settings.projection_batch_size, bar.update,
        )
    container.close()
    if differences:
        for d in differences:
            click.echo(f"DIFFERS {d.projection}.{d.table}: {d.only_live} rows only live, "
                       f"{d.only_rebuilt} only rebuilt")
        sys.exit(1)
    click.echo("projections verified: rebuilt views equal the live ones")
