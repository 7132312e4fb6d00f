"""How many guidance taps per second does one Bibliotal server take, and how fast does it answer?

Loads the Herning demo into a fresh data directory (nothing of yours is touched), starts
`bibliotal serve` (gunicorn, 2 workers × 4 threads, SQLite in WAL mode) on a free local port, and
drives it from client threads over keep-alive connections for a fixed time:

1. the trivial view /healthz (the framework's own ceiling on this machine),
2. POST /api/v1/guidance, one tap per request with a new key, authenticated by an API token.

    .venv/bin/python bench/guidance_taps.py [--seconds 20] [--clients 8]

It prints requests per second and p50/p99 latency for both, and the ratio (goal: the tap at half
the trivial view's throughput or better). Only 127.0.0.1 is contacted; the run stops by itself.
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
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="bibliotal-bench-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"BIBLIOTAL_DATA_DIR": data_dir, "BIBLIOTAL_DEBUG": "false"})
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
            return "GET", "/healthz", None, {}

        def one_tap():
            body = json.dumps({"key": str(uuid.uuid4()), "service_point": point, "topic": topic})
            return "POST", "/api/v1/guidance", body, headers

        drive(port, seconds=2, clients=args.clients, make_request=healthz)  # warm up
        trivial = drive(port, seconds=args.seconds, clients=args.clients, make_request=healthz)
        taps = drive(port, seconds=args.seconds, clients=args.clients, make_request=one_tap)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for name, result in (("trivial view /healthz", trivial), ("tap POST /api/v1/guidance", taps)):
        print(
            f"{name:28} {result['per_second']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
            f"p99 {result['p99_ms']:6.1f} ms  ({result['requests']} requests, "
            f"{result['errors']} errors)"
        )
    ratio = taps["per_second"] / trivial["per_second"]
    print(f"tap throughput / trivial view throughput = {ratio:.2f} (goal: 0.50 or more)")
    return 0 if taps["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
