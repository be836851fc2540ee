"""`python -m bench http`: diary weeks over HTTP under concurrent clients, and a mark's way
from the command to the diary.

The year of `bench views` (a 1,000-student school) is copied into a scratch PostgreSQL
database and every projection caught up; then `zhurnal serve --workers 2` and `zhurnal worker`
run against it with Redis (wake-up signals, dramatiq), as in production. A load generator on
loopback (`wrk` when installed and not `--client python`, else asyncio over raw keep-alive
sockets in `--processes` processes) reads random (student, week) diaries as the student or a
parent, for `--seconds`. Then `--marks` marks are placed one at a time over HTTP, each followed
by the diary read with `min_position` (the server waits until the view has the mark): the
time from sending the command to holding a diary that shows the mark.

The machine is shared, so each round also prints what its answers cost in CPU (the API
processes, the database's backends, the load generator, from /proc), the rate two idle
cores would allow the server side alone, and the share of the CPUs other processes took.
The database is vacuumed and analyzed first, as autovacuum would have done by then.
`--database NAME` keeps the caught-up year in that database between runs (the first run
copies the log and catches up, ~15 min for the 1,000-student year; later ones start at once).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
import psycopg
import redis

from api.auth import LocalTokens, Role
from bench.common import PG_SERVER, Target, load, print_table
from bench.views import Deployment, Log, cached_log, copy_log, deploy
from domain.work_types import BuiltIn, built_in_work_type_id
from projections.rosters import iso_week

SECRET = "bench-http-" + "s" * 40
Request = tuple[str, str]  # path, bearer token


@dataclass
class Load:
    """What a load generator saw: answers by status and each one's latency (seconds)."""

    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    def add(self, other: Load) -> None:
        self.seconds = max(self.seconds, other.seconds)
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.latencies += other.latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def ms(value: float) -> str:
    return f"{1000 * value:.1f}"


# --- the deployment ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def processes(target: Target, port: int, redis_url: str,
              workers: int) -> Iterator[dict[str, int]]:
    """`zhurnal serve --workers N` and `zhurnal worker`, stopped (their process groups) after."""
    zhurnal = str(Path(sys.executable).parent / "zhurnal")
    assert target.database_url is not None
    env = {**os.environ, "ZHURNAL_DATABASE_URL": target.database_url,
           "ZHURNAL_REDIS_URL": redis_url, "ZHURNAL_SECRET": SECRET,
           "ZHURNAL_DATA_DIR": str(target.data_dir), "ZHURNAL_HOST": "127.0.0.1",
           "ZHURNAL_PORT": str(port)}
    started: list[subprocess.Popen[bytes]] = []
    logs = tempfile.TemporaryDirectory(prefix="zhurnal_bench_http_")
    try:
        for name, command in (("worker", [zhurnal, "worker"]),
                              ("serve", [zhurnal, "serve", "--workers", str(workers),
                                        "--no-access-log"])):
            with open(Path(logs.name) / f"{name}.log", "wb") as output:
                started.append(subprocess.Popen(command, env=env, stdout=output,
                                                stderr=subprocess.STDOUT,
                                                start_new_session=True))
        wait_healthy(port, started, Path(logs.name))
        yield {"worker": started[0].pid, "serve": started[1].pid}  # their process groups
    finally:
        for process in reversed(started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)  # the group of a process we started
        for process in reversed(started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        logs.cleanup()


def wait_healthy(port: int, started: list[subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in started):
            output = "\n".join(path.read_text(errors="replace")[-2000:]
                               for path in logs.iterdir())
            raise RuntimeError(f"a zhurnal process exited:\n{output}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("zhurnal serve did not answer /health within 60 s")


def kept(stack: ExitStack, name: str, args: argparse.Namespace, log: Log) -> Deployment:
    """The PostgreSQL database `name`, kept between runs (created and filled when empty):
    a second run skips the copy and the catch-up of the year."""
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() \
                is None:
            admin.execute(f'CREATE DATABASE "{name}"')
    data_dir = Path(args.cache) / f"http-{name}"
    data_dir.mkdir(parents=True, exist_ok=True)
    target = Target("postgres", data_dir, f"{PG_SERVER}/{name}")
    container = target.container(args.batch)
    stack.callback(container.close)
    position = container.log_position()
    if position == 0:
        began = time.perf_counter()
        position = copy_log(container, log)
        print(f"postgres: log of {position:,} events copied into {name} in "
              f"{time.perf_counter() - began:.1f} s", flush=True)
    elif position < len(log.rows):
        raise SystemExit(f"database {name} holds {position:,} events, fewer than the log's "
                         f"{len(log.rows):,}: drop it or name another")
    return Deployment(target, container, position)


# --- where the CPU goes -------------------------------------------------------------------------


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User + system seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def group_cpu(group: int) -> float:
    """CPU seconds of the live processes of a process group."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


@dataclass
class Cpu:
    """CPU seconds spent by the API processes, the worker, the database's server processes
    (backends connected to the bench's database) and the load generator."""

    api: float = 0.0
    worker: float = 0.0
    database: float = 0.0
    client: float = 0.0
    machine: float = 0.0  # busy CPU seconds of the whole machine (/proc/stat)

    @staticmethod
    def now(groups: dict[str, int], connection: psycopg.Connection[Any]) -> Cpu:
        backends = [int(pid) for (pid,) in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()").fetchall()]
        children = os.times()
        ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / _TICK  # less idle and iowait
        return Cpu(group_cpu(groups["serve"]), group_cpu(groups["worker"]),
                   sum(_cpu(pid) for pid in backends),
                   children.children_user + children.children_system, busy)

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.api - other.api, self.worker - other.worker,
                   self.database - other.database, self.client - other.client,
                   self.machine - other.machine)

    def others(self, seconds: float) -> float:
        """The share of the machine's CPUs busy with anything but the bench, in %."""
        mine = self.api + self.worker + self.database + self.client
        return 100 * max(0.0, self.machine - mine) / (seconds * (os.cpu_count() or 1))


# --- who reads what ---------------------------------------------------------------------------


@dataclass
class Population:
    """Students with a parent, the weeks that have lessons, lessons with their roster."""

    parents: dict[str, str]  # student -> a representative
    weeks: list[str]
    school_id: str
    lessons: list[tuple[str, str, str, list[str]]]  # (lesson, day, teacher, students)


def population(deployment: Deployment) -> Population:
    store = deployment.container.views
    parents: dict[str, str] = {}
    for (pk,) in store.fetchall("SELECT pk FROM view_registry WHERE kind = 'representative'"):
        student, _, parent = str(pk).partition(":")
        parents.setdefault(student, parent)
    days = [str(d) for (d,) in store.fetchall("SELECT DISTINCT day FROM view_stats_lessons")]
    school = store.fetchone("SELECT school_id FROM view_stats_lessons LIMIT 1")
    assert school is not None, "no lessons in the log"
    stints: dict[str, list[tuple[str, str | None, str]]] = {}
    for student, group, start, end in store.fetchall(
            "SELECT student_id, group_id, start_day, end_day FROM view_stats_stints"):
        stints.setdefault(str(group), []).append((str(start), end and str(end), str(student)))
    lessons = []
    for lesson_id, group, day, doc in store.fetchall(
            "SELECT l.lesson_id, l.group_id, l.day, s.doc FROM view_stats_lessons l "
            "JOIN view_journal_state s ON s.kind = 'lesson' AND s.pk = l.lesson_id "
            "WHERE l.cancelled = 0 AND l.group_id = l.class_id"):
        lesson = msgspec.json.decode(doc)
        roster = [s for start, end, s in stints.get(str(group), ())
                  if start <= day and (end is None or day < end)]
        if roster:
            lessons.append((str(lesson_id), str(day),
                            str(lesson["substitute_id"] or lesson["teacher_id"]), roster))
    return Population(parents, sorted({iso_week(d) for d in days}), str(school[0]), lessons)


def diary_requests(people: Population, count: int, seed: int = 1) -> list[Request]:
    """Random (student, week) diaries, half read by the student, half by a parent."""
    rng, tokens = random.Random(seed), LocalTokens(SECRET)
    students = sorted(people.parents)
    minted: dict[tuple[str, Role], str] = {}
    found = []
    for index in range(count):
        student = rng.choice(students)
        reader, role = ((student, Role.STUDENT) if index % 2 else
                        (people.parents[student], Role.PARENT))
        if (reader, role) not in minted:
            minted[(reader, role)] = tokens.mint(reader, role)
        found.append((f"/v1/students/{student}/diary/{rng.choice(people.weeks)}",
                      minted[(reader, role)]))
    return found


# --- load generators --------------------------------------------------------------------------


async def _connection(port: int, requests: list[Request], offset: int, deadline: float,
                      seen: Load) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = offset
    try:
        while time.perf_counter() < deadline:
            path, token = requests[index % len(requests)]
            index += 7
            began = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n"
                         f"Authorization: Bearer {token}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status, length = int(head[9:12]), 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            seen.latencies.append(time.perf_counter() - began)
            seen.statuses[status] = seen.statuses.get(status, 0) + 1
    finally:
        writer.close()


def _load_process(port: int, requests: list[Request], connections: int, seconds: float,
                  seed: int) -> Load:
    seen = Load()

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, requests, seed * 1000 + c, deadline, seen)
                               for c in range(connections)))

    began = time.perf_counter()
    asyncio.run(main())
    seen.seconds = time.perf_counter() - began
    return seen


def load_python(port: int, requests: list[Request], connections: int, workers: int,
                seconds: float) -> Load:
    """`connections` keep-alive connections spread over `workers` processes."""
    per = max(1, connections // workers)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        found = pool.starmap(_load_process, [(port, requests, per, seconds, n)
                                             for n in range(workers)])
    total = Load()
    for seen in found:
        total.add(seen)
    return total


WRK_SCRIPT = """
local requests = {%s}
local index = 0
init = function(args) index = math.random(#requests) end
request = function()
  index = index %% #requests + 1
  local r = requests[index]
  return wrk.format("GET", r[1], {["Authorization"] = "Bearer " .. r[2]})
end
"""


def load_wrk(port: int, requests: list[Request], connections: int, threads: int,
             seconds: float) -> tuple[float, float, float, int, int]:
    """(requests/s, p50 s, p99 s, answers, non-2xx) from `wrk --latency`."""
    items = ",".join(f'{{"{path}","{token}"}}' for path, token in requests[:5000])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % items)
    try:
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
             "-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    found: dict[str, float] = {}
    answers = bad = 0
    for line in out.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("50%", "99%"):
            found[words[0]] = _wrk_seconds(words[1])
        elif line.startswith("Requests/sec:"):
            found["rps"] = float(words[1])
        elif "requests in" in line:
            answers = int(words[0])
        elif line.strip().startswith("Non-2xx"):
            bad = int(words[-1])
    return found["rps"], found["50%"], found["99%"], answers, bad


def _wrk_seconds(text: str) -> float:
    for unit, factor in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


# --- command to diary ---------------------------------------------------------------------


def mark_latency(port: int, people: Population, count: int,
                 seed: int = 2) -> dict[str, list[float]]:
    """Place a mark over HTTP, read the diary with min_position: seconds per step.

    A student has one mark of a work type per lesson: a (lesson, student, work type) already
    marked (by the year, or by an earlier run on a kept database) is refused with 422 and
    another one is drawn; only placed marks are timed."""
    rng, tokens = random.Random(seed), LocalTokens(SECRET)
    kinds = [str(built_in_work_type_id(UUID(people.school_id), kind)) for kind in
             (BuiltIn.BEHAVIOUR, BuiltIn.BY_HEART, BuiltIn.ANSWER, BuiltIn.CLASSWORK)]
    found: dict[str, list[float]] = {"command": [], "diary": [], "total": []}
    refused = 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        while len(found["total"]) < count:
            lesson, day, teacher, roster = rng.choice(people.lessons)
            student = rng.choice(roster)
            began = time.perf_counter()
            placed = client.post(
                f"/v1/lessons/{lesson}/marks",
                headers={"Authorization": "Bearer " + tokens.mint(teacher, Role.TEACHER)},
                json={"marks": [{"student_id": student, "work_type_id": rng.choice(kinds),
                                 "value": rng.choice(("5", "4", "3"))}]})
            if placed.status_code == 422 and refused < 10 * count:
                refused += 1
                continue
            if placed.status_code != 200:
                raise RuntimeError(f"placing a mark: {placed.status_code} {placed.text}")
            answer = placed.json()
            sent = time.perf_counter()
            week = iso_week(date.fromisoformat(day))
            diary = client.get(
                f"/v1/students/{student}/diary/{week}",
                params={"min_position": answer["position"]},
                headers={"Authorization": "Bearer " + tokens.mint(student, Role.STUDENT)})
            if diary.status_code != 200:
                raise RuntimeError(f"reading the diary: {diary.status_code} {diary.text}")
            done = time.perf_counter()
            assert answer["marks"][0]["id"] in diary.text, "the diary does not show the mark"
            found["command"].append(sent - began)
            found["diary"].append(done - sent)
            found["total"].append(done - began)
            time.sleep(0.02)
    return found


# --- the bench ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    before = load()
    log = cached_log(Path(args.cache), args.students, args.weeks, args.seed)
    print(f"log: {len(log.rows):,} events ({args.students} students, {args.weeks} weeks); "
          f"{before}", flush=True)
    args.batch = 2000
    client = "wrk" if args.client in ("auto", "wrk") and shutil.which("wrk") else "python"
    redis_client = redis.Redis.from_url(args.redis)
    redis_client.flushdb()
    with ExitStack() as stack:
        deployment = (kept(stack, args.database, args, log) if args.database else
                      deploy(stack, "postgres", args, log))
        began = time.perf_counter()
        deployment.container.runner.catch_up()
        print(f"projections caught up in {time.perf_counter() - began:.0f} s", flush=True)
        # As autovacuum would have by then: a log copied in bulk has no statistics yet (the
        # recorder's insert check planned without them scans the whole log, ~0.1 s a save),
        # and index-only scans visit the heap until the visibility map is set.
        database_url = deployment.target.database_url
        assert database_url is not None
        began = time.perf_counter()
        with psycopg.connect(database_url, autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")
        print(f"vacuumed and analyzed in {time.perf_counter() - began:.0f} s", flush=True)
        people = population(deployment)
        requests = diary_requests(people, 20_000)
        port = free_port()
        groups = stack.enter_context(processes(deployment.target, port, args.redis,
                                               args.workers))
        watch = stack.enter_context(psycopg.connect(database_url, autocommit=True))
        print(f"serving on :{port} with {args.workers} workers, a zhurnal worker, Redis; "
              f"load generator: {client}", flush=True)
        rows = []
        for round_ in range(args.rounds):
            at_start = load()
            cpu_before, round_began = Cpu.now(groups, watch), time.perf_counter()
            if client == "wrk":
                rps, p50, p99, answers, bad = load_wrk(port, requests, args.connections,
                                                       args.processes, args.seconds)
                errors = str(bad)
            else:
                if round_ == 0:
                    load_python(port, requests, args.connections, args.processes, 3)  # warm
                seen = load_python(port, requests, args.connections, args.processes,
                                   args.seconds)
                rps, answers = seen.count / seen.seconds, seen.count
                p50, p99 = percentile(seen.latencies, 0.5), percentile(seen.latencies, 0.99)
                errors = str(sum(n for status, n in seen.statuses.items() if status != 200))
            spent = Cpu.now(groups, watch) - cpu_before
            others = spent.others(time.perf_counter() - round_began)
            per = 1e6 / max(1, answers)
            whole = spent.api + spent.database
            rows.append((f"round {round_ + 1}", f"{answers:,}", f"{rps:,.0f}", ms(p50), ms(p99),
                         errors, f"{spent.api * per:.0f}", f"{spent.database * per:.0f}",
                         f"{spent.client * per:.0f}",
                         f"{2 * answers / whole:,.0f}" if whole else "-", f"{others:.0f}%",
                         at_start))
        print_table(
            f"diary weeks over HTTP: {args.connections} connections ({client}, "
            f"{args.processes} load processes), {args.workers} API workers, {args.seconds:.0f} s "
            "a round; targets >= 2,000 req/s, p99 <= 30 ms",
            ("round", "answers", "req/s", "p50 ms", "p99 ms", "non-200", "API us/req",
             "PG us/req", "client us/req", "2 cores/(API+PG)", "others' CPU",
             "load at start"), rows)
        print("(CPU per answer from /proc: the API processes, the PostgreSQL backends of the "
              "bench's database, the load generator; `2 cores/(API+PG)` is the rate two idle "
              "cores would allow the server side alone; `others' CPU` the share of the "
              "machine's CPUs busy with other processes during the round)")
        if args.marks:
            # Seeded by the log's length: a kept database already has the earlier runs' marks.
            steps = mark_latency(port, people, args.marks,
                                 seed=deployment.container.log_position())
            print_table(
                f"command to diary: {args.marks} marks placed one at a time over HTTP, each "
                "read back with min_position (worker process, Redis wake-ups); target p99 < "
                "250 ms",
                ("step", "p50 ms", "p99 ms", "max ms"),
                [(name, ms(percentile(v, 0.5)), ms(percentile(v, 0.99)), ms(max(v)))
                 for name, v in steps.items()])
    redis_client.flushdb()
    print(f"\nbefore: {before}; after: {load()}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(db="postgres")
    parser.add_argument("--students", type=int, default=1000, help="students of the school")
    parser.add_argument("--weeks", type=int, default=34, help="study weeks of the year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", default="var/bench", help="where the generated log is kept")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13",
                        help="a Redis database the bench may flush")
    parser.add_argument("--workers", type=int, default=2, help="API processes")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2, help="load generator processes "
                        "(wrk: threads)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--marks", type=int, default=200, help="marks for the latency run")
    parser.add_argument("--database", default=None,
                        help="keep the year in this PostgreSQL database between runs (the "
                        "default: a scratch database, dropped after)")

