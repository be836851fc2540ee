"""Settings from ZHURNAL_* environment variables; the embedded SQLite default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: SQLite files under data_dir
    redis_url: str | None = None  # None: in-process broker and signals
    data_dir: Path = Path("var")
    secret: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    token_ttl_hours: int = 24 * 30
    projection_batch_size: int = 2000
    projection_catch_up_size: int = 50_000  # a batch while far behind (projections/runner.py)
    projection_poll_seconds: float = 1.0
    # `zhurnal worker` on PostgreSQL: projections run by child processes of their own, one
    # group each (the export is as costly as all the others together).
    projection_processes: tuple[tuple[str, ...], ...] = (("export",),)
    read_wait_seconds: float = 5.0
    export_push_url: str | None = None
    export_push_timeout_seconds: float = 30.0  # one delivery attempt of a delta
    export_push_max_backoff_seconds: float = 900.0  # the longest wait between attempts
    export_seal_times: tuple[str, ...] = ("07:00", "13:00", "19:00")  # in region_tz
    region_tz: str = "Europe/Moscow"  # the region's wall clock (schedules)
    file_max_bytes: int = 100 * 1024 * 1024  # one uploaded file
    files_quota_bytes: int = 2 * 1024**3  # a school's files in total (the seed's 2 Гб)
    files_storage: str = "local"  # "local": under files_dir; "s3": not yet implemented
    files_dir_override: Path | None = None
    aggregate_cache_size: int = 1024  # aggregates kept between commands (domain/lending.py)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url) and self.database_url.startswith(  # type: ignore[union-attr]
            ("postgres://", "postgresql://")
        )

    @property
    def event_db_path(self) -> Path:
        return self.data_dir / "zhurnal.db"

    @property
    def view_db_path(self) -> Path:
        return self.data_dir / "views.db"

    @property
    def files_dir(self) -> Path:
        """Where the local file storage keeps uploaded content."""
        return self.files_dir_override or self.data_dir / "files"

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing library's environment for this deployment."""
        env = {
            "MAPPER_TOPIC": "infra.mapper:MsgspecMapper",
            # The mapper ignores the transcoder, but the factory constructs one.
            "TRANSCODER_TOPIC": "infra.mapper:NullTranscoder",
            "JOURNAL_CACHE_SIZE": str(self.aggregate_cache_size),
        }
        if self.is_postgres:
            assert self.database_url is not None
            url = urlparse(self.database_url)
            env.update(
                PERSISTENCE_MODULE="eventsourcing.postgres",
                # The library's recorder with one-round-trip saves, same table lock.
                APPLICATION_RECORDER_TOPIC="infra.recorder:JournalPostgresRecorder",
                POSTGRES_DBNAME=unquote(url.path.lstrip("/")) or "postgres",
                POSTGRES_HOST=url.hostname or "127.0.0.1",
                POSTGRES_PORT=str(url.port or 5432),
                POSTGRES_USER=unquote(url.username or "postgres"),
                POSTGRES_PASSWORD=unquote(url.password or ""),
                POSTGRES_POOL_SIZE=self.extra.get("POSTGRES_POOL_SIZE", "10"),
                POSTGRES_MAX_OVERFLOW=self.extra.get("POSTGRES_MAX_OVERFLOW", "10"),
                POSTGRES_LOCK_TIMEOUT="5",
                POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT="30",
            )
        else:
            env.update(
                PERSISTENCE_MODULE="eventsourcing.sqlite",
                SQLITE_DBNAME=str(self.event_db_path),
                SQLITE_LOCK_TIMEOUT="10",
            )
        cipher_key = self.extra.get("CIPHER_KEY")
        if cipher_key:
            env["CIPHER_KEY"] = cipher_key
        return env


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read ZHURNAL_* variables; generate and keep a secret under the data directory."""
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("ZHURNAL_DATA_DIR", "var"))
    secret = env.get("ZHURNAL_SECRET") or _stored_secret(data_dir)
    extra = {
        key: value
        for key, value in env.items()
        if key in ("CIPHER_KEY", "POSTGRES_POOL_SIZE", "POSTGRES_MAX_OVERFLOW")
    }
    return Settings(
        database_url=env.get("ZHURNAL_DATABASE_URL") or None,
        redis_url=env.get("ZHURNAL_REDIS_URL") or None,
        data_dir=data_dir,
        secret=secret,
        host=env.get("ZHURNAL_HOST", "127.0.0.1"),
        port=int(env.get("ZHURNAL_PORT", "8000")),
        token_ttl_hours=int(env.get("ZHURNAL_TOKEN_TTL_HOURS", str(24 * 30))),
        projection_batch_size=int(env.get("ZHURNAL_PROJECTION_BATCH", "2000")),
        projection_catch_up_size=int(env.get("ZHURNAL_PROJECTION_CATCH_UP_BATCH", "50000")),
        projection_poll_seconds=float(env.get("ZHURNAL_PROJECTION_POLL_SECONDS", "1.0")),
        projection_processes=projection_groups(env.get("ZHURNAL_PROJECTION_PROCESSES", "export")),
        read_wait_seconds=float(env.get("ZHURNAL_READ_WAIT_SECONDS", "5.0")),
        export_push_url=env.get("ZHURNAL_EXPORT_PUSH_URL") or None,
        export_push_timeout_seconds=float(env.get("ZHURNAL_EXPORT_PUSH_TIMEOUT", "30")),
        export_push_max_backoff_seconds=float(env.get("ZHURNAL_EXPORT_PUSH_MAX_BACKOFF", "900")),
        export_seal_times=tuple(t.strip() for t in env.get(
            "ZHURNAL_EXPORT_SEAL_TIMES", "07:00,13:00,19:00").split(",") if t.strip()),
        region_tz=env.get("ZHURNAL_REGION_TZ", "Europe/Moscow"),
        file_max_bytes=int(env.get("ZHURNAL_FILE_MAX_BYTES", str(100 * 1024 * 1024))),
        files_quota_bytes=int(env.get("ZHURNAL_FILES_QUOTA_BYTES", str(2 * 1024**3))),
        files_storage=env.get("ZHURNAL_FILES_STORAGE", "local"),
        files_dir_override=Path(env["ZHURNAL_FILES_DIR"]) if env.get("ZHURNAL_FILES_DIR")
        else None,
        aggregate_cache_size=int(env.get("ZHURNAL_AGGREGATE_CACHE", "1024")),
        extra=extra,
    )


def _stored_secret(data_dir: Path) -> str:
    path = data_dir / "secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def projection_groups(text: str) -> tuple[tuple[str, ...], ...]:
    """Groups of projection names, as in "export;diary,statistics" (';' between groups)."""
    groups = (tuple(n.strip() for n in group.split(",") if n.strip()) for group in text.split(";"))
    return tuple(group for group in groups if group)
