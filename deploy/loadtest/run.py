"""The load test: the cluster on a PostgreSQL catalog of bench products, loaded by locust through HAProxy with
one, two and three app servers; prints throughput, p50/p95/p99 and errors for each, and checks at the end
that no unit was oversold and every order is whole (bench.checkout verify).

    .venv/bin/pip install -e '.[load]'      # locust, once
    .venv/bin/python deploy/loadtest/run.py --products 100000 --users 32 --seconds 60

Bounded in users, time and requests, and aimed at 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def cluster(*args: str, env: dict) -> None:
    subprocess.run(["bash", "deploy/cluster.sh", *args], cwd=ROOT, env=env, check=True)


def inside_app(code: str, env: dict) -> str:
    return subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout


def cluster_env(base: dict) -> dict:
    """What the app servers see (deploy/cluster.sh's settings), for the preparing and checking steps."""
    out = subprocess.run(["bash", "deploy/cluster.sh", "env"], cwd=ROOT, env=base, check=True, capture_output=True,
                         text=True).stdout
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


def summary(prefix: str) -> dict:
    with open(f"{prefix}_stats.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]), "p50": row["50%"], "p95": row["95%"], "p99": row["99%"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=32, help="locust users at once (each waits 0.1-0.5 s)")
    parser.add_argument("--seconds", type=int, default=60, help="per run")
    parser.add_argument("--servers", default="1,2,3", help="how many app servers behind HAProxy, per run")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running afterwards")
    args = parser.parse_args()
    try:
        import locust  # noqa: F401
    except ImportError:
        print("The load test needs locust: .venv/bin/pip install -e '.[load]'")
        return 2

    base = {**os.environ, "CLUSTER_PRODUCTS": str(args.products),
            # Every simulated buyer comes from 127.0.0.1: the per-address limits (sign-in, cart) would stop
            # them at once, so they are off, as in make bench.
            "RATELIMIT_ENABLED": "0"}
    work = Path(tempfile.mkdtemp(prefix="serumpun-load-"))
    cluster("start", env=base)
    try:
        env = cluster_env(base)
        plan_file = work / "plan.json"
        subprocess.run([str(BIN / "python"), "-m", "bench.checkout", "prepare", "--buyers", str(args.users),
                        "--in-play", "64", "--seed", "7", "--plan", str(plan_file)], cwd=ROOT, env=env, check=True)
        plan = json.loads(plan_file.read_text())
        plan["catalog_sample"] = json.loads(inside_app(
            "import json, random; from marketplace import create_app; from marketplace.extensions import db;"
            "from marketplace.catalog.models import Product, ProductStatus; from sqlalchemy import select;"
            "app = create_app(); ctx = app.app_context(); ctx.push();"
            "ids = db.session.scalars(select(Product.id).where(Product.status == ProductStatus.PUBLISHED)).all();"
            "print(json.dumps(random.Random(7).sample(ids, min(2000, len(ids)))))", env))
        plan_file.write_text(json.dumps(plan))
        lb = f"http://127.0.0.1:{env.get('SERVER_NAME', '127.0.0.1:8080').split(':')[1]}"
        results = {}
        for n in [int(x) for x in args.servers.split(",")]:
            cluster("lb", str(n), env=base)
            prefix = str(work / f"servers{n}")
            subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "deploy/loadtest/locustfile.py"), "--headless",
                            "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s", "--host", lb,
                            "--csv", prefix, "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
                           cwd=ROOT, env={**env, "LOADTEST_PLAN": str(plan_file)}, check=False)
            results[n] = summary(prefix)
        verify_file = work / "verify.json"
        subprocess.run([str(BIN / "python"), "-m", "bench.checkout", "verify", "--plan", str(plan_file),
                        "--out", str(verify_file)], cwd=ROOT, env=env, check=False)
        checked = json.loads(verify_file.read_text())
    finally:
        if not args.keep:
            cluster("stop", env=base)

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"\nLoad test: {args.products:,} products on PostgreSQL, {args.users} users for {args.seconds} s per run, "
          f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; locust runs on the same machine.")
    print("| app servers | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, r in results.items():
        print(f"| {n} | {r['requests']} | {r['rps']:.0f} | {r['p50']} | {r['p95']} | {r['p99']} | {r['failures']} |")
    print(f"Orders placed: {checked['orders']}, units sold: {checked['units_sold']}, oversold or lost units: "
          f"{len(checked['mismatches'])}, negative stock: {checked['negative_stock']}, "
          f"orders not whole: {checked['orders_not_whole']}")
    broken = checked["mismatches"] or checked["negative_stock"] or checked["orders_not_whole"]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
