"""The `zhurnal` CLI: tokens, demo, projections status/rebuild/verify; non-zero on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.auth import LocalTokens, Role
from infra.cli import main
from tests.conftest import SECRET


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ZHURNAL_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ZHURNAL_SECRET", SECRET)
    monkeypatch.delenv("ZHURNAL_DATABASE_URL", raising=False)
    return CliRunner()


def test_token_for_admin_prints_only_a_valid_token(cli: CliRunner) -> None:
    result = cli.invoke(main, ["token", "--role", "admin"])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.strip().splitlines()
    assert LocalTokens(SECRET).verify(line).role is Role.ADMIN


def test_demo_then_tokens_for_people_then_verify_passes(cli: CliRunner) -> None:
    assert cli.invoke(main, ["demo", "--students", "30"]).exit_code == 0
    teacher = cli.invoke(main, ["token", "--role", "teacher"])
    assert teacher.exit_code == 0
    assert LocalTokens(SECRET).verify(teacher.stdout.strip()).role is Role.TEACHER

    status = cli.invoke(main, ["projections", "status"])
    assert "registries" in status.output
    assert cli.invoke(main, ["projections", "verify"]).exit_code == 0
    assert cli.invoke(main, ["projections", "rebuild"]).exit_code == 0
    assert cli.invoke(main, ["projections", "verify"]).exit_code == 0


def test_demo_refuses_a_database_that_is_not_empty(cli: CliRunner) -> None:
    assert cli.invoke(main, ["demo", "--students", "10"]).exit_code == 0
    again = cli.invoke(main, ["demo", "--students", "10"])
    assert again.exit_code != 0
    assert "not empty" in again.output


def test_verify_exits_non_zero_when_a_view_was_changed(cli: CliRunner, tmp_path: Path) -> None:
    import sqlite3

    assert cli.invoke(main, ["demo", "--students", "10"]).exit_code == 0
    with sqlite3.connect(tmp_path / "var" / "views.db") as views:
        views.execute("DELETE FROM view_registry WHERE kind = 'student'")
    result = cli.invoke(main, ["projections", "verify"])
    assert result.exit_code == 1
    assert "DIFFERS registries.view_registry" in result.output
