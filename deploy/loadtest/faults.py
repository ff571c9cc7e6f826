"""Fault tests for the cluster: while buyers browse and check out through HAProxy, something breaks; at the
end nothing may be lost or doubled. Exits non-zero when anything is.

    .venv/bin/python deploy/loadtest/faults.py app-server    # kill one app server (its master and workers)
    .venv/bin/python deploy/loadtest/faults.py consumer      # SIGKILL a job consumer while it sends a mail

What is checked after every fault: every checkout a buyer sent got one answer in the end (a buyer whose
request failed sends the same form again, with the same checkout key, as a browser's "try again" would);
each checkout key made at most one order and every order placed is one a buyer was told about; stock
equals initial stock minus units sold (bench.checkout verify); and 5xx answers to buyers only came
within the window the fault allows. The consumer fault also checks that every mail the run caused (each
row of the job outbox for mail.deliver) reached the script's SMTP sink exactly once, by Message-ID, and
that every order placed had its mail.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BIN, ROOT, cluster, cluster_env  # noqa: E402

from bench.checkout import ADDRESS, KEY_RE, Browser  # noqa: E402

WINDOW = 10.0  # seconds after a fault in which HAProxy may still send a request to the broken part


class Record:
    def __init__(self):
        self.lock = threading.Lock()
        self.server_errors: list[tuple[float, str]] = []  # (time, what)
        self.orders: dict[str, str] = {}  # checkout key -> order path the buyer was sent to
        self.unanswered: list[str] = []  # checkout keys that never got an answer
        self.crashed: list[str] = []  # buyers whose loop ended on an error of the script's own

    def error(self, what: str) -> None:
        with self.lock:
            self.server_errors.append((time.monotonic(), what))


def ask(browser: Browser, record: Record, path: str, form: dict | None = None, tries: int = 8):
    """A request as a patient browser makes it: a 5xx or a dropped connection is counted, then sent again."""
    for attempt in range(tries):
        try:
            status, location, page = browser.request(path, form)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            record.error(f"{path}: {error!r}")
            time.sleep(0.5 * (attempt + 1))
            continue
        if status >= 500:
            record.error(f"{path}: HTTP {status}")
            time.sleep(0.5 * (attempt + 1))
            continue
        return status, location, page
    return None


def buyer(base: str, email: str, plan: dict, stop: threading.Event, record: Record, seed: int) -> None:
    try:
        shop(base, email, plan, stop, record, seed)
    except BaseException as error:  # noqa: BLE001  reported: a buyer that stopped early proves nothing
        with record.lock:
            record.crashed.append(f"{email}: {error!r}")


def shop(base: str, email: str, plan: dict, stop: threading.Event, record: Record, seed: int) -> None:
    rng = random.Random(seed)
    browser = Browser(base)
    browser.sign_in(email, plan["password"])
    products = list(plan["products"])
    while not stop.is_set():
        if rng.random() < 0.7:  # browsing between purchases
            ask(browser, record, rng.choice(["/products", "/products?q=kopi", "/", "/products?page=3"]))
            continue
        product = rng.choice(products)
        if ask(browser, record, "/cart/add", {"product_id": product, "quantity": plan["products"][product]["moq"],
                                              "next": "/cart/"}) is None:
            continue
        answer = ask(browser, record, "/checkout")
        key = KEY_RE.search(answer[2]) if answer else None
        if key is None:
            continue
        key = unescape(key.group(1))
        answer = ask(browser, record, "/checkout", {**ADDRESS, "checkout_key": key}, tries=30)
        with record.lock:
            if answer is None:
                record.unanswered.append(key)
            elif answer[0] == 303 and "/orders/" in answer[1]:
                previous = record.orders.setdefault(key, answer[1])
                assert previous == answer[1]
        if answer and answer[0] == 400:
            ask(browser, record, "/cart/remove", {"product_id": product, "next": "/cart/"})
        browser.read_token(answer[2] if answer else "")


def pids_of(run: Path, name: str) -> list[int]:
    master = int((run / f"{name}.pid").read_text())
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [master, *map(int, children)]


def orders_in_database(env: dict, after: int) -> dict[str, int]:
    code = ("import json; from sqlalchemy import select; from marketplace import create_app;"
            "from marketplace.extensions import db; from marketplace.orders.models import Order;"
            "app = create_app(); ctx = app.app_context(); ctx.push();"
            f"print(json.dumps({{o.number: o.id for o in db.session.scalars(select(Order).where(Order.id > {after}))}}))")
    return json.loads(subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout)


class MailSink:
    """An SMTP server on a private port that counts mail by Message-ID; armed, it holds the next DATA (the
    sending consumer is then inside the SMTP conversation) until released, and then drops that mail."""

    def __init__(self):
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.lock = threading.Lock()
        self.received: dict[str, int] = {}  # Message-ID -> copies taken
        self.armed, self.holding, self.released = threading.Event(), threading.Event(), threading.Event()
        self.held_peer: tuple | None = None
        self.held_id = ""
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  aiosmtpd's name
        import asyncio
        from email import message_from_bytes, policy

        message_id = message_from_bytes(envelope.content, policy=policy.default)["Message-ID"] or ""
        if self.armed.is_set() and not self.holding.is_set():
            self.held_peer, self.held_id = session.peer, message_id
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 120)
            return "451 4.3.0 Try again later"  # to a consumer that is gone: this copy was never taken
        with self.lock:
            self.received[message_id] = self.received.get(message_id, 0) + 1
        return "250 OK"

    def cluster_settings(self) -> dict:
        return {"CLUSTER_MAIL_BACKEND": "smtp", "CLUSTER_MAIL_SERVER": "127.0.0.1",
                "CLUSTER_MAIL_PORT": str(self.port), "CLUSTER_MAIL_USE_TLS": "0",
                # Short enough for a run of a minute: a killed consumer's jobs are swept ~25 s later.
                "JOBS_LEASE_SECONDS": "20", "JOBS_SWEEP_AFTER": "10", "JOBS_SWEEP_INTERVAL": "5"}

    def stop(self) -> None:
        self.released.set()
        self.controller.stop()


def consumer_fault_setup(base_env: dict) -> MailSink:
    sink = MailSink()
    base_env.update(sink.cluster_settings())
    print(f"== SMTP sink on 127.0.0.1:{sink.port}")
    return sink


def kill_a_consumer_mid_mail(run: Path, env: dict, sink: MailSink) -> None:
    """Wait for a mail inside its SMTP DATA, SIGKILL the consumer sending it, and start that consumer again."""
    sink.armed.set()
    if not sink.holding.wait(60):
        raise RuntimeError("no mail was sent within 60 s of arming the sink")
    owners = subprocess.run(["ss", "-tnpH", f"sport = :{sink.held_peer[1]}"], capture_output=True,
                            text=True).stdout
    pid = int(re.search(r"pid=(\d+)", owners).group(1))
    name = next((path.stem for path in run.glob("jobs*.pid") if int(path.read_text()) == pid), None)
    if name is None:
        raise RuntimeError(f"the mail came from pid {pid}, which is not one of the cluster's consumers")
    print(f"== killing job consumer {name} (pid {pid}) inside the SMTP DATA of {sink.held_id}")
    os.kill(pid, signal.SIGKILL)
    while subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0:
        time.sleep(0.05)
    sink.released.set()
    with open(run / f"{name}.log", "ab") as log:  # as deploy/cluster.sh launches it, so that its stop stops it
        worker = subprocess.Popen([str(BIN / "flask"), "--app", "app", "jobs-worker", "--workers", "2"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    (run / f"{name}.pid").write_text(f"{worker.pid}\n")
    started = subprocess.run(["ps", "-o", "lstart=", "-p", str(worker.pid)], capture_output=True, text=True).stdout
    (run / f"{name}.started").write_text(started)
    print(f"== {name} started again (pid {worker.pid})")


def outbox_state(env: dict) -> dict:
    code = ("import json; from sqlalchemy import select; from marketplace import create_app;"
            "from marketplace.core.jobs import QueuedJob; from marketplace.core.models import utcnow;"
            "from marketplace.extensions import db; app = create_app(); ctx = app.app_context(); ctx.push();"
            "rows = db.session.scalars(select(QueuedJob)).all(); now = utcnow();"
            "print(json.dumps({'mails': {r.arguments['args'][3]: bool(r.done_at) for r in rows"
            " if r.name == 'mail.deliver'}, 'placed_mail_orders': sorted({r.arguments['args'][0] for r in rows"
            " if r.name == 'orders.order_mail' and r.arguments['args'][1] == 'placed' and r.done_at}),"
            " 'outstanding': [r.name for r in rows if r.done_at is None and (r.run_at is None or r.run_at <= now)],"
            " 'failed': [f'{r.name}: {r.error}' for r in rows if r.done_at and r.error]}))")
    return json.loads(subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True,
                                     capture_output=True, text=True).stdout)


def check_mail_once(env: dict, sink: MailSink, placed: dict[str, int]) -> list[str]:
    """Once every due job has run: each mail the run caused reached the sink once, and each order had its mail."""
    deadline = time.monotonic() + 180  # a lease and a sweep or two
    state = outbox_state(env)
    while state["outstanding"] and time.monotonic() < deadline:
        time.sleep(2)
        state = outbox_state(env)
    problems = []
    if state["outstanding"]:
        problems.append(f"{len(state['outstanding'])} jobs never ran: {state['outstanding'][:5]}")
    if state["failed"]:
        problems.append(f"{len(state['failed'])} jobs failed for good: {state['failed'][:3]}")
    expected = {f"<{key}@serumpun>" for key in state["mails"]}
    with sink.lock:
        received = dict(sink.received)
    missing = sorted(expected - set(received))
    doubled = sorted(message_id for message_id, copies in received.items() if copies > 1)
    strangers = sorted(set(received) - expected)
    if missing or doubled or strangers:
        problems.append(f"mail not delivered once: missing {missing[:5]}, doubled {doubled[:5]}, "
                        f"unknown {strangers[:5]}")
    if sink.held_id and sink.held_id not in received:
        problems.append(f"the mail cut off by the kill ({sink.held_id}) was never sent again")
    unmailed = set(placed.values()) - set(state["placed_mail_orders"])
    if unmailed:
        problems.append(f"{len(unmailed)} orders placed without their mail: {sorted(unmailed)[:5]}")
    print(f"== consumer: {len(expected)} mails caused, {sum(received.values())} received "
          f"({len(received)} distinct), the one cut off by the kill ({sink.held_id}) received "
          f"{received.get(sink.held_id, 0)} time(s), {len(missing)} missing, {len(doubled)} doubled")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=["app-server", "consumer"])
    parser.add_argument("--buyers", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=40, help="of load; the fault comes a third of the way in")
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()

    run = Path(os.environ.get("CLUSTER_RUN", "instance/cluster"))
    base_env = {**os.environ, "CLUSTER_PRODUCTS": str(args.products),
                "RATELIMIT_ENABLED": "0"}  # every buyer has the same address here (see run.py)
    sink = consumer_fault_setup(base_env) if args.fault == "consumer" else None
    cluster("start", env=base_env)
    problems: list[str] = []
    try:
        env = cluster_env(base_env)
        work = Path(tempfile.mkdtemp(prefix="serumpun-faults-"))
        plan_file = work / "plan.json"
        subprocess.run([str(BIN / "python"), "-m", "bench.checkout", "prepare", "--buyers", str(args.buyers),
                        "--in-play", "48", "--seed", "11", "--plan", str(plan_file)], cwd=ROOT, env=env, check=True)
        plan = json.loads(plan_file.read_text())
        base = "http://" + env["SERVER_NAME"]
        record, stop = Record(), threading.Event()
        threads = [threading.Thread(target=buyer, args=(base, plan["buyers"][n], plan, stop, record, n), daemon=True)
                   for n in range(args.buyers)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 3)

        fault_at = time.monotonic()
        if args.fault == "app-server":
            victims = pids_of(run, "app2")
            print(f"== killing app server 2 (pids {victims})")
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
        elif args.fault == "consumer":
            kill_a_consumer_mid_mail(run, env, sink)
        time.sleep(args.seconds * 2 / 3)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)

        late = [what for when, what in record.server_errors if not fault_at <= when <= fault_at + WINDOW]
        in_window = len(record.server_errors) - len(late)
        if late:
            problems.append(f"{len(late)} server errors outside the fault's window, e.g. {late[:3]}")
        if record.crashed:
            problems.append(f"{len(record.crashed)} buyers stopped on an error: {record.crashed[:3]}")
        if record.unanswered:
            problems.append(f"{len(record.unanswered)} checkouts never answered")
        placed = orders_in_database(env, plan["after_order_id"])
        told = {re.sub(r".*/orders/", "", path).split("?")[0] for path in record.orders.values()}
        if set(placed) != told:
            problems.append(f"orders placed but never shown to a buyer: {sorted(set(placed) - told)[:5]}; "
                            f"shown but missing: {sorted(told - set(placed))[:5]}")
        if sink is not None:
            problems += check_mail_once(env, sink, placed)
        verify_file = work / "verify.json"
        subprocess.run([str(BIN / "python"), "-m", "bench.checkout", "verify", "--plan", str(plan_file),
                        "--out", str(verify_file)], cwd=ROOT, env=env, check=False)
        checked = json.loads(verify_file.read_text())
        if checked["mismatches"] or checked["negative_stock"] or checked["orders_not_whole"]:
            problems.append(f"stock or orders wrong: {checked}")
        print(f"== {args.fault}: {len(placed)} orders from {len(record.orders)} checkout keys, "
              f"{in_window} server errors within {WINDOW:.0f} s of the fault (retried), {len(late)} outside it, "
              f"units sold {checked['units_sold']}, oversold or lost units {len(checked['mismatches'])}")
    finally:
        cluster("stop", env=base_env)
        if sink is not None:
            sink.stop()
    for problem in problems:
        print("FAILED:", problem)
    print("OK: nothing lost or doubled" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
