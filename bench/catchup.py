"""`python -m bench catchup`: projections rebuilt from position 0 against raw batched writes."""

from __future__ import annotations

import argparse
import cProfile
import time
from typing import Any

from bench.common import Target, kinds, load, percent, print_table, rate, scratch, seconds
from bench.dataset import Region
from bench.rawviews import RAW, raw_write, sample_rows
from bench.timing import Clock, TimedMapper, TimedProjection, TimedRecorder, TimedStore, hot_spots
from infra.container import Container
from projections.runner import ProjectionRunner
from projections.store import ViewStore

PHASES = ("select_notifications", "decode (mapper.to_domain_event)", "process (all projections)",
          "runner: lock + positions", "begin", "commit", "runner: other")


def shadow_runner(
    container: Container, suffix: str, clock: Clock | None = None, only: str | None = None
) -> ProjectionRunner:
    """A runner over fresh copies of the tables (`suffix`), optionally with stop-watches."""
    recorder: Any = container.journal.recorder
    mapper: Any = container.journal.mapper
    store: ViewStore = container.views
    projections = [p for p in container.projections(suffix) if only in (None, p.name)]
    if clock is not None:
        recorder, mapper = TimedRecorder(recorder, clock), TimedMapper(mapper, clock)
        store = TimedStore(store, clock)
        projections = [TimedProjection(p, clock) for p in projections]
    return ProjectionRunner(
        recorder, mapper, store, projections,
        batch_size=container.settings.projection_batch_size,
        position_key=lambda p: p.name + suffix,
    )


def split(container: Container) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """One instrumented catch-up: the runner's phases, then each projection's own."""
    clock = Clock()
    runner = shadow_runner(container, "_timed", clock)
    clock.seconds.clear()  # creating the tables is not catching up
    began = time.perf_counter()
    events = runner.catch_up()
    total = time.perf_counter() - began
    got = clock.seconds

    def row(label: str, spent: float) -> tuple[str, ...]:
        return (label, f"{spent:.3f}", percent(spent, total), f"{1e6 * spent / events:.1f}")

    names = [p.name for p in runner.projections]
    got["process (all projections)"] = sum(got.get(f"{name}: total", 0.0) for name in names)
    got["runner: other"] = total - sum(got.get(phase, 0.0) for phase in PHASES[:-1])
    phases = [row(phase, got.get(phase, 0.0)) for phase in PHASES]
    phases.append(row("total (instrumented)", total))
    per_projection = []
    for name in sorted(names, key=lambda n: -got.get(f"{n}: total", 0.0)):
        own, reads, writes = (got.get(f"{name}: {k}", 0.0) for k in ("total", "SQL reads",
                                                                        "SQL writes"))
        counted = [clock.counts.get(f"{name}: SQL {k}", 0) for k in ("reads", "writes")]
        per_projection.append((name, f"{own - reads - writes:.3f}", f"{reads:.3f}",
                               f"{counted[0]:,}", f"{writes:.3f}", f"{counted[1]:,}",
                               *row(name, own)[1:]))
    return phases, per_projection


def measure(target: Target, args: argparse.Namespace) -> None:
    container = target.container(args.batch)
    try:
        began = time.perf_counter()
        position = Region(container.journal).generate(args.events)
        made = time.perf_counter() - began
        runner = container.runner  # creates the (empty) view tables
        names = [p.name for p in runner.projections]
        raw: list[float] = []
        full: list[float] = []
        registries: list[float] = []
        rows: list[tuple[Any, ...]] = []
        for r in range(args.rounds):  # interleaved, so drift on a shared machine hits all
            full.append(seconds(runner.catch_up if r == 0 else
                                shadow_runner(container, f"_r{r}").catch_up))
            if r == 0:
                assert all(container.projection_position(n) == position for n in names)
                rows = sample_rows(container.views, position)
            raw.append(raw_write(target, rows, args.batch, f"{RAW}_{r}"))
            registries.append(
                seconds(shadow_runner(container, f"_g{r}", only="registries").catch_up))
        base = min(raw)
        print_table(
            f"catchup on {target.kind}: {position:,} events (generated at "
            f"{rate(position, made)}/s), batch {args.batch}, best of {args.rounds}; "
            "target >= 50%",
            ("measure", "best s", "per second", "ratio", "runs (s)"),
            [(f"raw executemany upsert ({RAW}), rows", f"{base:.3f}", rate(position, base), "",
              _runs(raw)),
             (f"runner.catch_up(), all {len(names)} projections, events", f"{min(full):.3f}",
              rate(position, min(full)), percent(base, min(full)), _runs(full)),
             ("catch_up(), registries only, events", f"{min(registries):.3f}",
              rate(position, min(registries)), percent(base, min(registries)),
              _runs(registries))],
        )
        phases, per_projection = split(container)
        print_table(f"where the time goes ({target.kind}, instrumented run, all projections)",
                    ("phase", "seconds", "share", "us/event"), phases)
        print_table(f"per projection ({target.kind}, same run)",
                    ("projection", "python s", "reads s", "reads n", "writes s",
                     "rows/stmts", "total s", "share", "us/event"), per_projection)
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(shadow_runner(container, "_profiled").catch_up)
            print_table(f"cProfile hot spots ({target.kind}, all projections, by own time)",
                        ("function", "calls", "own s", "cum s"),
                        hot_spots(profile, args.profile))
    finally:
        container.close()


def _runs(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def run(args: argparse.Namespace) -> None:
    for kind in kinds(args.db):
        before = load()
        with scratch(kind, args.tmp) as target:
            measure(target, args)
        print(f"\nbefore: {before}; after: {load()}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=50_000, help="events in the log")
    parser.add_argument("--batch", type=int, default=2000, help="the runner's batch size")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved timed rounds")
    parser.add_argument("--profile", type=int, default=25, metavar="N",
                        help="print the N hottest functions of a cProfile run (0: skip)")
