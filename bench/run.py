"""Run the benchmark: serve the app with gunicorn, drive it with Locust, write JSON and a Markdown table.

    bench/.venv/bin/python bench/run.py --database postgresql://postgres@127.0.0.1:5432/bench \
        --suite main --duration 20 --rounds 2 --out bench/results/before-main.json

Each phase runs one scenario for `--duration` seconds (or `--max-requests`, whichever comes first);
phases alternate with the baseline in every round, so the app and the baseline share the same
moment of a shared, noisy machine. Ratios compare them within the run. Traffic goes to 127.0.0.1 only.
"""

# ruff: noqa: E402  (gevent must patch the standard library before the other imports)
from __future__ import annotations

# Locust runs on gevent: patch the standard library before anything imports sockets.
from gevent import monkey

monkey.patch_all()

import argparse
import contextlib
import itertools
import json
import os
import platform
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import gevent
import psutil
import requests
from locust.env import Environment

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scenarios  # after the path is set, so bench/ need not be a package

ROOT = HERE.parent
APP_BIN = ROOT / ".venv" / "bin"
WARMUP = 1.0
HARD_LIMIT = 120.0


@dataclass
class Phase:
    scenario: str
    kind: str
    users: int
    baseline: str | None = None
    page: tuple[str, str] | None = None
    identity: str | None = None


def main_suite(lesson_class: int) -> list[Phase]:
    """The issue's table: a class at once, a teacher one page at a time, each beside its baseline."""
    n = lesson_class
    phases = [
        Phase("student_page", "student_page", n, baseline=f"baseline_read_{n}"),
        Phase(f"baseline_read_{n}", "baseline_read", n),
        Phase("reflection_save", "student_save", n, baseline=f"baseline_write_{n}"),
        Phase(f"baseline_write_{n}", "baseline_write", n),
        Phase("baseline_read_1", "baseline_read", 1),
    ]
    for page in ("dashboard", "queue", "reflections_csv", "report", "reflections", "class_overview"):
        phases.append(Phase(page, "teacher_page", 1, baseline="baseline_read_1", page=("class_30", page)))
    phases.append(Phase("teacher_home_10", "home", 1, baseline="baseline_read_1", identity="home_10"))
    return phases


def growth_suite(targets: dict) -> list[Phase]:
    """The same pages for small, usual and large classes, and homes with few and many classes."""
    phases = [Phase("baseline_read_1", "baseline_read", 1)]
    for size_key in sorted(targets["teacher_pages"], key=lambda k: int(k.split("_")[1])):
        for page in ("dashboard", "queue", "reflections_csv"):
            phases.append(
                Phase(f"{page}_{size_key}", "teacher_page", 1, baseline="baseline_read_1", page=(size_key, page))
            )
    for home in sorted(targets["home_classes"], key=lambda k: int(k.split("_")[1])):
        phases.append(Phase(f"teacher_{home}", "home", 1, baseline="baseline_read_1", identity=home))
    return phases


def user_class(phase: Phase, targets: dict, jars: dict) -> type:
    """A Locust user class for one phase, bound to its targets and its people."""
    lesson_people = [f"student:{code}" for code in targets["lesson"]["return_codes"]]
    attrs: dict = {"targets": targets, "jars": jars, "scenario": phase.scenario, "ready": []}
    if phase.kind == "student_page":
        base, attrs["people"] = scenarios.StudentPage, itertools.cycle(lesson_people)
    elif phase.kind == "student_save":
        base, attrs["people"] = scenarios.StudentSave, itertools.cycle(lesson_people)
    elif phase.kind == "teacher_page":
        size_key, page = phase.page
        base, attrs["people"] = scenarios.TeacherPage, itertools.cycle(["teacher:lesson"])
        attrs["url"] = targets["teacher_pages"][size_key][page]
    elif phase.kind == "home":
        base, attrs["people"] = scenarios.TeacherPage, itertools.cycle([f"teacher:{phase.identity}"])
        attrs["url"] = targets["home_url"]
    elif phase.kind == "baseline_read":
        base, attrs["people"] = scenarios.BaselineRead, None
    elif phase.kind == "baseline_write":
        base, attrs["people"] = scenarios.BaselineWrite, None
    else:
        raise ValueError(phase.kind)
    attrs["abstract"] = False
    return type(f"{base.__name__}_{phase.scenario}", (base,), attrs)


def run_phase(
    phase: Phase, host: str, targets: dict, jars: dict, duration: float, max_requests: int, min_requests: int = 1
) -> dict:
    """Run one phase and return its raw numbers: response times (ms), failures and the measured window."""
    cls = user_class(phase, targets, jars)
    cls.host = host
    # Users finish the request in hand when the phase ends, so no abandoned work spills into the next phase.
    env = Environment(user_classes=[cls], stop_timeout=120)
    times: list[float] = []
    failures: list[str] = []
    window = {"start": None}

    def on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
        if name != phase.scenario or window["start"] is None:
            return
        if exception is not None:
            failures.append(str(exception)[:200])
        else:
            times.append(response_time)

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    load_before = os.getloadavg()
    runner.start(phase.users, spawn_rate=phase.users)
    setup_deadline = time.perf_counter() + 300
    while len(cls.ready) < phase.users and time.perf_counter() < setup_deadline:
        gevent.sleep(0.05)
    gevent.sleep(WARMUP)
    window["start"] = time.perf_counter()
    deadline = window["start"] + duration
    # A page slower than the phase still gets `min_requests` answers, within a hard limit of its own.
    hard_deadline = window["start"] + max(duration, HARD_LIMIT)
    while True:
        now, done = time.perf_counter(), len(times) + len(failures)
        if done >= max_requests or now >= hard_deadline or (now >= deadline and done >= min_requests):
            break
        gevent.sleep(0.05)
    seconds = time.perf_counter() - window["start"]
    window["start"] = None
    runner.quit()
    settle(host, targets["health_url"])
    return {
        "scenario": phase.scenario,
        "users": phase.users,
        "seconds": seconds,
        "times": times,
        "failures": failures,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def settle(host: str, health_url: str) -> None:
    """Wait until the server answers a health check at once: whatever was queued has been served."""
    for _ in range(600):
        started = time.perf_counter()
        with contextlib.suppress(requests.RequestException):
            requests.get(host + health_url, timeout=120)
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.1)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summarise(phases: list[Phase], raw: list[dict]) -> dict:
    """Per scenario: requests, req/s, p50/p95/p99 over all its rounds, and the ratios to its baseline."""
    merged: dict[str, dict] = {}
    for result in raw:
        entry = merged.setdefault(
            result["scenario"], {"users": result["users"], "times": [], "failures": [], "seconds": 0.0, "rounds": 0}
        )
        entry["times"] += result["times"]
        entry["failures"] += result["failures"]
        entry["seconds"] += result["seconds"]
        entry["rounds"] += 1
    summary = {}
    for name, entry in merged.items():
        done = len(entry["times"])
        summary[name] = {
            "users": entry["users"],
            "rounds": entry["rounds"],
            "requests": done,
            "failures": len(entry["failures"]),
            "failure_examples": sorted(set(entry["failures"]))[:3],
            "seconds": round(entry["seconds"], 2),
            "req_per_s": round(done / entry["seconds"], 2) if entry["seconds"] else 0.0,
            "p50_ms": _round(percentile(entry["times"], 0.50)),
            "p95_ms": _round(percentile(entry["times"], 0.95)),
            "p99_ms": _round(percentile(entry["times"], 0.99)),
        }
    for phase in phases:
        if phase.baseline and phase.scenario in summary and phase.baseline in summary:
            mine, base = summary[phase.scenario], summary[phase.baseline]
            mine["baseline"] = phase.baseline
            mine["throughput_ratio"] = round(mine["req_per_s"] / base["req_per_s"], 3) if base["req_per_s"] else None
            if mine["p50_ms"] and base["p50_ms"]:
                mine["p50_ratio"] = round(mine["p50_ms"] / base["p50_ms"], 1)
    return summary


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def markdown(summary: dict, meta: dict) -> str:
    """The results as a Markdown table, with the command and the machine's load."""
    lines = [
        f"Command: `{meta['command']}`",
        "",
        f"Commit {meta['commit']}, {meta['started']} to {meta['finished']} (UTC), {meta['cpus']} CPUs, "
        f"gunicorn {meta['server']}. Installation: {meta['installation']}.",
        f"Load average (1, 5, 15 min) before: {_load(meta['load_before'])}; after: {_load(meta['load_after'])}.",
        "",
        "| scenario | users | requests | req/s | p50 ms | p95 ms | p99 ms | baseline | req/s ratio | p50 ratio | failures |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summary.items():
        lines.append(
            f"| {name} | {s['users']} | {s['requests']} | {s['req_per_s']} | {s['p50_ms']} | {s['p95_ms']} | "
            f"{s['p99_ms']} | {s.get('baseline', '')} | {s.get('throughput_ratio', '')} | "
            f"{s.get('p50_ratio', '') and str(s.get('p50_ratio')) + 'x'} | {s['failures']} |"
        )
    if meta.get("workers_rss_mb"):
        lines += ["", f"Gunicorn workers' resident memory after the run (MB): {meta['workers_rss_mb']}."]
    return "\n".join(lines) + "\n"


def _load(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(database: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database,
        BENCH_ROUTES="1",
        FLASK_APP="wsgi",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key-never-for-a-school",
        # Only warnings: the server's stderr is a pipe read when it fails, and must not fill up.
        LOG_LEVEL=env.get("LOG_LEVEL") or "WARNING",
    )
    return env


def write_targets(database: str, path: Path) -> dict:
    subprocess.run(
        [str(APP_BIN / "flask"), "bench", "targets", "--out", str(path)], cwd=ROOT, env=app_env(database), check=True
    )
    return json.loads(path.read_text())


def start_server(database: str, port: int, workers: int, config: str | None) -> subprocess.Popen:
    command = [str(APP_BIN / "gunicorn")]
    if config:
        command += ["-c", config]
    command += ["--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    env = app_env(database)
    if config:
        env["WEB_CONCURRENCY"] = str(workers)
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_up(host: str, health_url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + server.stderr.read().decode(errors="replace")[-2000:])
        try:
            if requests.get(host + health_url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def workers_rss(server: subprocess.Popen) -> list[float]:
    try:
        children = psutil.Process(server.pid).children()
    except psutil.Error:
        return []
    return [round(child.memory_info().rss / 2**20, 1) for child in children]


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def git_commit() -> str:
    """The commit being measured: git's, or a COMMIT file beside the code when it is a copy without git."""
    stamp = ROOT / "COMMIT"
    if stamp.exists():
        return stamp.read_text().strip()
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return (out.stdout.strip() or "unknown") + ("+changes" if dirty.stdout.strip() else "")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="DATABASE_URL of a seeded benchmark database")
    parser.add_argument("--suite", choices=("main", "growth", "all"), default="main")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase (after 1 s of warm-up)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="end a phase after this many requests")
    parser.add_argument("--min-requests", type=int, default=1, help="keep a phase going until this many answers")
    parser.add_argument("--rounds", type=int, default=2, help="times each suite's phases are repeated, interleaved")
    parser.add_argument("--only", default="", help="comma-separated scenarios to run (their baselines come along)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=0, help="where gunicorn listens (default: a free port)")
    parser.add_argument("--config", default=None, help="a gunicorn config file (e.g. gunicorn.conf.py)")
    parser.add_argument("--out", type=Path, required=True, help="JSON results; a .md table is written beside it")
    parser.add_argument("--check", action="store_true", help="fail when a scenario made no request or any failed")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    port = args.port or free_port()
    host = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        targets = write_targets(args.database, Path(tmp) / "targets.json")
    phases: list[Phase] = []
    if args.suite in ("main", "all"):
        phases += main_suite(len(targets["lesson"]["return_codes"]))
    if args.suite in ("growth", "all"):
        phases += growth_suite(targets)
    if args.only:
        wanted = set(args.only.split(","))
        wanted |= {p.baseline for p in phases if p.scenario in wanted and p.baseline}
        phases = [p for i, p in enumerate(phases) if p.scenario in wanted and p not in phases[:i]]
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    server = start_server(args.database, port, args.workers, args.config)
    raw = []
    try:
        wait_until_up(host, targets["health_url"], server)
        jars = scenarios.sign_in_all(host, targets)
        for round_number in range(args.rounds):
            for phase in phases:
                result = run_phase(phase, host, targets, jars, args.duration, args.max_requests, args.min_requests)
                result["round"] = round_number + 1
                raw.append(result)
                print(
                    f"round {round_number + 1} {phase.scenario:>28}: {len(result['times']):>6} requests "
                    f"in {result['seconds']:.1f} s, {len(result['failures'])} failed",
                    flush=True,
                )
        rss = workers_rss(server)
    finally:
        stop_server(server)
    summary = summarise(phases, raw)
    meta = {
        "command": " ".join(
            shlex.quote(a) for a in ["bench/.venv/bin/python", "bench/run.py", *(argv or sys.argv[1:])]
        ),
        "commit": git_commit(),
        "started": started.strftime("%Y-%m-%d %H:%M:%S"),
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "server": f"{args.workers} sync workers" + (f" ({args.config})" if args.config else ""),
        "installation": ", ".join(f"{v:,} {k}" for k, v in targets["installation"].items()),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "workers_rss_mb": rss,
        "duration_per_phase": args.duration,
        "rounds": args.rounds,
    }
    per_phase = [{k: v for k, v in r.items() if k != "times"} | {"requests": len(r["times"])} for r in raw]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "summary": summary, "phases": per_phase}, indent=2) + "\n")
    table = markdown(summary, meta)
    args.out.with_suffix(".md").write_text(table)
    print(table)
    if args.check:
        problems = [n for n, s in summary.items() if not s["requests"] or s["failures"]]
        if problems:
            print("Scenarios with no request or with failures: " + ", ".join(problems), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
