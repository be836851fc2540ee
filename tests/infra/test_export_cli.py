"""`zhurnal export ...`: the committed schemas are the generated ones; seal, snapshot, status,
held, deliver and resume from the command line, non-zero on failure."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from domain.journal import Command
from domain.school import Requisites
from infra.cli import main
from infra.container import Container
from infra.settings import load_settings
from projections.export_schemas import schema_json
from tests.conftest import SECRET
from tests.projections.export_support import complete_requisites

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "export-schemas.json"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ZHURNAL_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ZHURNAL_SECRET", SECRET)
    for name in ("ZHURNAL_DATABASE_URL", "ZHURNAL_REDIS_URL", "ZHURNAL_EXPORT_PUSH_URL"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_the_committed_schemas_are_the_generated_ones(cli: CliRunner) -> None:
    result = cli.invoke(main, ["export", "schemas"])
    assert result.exit_code == 0
    assert result.stdout.encode() == schema_json() == SCHEMAS.read_bytes(), (
        "regenerate: zhurnal export schemas > docs/export-schemas.json")


def _schools() -> tuple[str, str]:
    container = Container(load_settings())
    try:
        journal = container.journal
        complete = journal.register_school(Command(actor="admin"), "Полная", "Europe/Moscow", 1,
                                           complete_requisites()).answer["id"]
        held = journal.register_school(Command(actor="admin"), "Неполная", "Europe/Moscow", 1,
                                       Requisites()).answer["id"]
    finally:
        container.close()
    return str(complete), str(held)


def test_seal_snapshot_status_and_held(cli: CliRunner) -> None:
    complete, held = _schools()
    sealed = cli.invoke(main, ["export", "seal"])
    assert sealed.exit_code == 0, sealed.output
    assert sealed.output.startswith("sealed delta 1:")
    assert cli.invoke(main, ["export", "seal"]).output.strip() == "nothing new to seal"
    snapshot = cli.invoke(main, ["export", "snapshot", "--school", complete])
    assert snapshot.exit_code == 0 and snapshot.output.startswith("snapshot delta 2")
    refused = cli.invoke(main, ["export", "snapshot", "--school", held])
    assert refused.exit_code != 0 and "held back" in refused.output
    report = msgspec.json.decode(cli.invoke(main, ["export", "held"]).output)
    assert [school["school_id"] for school in report["schools"]] == [held]
    status = cli.invoke(main, ["export", "status", "--json"])
    assert status.exit_code == 0
    assert msgspec.json.decode(status.output)["latest_delta"]["number"] == 2
    text = cli.invoke(main, ["export", "status"])
    assert "sealed      2" in text.output and "not configured" in text.output


def test_deliver_needs_a_push_url_and_resume_clears_a_stop(cli: CliRunner,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    _schools()
    assert cli.invoke(main, ["export", "deliver"]).exit_code != 0
    monkeypatch.setenv("ZHURNAL_EXPORT_PUSH_URL", "http://127.0.0.1:9/nowhere")
    monkeypatch.setenv("ZHURNAL_EXPORT_PUSH_TIMEOUT", "0.5")
    assert cli.invoke(main, ["export", "seal"]).exit_code == 0
    failed = cli.invoke(main, ["export", "deliver"])
    assert failed.exit_code == 1 and failed.output.startswith("retry")
    status = cli.invoke(main, ["export", "status"]).output
    assert "failures 1" in status and "waiting 1" in status and "next attempt" in status
    assert cli.invoke(main, ["export", "resume"]).exit_code == 0
    assert "failures 0" in cli.invoke(main, ["export", "status"]).output
