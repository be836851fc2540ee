"""Prometheus metrics at /metrics: what an operator's alerts read (positions, lag, batches)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from projections.runner import write_position
from tests.conftest import Api
from tests.factories import school


def scrape(api: Api) -> dict[tuple[str, str], float]:
    """(sample name, projection label or '') -> value."""
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, sample.labels.get("projection", "")): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def test_each_projection_reports_its_position_lag_and_batches(api: Api) -> None:
    assert api.post("/v1/schools", school()).status_code == 201
    head = api.container.log_position()
    assert api.container.wait_for("registries", head, timeout=10)

    found = scrape(api)

    assert found[("zhurnal_up", "")] == 1
    assert found[("zhurnal_log_position", "")] == head
    assert found[("zhurnal_projection_position", "registries")] == head
    assert found[("zhurnal_projection_lag_events", "registries")] == 0
    assert found[("zhurnal_projection_batches_total", "registries")] >= 1
    assert found[("zhurnal_projection_events_total", "registries")] >= head
    assert found[("zhurnal_projection_outdated", "registries")] == 0
    names = {label for (name, label) in found if name == "zhurnal_projection_position"}
    assert names == set(api.container.projection_names())


def test_a_projection_built_by_older_code_shows_as_outdated(api: Api) -> None:
    with api.container.views.transaction() as tx:  # as an older deployment left it
        write_position(tx, "walls", 0, version=0)
    found = scrape(api)
    assert found[("zhurnal_projection_outdated", "walls")] == 1
    assert found[("zhurnal_projection_outdated", "registries")] == 0
