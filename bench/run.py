"""make bench: Serumpun at 100,000 products against a bare Flask "hello", in one run, then the checkout.

Starts gunicorn (2 sync workers, the same for both apps) on 127.0.0.1, loads it
with wrk, and prints requests per second, latency percentiles and the ratio to
"hello". Throughput is measured with 16 connections; latency with one, so that
it is the time a request takes, not time spent queueing. A second pass runs
with the cache switched off, to show what a search costs when nobody has asked
it in the last minute.

The checkout (bench/checkout.py): 16 buyers signed in over HTTP add to cart and check out for a
bounded time against the same gunicorn; it prints the checkout's p50 (alone, and under load) and
checkouts per second, counts oversold units at the end, and exits non-zero on any.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

ENDPOINTS = [
    ("home", "/"),
    ("listing", "/products"),
    ("listing, page 40", "/products?page=40"),
    ("search, 2 filters", "/products?q=kopi&halal=1&category=coffee-tea"),
    ("product page", "/products/{product}"),
    ("API products", "/api/v1/products?per_page=24"),
]
UNCACHED = [
    ("search, 2 filters (no cache)", "/products?q=kopi&halal=1&category=coffee-tea"),
    ("search, 2 filters (no cache)", "/products?q=batik+tulis&verified=1&ships_within=30"),
    ("search, 2 filters (no cache)", "/products?q=sambal&bpom=1&sort=price_asc"),
    ("listing (no cache)", "/products"),
    ("product page (no cache)", "/products/{product}"),  # with its delivered price
    ("product, 400 to Sabah (no cache)", "/products/{product}?qty=400&state=MY-12"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


class Gunicorn:
    def __init__(self, target: str, env: dict, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def __enter__(self):
        wait_for(self.url + "/")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=15)


def wrk(url: str, seconds: int, connections: int, threads: int) -> dict:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def percentile(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rps": rps, "p50": percentile("50"), "p90": percentile("90"), "p99": percentile("99"),
            "errors": int(errors.group(1)) if errors else 0}


def measure(base: str, path: str, seconds: int) -> dict:
    url = base + path
    for _ in range(20):  # warm: compile templates, fill caches, open connections
        urllib.request.urlopen(url, timeout=30).read()
    # Latency first: after a loaded run the workers still have a queue to drain.
    alone = wrk(url, max(2, seconds // 2), connections=1, threads=1)
    load = wrk(url, seconds, connections=16, threads=2)
    return {"rps": load["rps"], "errors": load["errors"], "p50": alone["p50"], "p90": alone["p90"],
            "p99": alone["p99"], "p50_loaded": load["p50"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--instance", default=str(ROOT / "instance" / "bench"))
    parser.add_argument("--products", type=int, default=100_000,
                        help="catalog size seeded into a new instance (an instance keeps what it has)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="a PostgreSQL URL (postgresql+psycopg://...) to bench on; SQLite in the instance if not")
    parser.add_argument("--only", choices=["pages", "checkout"], help="run one part (checkout needs no wrk)")
    parser.add_argument("--buyers", type=int, default=16, help="checkout: buyers at once")
    parser.add_argument("--checkout-seconds", type=int, default=20, help="checkout: how long the buyers buy")
    parser.add_argument("--in-play", type=int, default=64, help="checkout: how many products the buyers choose from")
    args = parser.parse_args()
    if args.only != "checkout" and not shutil.which("wrk"):
        raise SystemExit("make bench needs wrk (Debian: apt-get install wrk)")

    env = {"SERUMPUN_ENV": "development", "SERUMPUN_INSTANCE_PATH": args.instance}
    if args.database:
        env["DATABASE_URL"] = args.database
    Path(args.instance).mkdir(parents=True, exist_ok=True)
    flask = [str(BIN / "flask"), "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    merchants = max(1, min(3000, args.products * 3 // 100))
    subprocess.run([*flask, "seed-bench", "--products", str(args.products), "--merchants", str(merchants)],
                   cwd=ROOT, env={**os.environ, **env}, check=True)

    failed = False
    if args.only != "checkout":
        pages(args, env)
    if args.only != "pages":
        failed = not checkout(args, env)
    if failed:
        raise SystemExit(1)


def pages(args, env: dict) -> None:
    rows = []
    with Gunicorn("bench.hello:app", env, args.workers) as hello:
        baseline = measure(hello.url, "/", args.seconds)
    rows.append(("hello (bare Flask)", "/", baseline))
    with Gunicorn("app:app", env, args.workers) as app:
        product = json.load(urllib.request.urlopen(app.url + "/api/v1/products?per_page=1"))["data"][0]["id"]
        for name, path in ENDPOINTS:
            rows.append((name, path.format(product=product), measure(app.url, path.format(product=product), args.seconds)))
    with Gunicorn("app:app", {**env, "CACHE_TYPE": "NullCache"}, args.workers) as app:
        for name, path in UNCACHED:
            rows.append((name, path.format(product=product), measure(app.url, path.format(product=product), args.seconds)))

    print()
    print(f"Serumpun at {args.products:,} products on {database_name(args.database)}; gunicorn {args.workers} sync workers; wrk on 127.0.0.1; "
          f"{os.cpu_count()} cores")
    print(f"{'endpoint':32} {'req/s':>8} {'vs hello':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}  path")
    for name, path, r in rows:
        ratio = r["rps"] / baseline["rps"]
        flag = f"  ({r['errors']} errors)" if r["errors"] else ""
        print(f"{name:32} {r['rps']:8.0f} {ratio:9.2f} {r['p50']:8.2f} {r['p90']:8.2f} {r['p99']:8.2f}  {path}{flag}")
    print("p50/p90/p99: one connection at a time; req/s: 16 connections.")
    listing = next(r for n, _, r in rows if n == "listing")
    searches = [r["p50"] for n, _, r in rows if n.startswith("search, 2 filters (no cache)")]
    print(f"Targets: listing >= 0.30 of hello: {listing['rps'] / baseline['rps']:.2f}; "
          f"search with two filters, uncached, median < 100 ms: {max(searches):.1f} ms (slowest of {len(searches)})")
    Path(args.instance, "results.json").write_text(json.dumps(
        [{"endpoint": n, "path": p, **r} for n, p, r in rows], indent=2))


def database_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def checkout(args, env: dict) -> bool:
    """Buyers checking out over HTTP, then the count of oversold units; False if anything went wrong."""
    sys.path.insert(0, str(ROOT))
    from bench.checkout import drive

    plan_path, counted_path = Path(args.instance, "checkout-plan.json"), Path(args.instance, "checkout-counted.json")
    inside = [str(BIN / "python"), "-m", "bench.checkout"]
    subprocess.run([*inside, "prepare", "--buyers", str(args.buyers), "--in-play", str(args.in_play),
                    "--plan", str(plan_path)], cwd=ROOT, env={**os.environ, **env}, check=True)
    plan = json.loads(plan_path.read_text())
    sold_out: set = set()
    with Gunicorn("bench.shop:app", env, args.workers) as shop:
        alone = drive(shop.url, plan, 1, max(2, args.checkout_seconds // 4), sold_out)
        loaded = drive(shop.url, plan, args.buyers, args.checkout_seconds, sold_out)
    subprocess.run([*inside, "verify", "--plan", str(plan_path), "--out", str(counted_path)], cwd=ROOT,
                   env={**os.environ, **env}, check=True)
    counted = json.loads(counted_path.read_text())

    def ms(value):
        return "-" if value is None else f"{value:.1f}"

    print()
    print(f"Checkout at {args.products:,} products on {database_name(args.database)}; gunicorn {args.workers} sync workers; buyers over HTTP on "
          f"127.0.0.1 (sign in once; then add to cart, the checkout form, POST /checkout, again)")
    print(f"{'buyers at once':16} {'seconds':>8} {'placed':>7} {'refused':>8} {'checkouts/s':>12} "
          f"{'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for r in (alone, loaded):
        print(f"{r['buyers']:<16} {r['seconds']:8.1f} {r['placed']:7} {r['refused']:8} {r['checkouts_per_s']:12.1f} "
              f"{ms(r['p50']):>8} {ms(r['p90']):>8} {ms(r['p99']):>8}")
    print("p50/p90/p99: POST /checkout that placed an order (with one buyer: its own time; with more: with queueing).")
    print(f"The rest of each round, p50 with one buyer / with {loaded['buyers']}: POST /cart/add {ms(alone['add_p50'])} / "
          f"{ms(loaded['add_p50'])} ms, GET /checkout {ms(alone['form_p50'])} / {ms(loaded['form_p50'])} ms; "
          f"rounds per second {alone['cycles_per_s']:.1f} / {loaded['cycles_per_s']:.1f}.")
    print(f"Refused (out of stock at checkout): {alone['refused'] + loaded['refused']}, p50 "
          f"{ms(loaded['refused_p50'])} ms; found sold out when adding to the cart: "
          f"{alone['sold_out_at_add'] + loaded['sold_out_at_add']}; products in play: {len(plan['products'])}, "
          f"sold out by the end: {counted['products_sold_out']}.")
    oversold = len(counted["mismatches"])
    print(f"Orders placed in the run: {counted['orders']} ({counted['units_sold']} units). Products whose units in "
          f"orders differ from the stock taken: {oversold}; stock below zero: {counted['negative_stock']}; "
          f"orders without a parcel or a line: {counted['orders_not_whole']}.")
    errors = alone["errors"] + loaded["errors"]
    for error in errors:
        print(f"ERROR {error}")
    for mismatch in counted["mismatches"]:
        print(f"OVERSOLD {mismatch}")
    Path(args.instance, "checkout-results.json").write_text(json.dumps(
        {"alone": alone, "loaded": loaded, "counted": counted}, indent=2))
    expected = counted["orders"] == alone["placed"] + loaded["placed"]
    if not expected:
        print(f"ERROR the buyers saw {alone['placed'] + loaded['placed']} orders placed; the database has "
              f"{counted['orders']}")
    if not loaded["placed"]:
        print(f"ERROR no checkout placed an order with {loaded['buyers']} buyers (couriers, customs rules, rates?)")
    return not (oversold or counted["negative_stock"] or counted["orders_not_whole"] or errors) and expected \
        and loaded["placed"] > 0


if __name__ == "__main__":
    main()
