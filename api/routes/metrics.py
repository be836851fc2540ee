"""Prometheus metrics at GET /metrics: the log, each projection's position, lag and batches.

Unauthenticated, like /health: it tells positions, counts and timings, never a record, and is
meant to be scraped on the deployment's own network (do not route /metrics from outside).

Everything comes from the database at scrape time (a custom collector over the container), so
any API process answers the same for the views, whichever process runs the projections: the
runner records each projection's last batch and totals in `projection_batches`, in the
batch's own transaction. A process that runs the projection runner itself (the embedded
default) also reports that runner's in-memory counters; every process reports its own
process and Python metrics.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from starlette.responses import Response

from api.deps import Services, ServicesDep
from projections.runner import read_batches, read_positions

router = APIRouter(tags=["operations"])


class JournalCollector:
    """Reads the container at each scrape (prometheus_client's custom-collector protocol)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("zhurnal_up", "1 when the log and the views answered this scrape")
        try:
            found = self._read()
        except Exception:  # an unreachable database is a metric, not a failed scrape
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found
        yield from self._runner()

    def _read(self) -> list[Metric]:
        services = self.services
        head = services.log_position()
        store = services.registries.store
        stored = read_positions(store)
        batches = read_batches(store)
        names = services.projection_names()
        log = GaugeMetricFamily("zhurnal_log_position", "Position of the last event in the log")
        log.add_metric([], head)
        label = ["projection"]
        gauges = {
            "position": GaugeMetricFamily(
                "zhurnal_projection_position", "Log position the projection has applied",
                labels=label),
            "lag": GaugeMetricFamily(
                "zhurnal_projection_lag_events", "Events in the log the projection has not "
                "applied yet", labels=label),
            "events": GaugeMetricFamily(
                "zhurnal_projection_last_batch_events", "Events in the projection's last "
                "batch", labels=label),
            "seconds": GaugeMetricFamily(
                "zhurnal_projection_last_batch_seconds", "Seconds the projection spent on its "
                "last batch", labels=label),
            "at": GaugeMetricFamily(
                "zhurnal_projection_last_batch_timestamp_seconds", "When the projection's "
                "last batch was processed (Unix time)", labels=label),
            "outdated": GaugeMetricFamily(
                "zhurnal_projection_outdated", "1 while the projection's tables are those "
                "an earlier version of its code built (not kept until rebuilt)",
                labels=label),
        }
        counters = {
            "batches": CounterMetricFamily(
                "zhurnal_projection_batches", "Batches the projection committed", labels=label),
            "events_total": CounterMetricFamily(
                "zhurnal_projection_events", "Events the projection applied", labels=label),
            "seconds_total": CounterMetricFamily(
                "zhurnal_projection_process_seconds", "Seconds the projection spent applying "
                "batches", labels=label),
        }
        outdated = set(services.outdated_projections())
        for name in names:
            position = stored.get(name, 0)
            gauges["position"].add_metric([name], position)
            gauges["outdated"].add_metric([name], int(name in outdated))
            gauges["lag"].add_metric([name], max(head - position, 0))
            batch = batches.get(name)
            if batch is None:
                continue
            events, seconds, at, count, events_total, seconds_total = batch
            gauges["events"].add_metric([name], events)
            gauges["seconds"].add_metric([name], seconds)
            gauges["at"].add_metric([name], at)
            counters["batches"].add_metric([name], count)
            counters["events_total"].add_metric([name], events_total)
            counters["seconds_total"].add_metric([name], seconds_total)
        return [log, *gauges.values(), *counters.values()]

    def _runner(self) -> Iterator[Metric]:
        """The runner of this process, if it runs one (never started here just to be read)."""
        runner: Any = getattr(self.services, "__dict__", {}).get("runner")
        if runner is None:
            return
        pid = [str(os.getpid())]
        for name, help_text, value in (
            ("zhurnal_runner_batches", "Batches this process's runner committed",
             runner.batches),
            ("zhurnal_runner_events", "Events this process's runner applied", runner.events),
            ("zhurnal_runner_batch_seconds", "Seconds this process's runner spent in batches "
             "(read, decode, apply, write, commit)", runner.seconds),
            ("zhurnal_runner_failures", "Batches that failed and were retried",
             runner.failures),
        ):
            counter = CounterMetricFamily(name, help_text, labels=["pid"])
            counter.add_metric(pid, value)
            yield counter
        for name, help_text, value in (
            ("zhurnal_runner_last_batch_events", "Events in this process's runner's last "
             "batch", runner.last_batch.events),
            ("zhurnal_runner_last_batch_seconds", "Seconds of this process's runner's last "
             "batch, end to end", runner.last_batch.seconds),
        ):
            gauge = GaugeMetricFamily(name, help_text, labels=["pid"])
            gauge.add_metric(pid, value)
            yield gauge


def registry(services: Services) -> CollectorRegistry:
    """The journal's metrics and this process's own (CPU, memory, GC, Python)."""
    found = CollectorRegistry(auto_describe=False)
    found.register(JournalCollector(services))  # type: ignore[arg-type]
    ProcessCollector(registry=found)
    PlatformCollector(registry=found)
    GCCollector(registry=found)
    return found


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, container: ServicesDep) -> Response:
    """Prometheus text format (or OpenMetrics, when the scraper asks for it)."""
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(registry(container)), media_type=content_type)
