"""How many guidance taps per second does one Bibliotal server take, and how fast does it answer?

Loads the Herning demo into a fresh data directory (nothing of yours is touched), starts
`bibliotal serve` (gunicorn, 2 workers × 4 threads, SQLite in WAL mode) on a free local port, and
drives it from client threads over keep-alive connections for a fixed time:

1. the trivial view /healthz/live (no database: the framework's own ceiling on this machine),
2. POST /api/v1/guidance, one tap per request with a new key, authenticated by an API token,

taking turns ``--runs`` times, so that each ratio is measured side by side on the same machine.

    .venv/bin/python bench/guidance_taps.py [--seconds 10] [--clients 8] [--runs 3]
    .venv/bin/python bench/guidance_taps.py --postgres postgres://postgres@127.0.0.1:5432/postgres

With ``--postgres`` the demo is loaded into a database ``bibliotal_bench`` made afresh on that
server (the URL names the server and a database to connect to first). It prints requests per
second, p50/p99 and their ratio for both, the throughput ratio of each run and their median (goal:
0.2 or more), and the statements of one tap. Only 127.0.0.1 is contacted; it stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "bibliotal"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(env, *args, capture=False):
    return subprocess.run([str(BIN), *args], env=env, check=True, text=True, capture_output=capture)


def drive(port, *, seconds, clients, make_request):
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        own: list[float] = []
        while time.perf_counter() < deadline:
            method, path, body, headers = make_request()
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            own.append(time.perf_counter() - began)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(own)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (default: SQLite)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="bibliotal-bench-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"BIBLIOTAL_DATA_DIR": data_dir, "BIBLIOTAL_DEBUG": "false"})
    if args.postgres:
        env["DATABASE_URL"] = fresh_postgres(args.postgres)
    print(f"Loading the demo into {data_dir} …", flush=True)
    run(env, "demo", "--no-serve", capture=True)
    token = run(
        env, "token", "create", "personale", "--name", "benchmark", capture=True
    ).stdout.strip()
    point_and_topic = run(
        env,
        "shell",
        "-c",
        (
            "from bibliotal.core.models import ServicePoint;"
            "from bibliotal.guidance.models import GuidanceTopic;"
            "p = ServicePoint.objects.get(branch__name='Herning Bibliotek', name='Informationen');"
            "t = GuidanceTopic.objects.filter(organisation=p.branch.organisation).first();"
            "print(p.pk, t.pk)"
        ),
        capture=True,
    ).stdout.split()
    point, topic = int(point_and_topic[-2]), int(point_and_topic[-1])
    port = free_port()
    server = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def healthz():
            return "GET", "/healthz/live", None, {}

        def one_tap():
            body = json.dumps({"key": str(uuid.uuid4()), "service_point": point, "topic": topic})
            return "POST", "/api/v1/guidance", body, headers

        drive(port, seconds=2, clients=args.clients, make_request=healthz)  # warm up
        drive(port, seconds=2, clients=args.clients, make_request=one_tap)
        runs = []
        for _ in range(args.runs):
            trivial = drive(port, seconds=args.seconds, clients=args.clients, make_request=healthz)
            taps = drive(port, seconds=args.seconds, clients=args.clients, make_request=one_tap)
            runs.append((trivial, taps))
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratios = []
    for number, (trivial, taps) in enumerate(runs, start=1):
        print(f"run {number}:")
        for name, result in (
            ("trivial view /healthz/live", trivial),
            ("tap POST /api/v1/guidance", taps),
        ):
            print(
                f"  {name:28} {result['per_second']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
                f"p99 {result['p99_ms']:6.1f} ms  "
                f"p99/p50 {result['p99_ms'] / result['p50_ms']:4.1f}  "
                f"({result['requests']} requests, {result['errors']} errors)"
            )
        ratios.append(taps["per_second"] / trivial["per_second"])
        print(f"  tap / trivial view throughput = {ratios[-1]:.3f}")
    print(
        f"median of {len(ratios)} runs: tap / trivial view = {statistics.median(ratios):.3f} "
        f"(runs {', '.join(f'{r:.3f}' for r in ratios)}; goal: 0.2 or more)"
    )
    print(f"statements of one tap: {statements_of_a_tap(env)}")
    print(f"today's counts, at an empty desk / after 3,000 taps that day: {today_growth(env)}")
    return 0 if all(taps["errors"] == 0 for _, taps in runs) else 1


def statements_of_a_tap(env) -> int:
    """One tap through the API in-process, its SQL statements counted (the second tap of a
    connection, as a server thread's is)."""
    code = (
        "import json, uuid;"
        "from django.db import connection;"
        "from django.test import Client;"
        "from django.test.utils import CaptureQueriesContext;"
        "from bibliotal.core.models import ApiToken, ServicePoint;"
        "from bibliotal.guidance.models import GuidanceTopic;"
        "from django.contrib.auth import get_user_model;"
        "p = ServicePoint.objects.get(branch__name='Herning Bibliotek', name='Informationen');"
        "t = GuidanceTopic.objects.filter(organisation=p.branch.organisation).first();"
        "_, key = ApiToken.issue(user=get_user_model().objects.get(username='personale'));"
        "c = Client(headers={'Authorization': 'Bearer ' + key}, SERVER_NAME='127.0.0.1');"
        "send = lambda: c.post('/api/v1/guidance', json.dumps({'key': str(uuid.uuid4()),"
        " 'service_point': p.pk, 'topic': t.pk}), content_type='application/json');"
        "send();"
        "ctx = CaptureQueriesContext(connection);"
        "ctx.__enter__(); r = send(); ctx.__exit__(None, None, None);"
        "assert r.status_code == 200, r.content;"
        "print(len(ctx.captured_queries))"
    )
    return int(run(env, "shell", "-c", code, capture=True).stdout.split()[-1])


def today_growth(env) -> str:
    """The answer's "today" at a desk of its own: median time with no taps that day, then
    with 3,000 (``today_counts``, in-process)."""
    code = """
import statistics, time
from django.utils import timezone
from bibliotal.core.models import ServicePoint
from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from bibliotal.guidance.services import today_counts

b = ServicePoint.objects.get(branch__name="Herning Bibliotek", name="Informationen").branch
p = ServicePoint.objects.create(branch=b, name=f"Benchmark {time.time()}")
t = GuidanceTopic.objects.filter(organisation=b.organisation).first()
day = timezone.localdate()


def timed():
    runs = []
    for _ in range(300):
        began = time.perf_counter()
        today_counts(service_point=p, day=day)
        runs.append(time.perf_counter() - began)
    return statistics.median(runs) * 1e6


empty = timed()
GuidanceRecord.objects.bulk_create(
    GuidanceRecord(
        organisation=b.organisation, branch=b, service_point=p, topic=t,
        occurred_at=timezone.now(), day=day, idempotency_key=f"bench-{p.pk}-{i}",
    )
    for i in range(3000)
)
full = timed()
assert today_counts(service_point=p, day=day) == {t.pk: 3000}
print(f"{empty:.0f} µs / {full:.0f} µs")
"""
    return run(env, "shell", "-c", code, capture=True).stdout.strip().splitlines()[-1]


def fresh_postgres(url: str) -> str:
    """A database ``bibliotal_bench`` made afresh on the server of ``url``; its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS bibliotal_bench")
        connection.execute("CREATE DATABASE bibliotal_bench")
    base, _, _ = url.rpartition("/")
    return f"{base}/bibliotal_bench"


if __name__ == "__main__":
    sys.exit(main())
