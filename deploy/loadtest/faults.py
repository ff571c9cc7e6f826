"""Fault tests for the cluster: while buyers browse and check out through HAProxy, something breaks; at the
end nothing may be lost or doubled. Exits non-zero when anything is.

    .venv/bin/python deploy/loadtest/faults.py app-server    # kill one app server (its master and workers)
    .venv/bin/python deploy/loadtest/faults.py consumer      # SIGKILL a job consumer while it sends a mail
    .venv/bin/python deploy/loadtest/faults.py redis         # stop the cluster's Redis, start it again
    .venv/bin/python deploy/loadtest/faults.py postgres      # stop the cluster's own PostgreSQL, start it again

What is checked after every fault: every checkout a buyer sent got one answer in the end (a buyer whose
request failed sends the same form again, with the same checkout key, as a browser's "try again" would);
each checkout key made at most one order and every order placed is one a buyer was told about; stock
equals initial stock minus units sold (bench.checkout verify); and 5xx answers to buyers only came
within the window the fault allows. Each fault adds its own checks (redis_checks, postgres_checks;
the consumer fault: every mail the run caused, each row of the job outbox for mail.deliver, reached the
script's SMTP sink exactly once, by Message-ID, and every order placed had its mail).
"""
from __future__ import annotations

import argparse
import functools
import gettext
import http.client
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
import urllib.request
import uuid
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BIN, ROOT, cluster, cluster_env, inside_app  # noqa: E402

from bench.checkout import ADDRESS, KEY_RE, Browser  # noqa: E402

WINDOW = 10.0  # seconds after a fault in which HAProxy may still send a request to the broken part
# Redis and PostgreSQL stay down this long before they are started again.
DOWN = 5.0
# redis: the app serves without Redis (a cache miss, limits not counted, a queueing failure logged), so no
# 5xx is expected at all; the window (Redis down, and 5 s after it answers again) only says where one
# would be forgiven. postgres: requests that need the database get the app's 503 while it is down; after it
# answers again, each worker's pooled connections are found dead by the pre-ping and replaced on their next
# use, and HAProxy takes the servers back after two good checks 2 s apart: 10 s.
AFTER_RESTART = {"redis": 5.0, "postgres": 10.0}
# What the database's 503 says (marketplace/core/errors.py); the reader with Accept-Language ms gets it in Malay.
DATABASE_DOWN = "Serumpun cannot reach its database just now. Nothing was changed; please try again in a minute."


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


class _FromAddress(urllib.request.HTTPHandler):
    handler_order = 499  # before the opener's own HTTPHandler

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


def browser_from(base: str, n: int) -> Browser:
    """A Browser whose connections come from 127.0.0.(10+n): each buyer has an address of its own, as
    buyers on the internet do, so that per-address rate limits can stay on (HAProxy passes it on)."""
    browser = Browser(base)
    browser.opener.add_handler(_FromAddress(f"127.0.0.{10 + n}"))
    return browser


def shop(base: str, email: str, plan: dict, stop: threading.Event, record: Record, seed: int) -> None:
    rng = random.Random(seed)
    browser = browser_from(base, seed)
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


def anonymous_reader(base: str, stop: threading.Event, record: Record) -> None:
    """A visitor who is not signed in: the pages served whole from the cache (core.cache.cached_page)."""
    try:
        browser, rng = browser_from(base, 200), random.Random(5)
        while not stop.is_set():
            ask(browser, record, rng.choice(["/", "/products", "/products?q=kopi", "/products?page=2"]))
    except BaseException as error:  # noqa: BLE001
        with record.lock:
            record.crashed.append(f"anonymous reader: {error!r}")


def redis_cli(env: dict, *args: str) -> str:
    url = env["REDIS_URL"]  # redis://127.0.0.1:PORT/DB
    port, db = url.rsplit(":", 1)[1].split("/")
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "-n", db, *args], capture_output=True,
                          text=True, errors="replace", timeout=30).stdout


SCHEDULED = """
import json
from marketplace import create_app
from marketplace.core.jobs import jobs_of
app = create_app(); jobs = jobs_of(app)
ids = {ids!r}
if {enqueue!r}:
    from sqlalchemy import select
    from marketplace.extensions import db
    from marketplace.orders.lifecycle import ORDER_MAIL_JOB
    from marketplace.orders.models import Order
    with app.app_context():
        order = db.session.scalar(select(Order.id).where(Order.buyer_id.is_not(None)).order_by(Order.id))
    for task_id in ids:  # the order's "placed" mail, once: sent already, the job finds it done and stops
        jobs.task(ORDER_MAIL_JOB).schedule(args=(order, "placed"), delay={delay}, id=task_id)
import time
deadline = time.monotonic() + 20
while True:  # a consumer moves a task with an eta from the queue to the schedule
    scheduled = {{task.id for task in jobs.huey.scheduled()}}
    if set(ids) <= scheduled or time.monotonic() > deadline:
        break
    time.sleep(0.2)
print(json.dumps(sorted(set(ids) & scheduled)))
"""


def redis_fault(ctx) -> dict:
    """Jobs scheduled to run after the restart (in Redis before it), then Redis stopped (SIGTERM) for DOWN s."""
    ids = [f"faults-{uuid.uuid4().hex[:12]}" for _ in range(3)]
    delay = DOWN + 25
    before = json.loads(inside_app(SCHEDULED.format(ids=ids, enqueue=True, delay=delay), ctx.env))
    print(f"== {len(before)} of {len(ids)} jobs scheduled in Redis to run in {delay:.0f} s; stopping Redis for {DOWN:.0f} s")
    ctx.fault_at = time.monotonic()
    cluster("redis-stop", env=ctx.base_env)
    time.sleep(DOWN)
    cluster("redis-start", env=ctx.base_env)
    ctx.back_at = time.monotonic()
    # Read straight from Redis (a process of the app takes seconds to start on a loaded machine): the
    # schedule is a sorted set of pickled tasks, each holding its id.
    schedule = redis_cli(ctx.env, "zrange", f"huey.schedule.{ctx.env.get('JOBS_NAME', 'serumpun')}", "0", "-1")
    after = [task_id for task_id in ids if task_id in schedule]
    print(f"== Redis is back; {len(after)} of the {len(ids)} jobs still scheduled")
    return {"ids": ids, "before": before, "after": after}


def login_attempts(base: str, address: int, attempts: int) -> list[int]:
    """Wrong passwords sent from one address: the statuses, in order."""
    browser = browser_from(base, address)
    browser.read_token(browser.request("/login")[2])
    email = f"nobody-{uuid.uuid4().hex[:8]}@faults.serumpun.example"
    return [browser.request("/login", {"email": email, "password": "not-the-password"})[0] for _ in range(attempts)]


def redis_checks(ctx, state: dict) -> tuple[list[str], str]:
    problems = []
    # Jobs: in Redis before the restart, still there after it, run by a consumer after it.
    if len(state["before"]) != len(state["ids"]) or len(state["after"]) != len(state["ids"]):
        problems.append(f"jobs scheduled before the restart: {state['before']}, still there after it: {state['after']}")
    deadline = time.monotonic() + 90
    ran: set[str] = set()
    while time.monotonic() < deadline:
        logs = "".join(p.read_text(errors="replace") for p in ctx.run.glob("jobs*.log"))
        ran = {task_id for task_id in state["ids"] if re.search(rf"order_mail: {task_id} .* executed in", logs)}
        if len(ran) == len(state["ids"]):
            break
        time.sleep(1)
    if len(ran) != len(state["ids"]):
        problems.append(f"jobs queued before the restart that never ran: {sorted(set(state['ids']) - ran)}")
    # The cache: a listing nobody asked for before is stored in Redis once, then served from it.
    path = f"/products?q=kopi+{uuid.uuid4().hex[:6]}"
    # Entries are compared by key, not counted: other pages' entries expire (60 s) and are stored again by
    # the anonymous reader meanwhile (a count once stayed [2, 2, 2, 2] as one expired when this one came).
    pages = lambda: set(redis_cli(ctx.env, "--scan", "--pattern", "serumpun:page:*").split())  # noqa: E731
    reader = browser_from(ctx.base, 201)
    before = pages()
    stored: set[str] = set()
    counts = [len(before)]
    for attempt in range(3):
        status = reader.request(path)[0]
        now = pages()
        counts.append(len(now))
        if attempt == 0:
            stored = now - before
        if status != 200:
            problems.append(f"GET {path} answered {status} after the restart")
    if not stored or not stored <= now:
        problems.append(f"the page cache does not work after the restart: page entries {counts}, new {stored}")
    # Rate limits: counted in Redis for all six workers together, so the 11th wrong password is refused.
    statuses = login_attempts(ctx.base, 202, 11)
    limiter_keys = redis_cli(ctx.env, "--scan", "--pattern", "LIMITS*127.0.0.212*").split()
    # A wrong password is answered 400 with the form again; the 11th attempt within 5 minutes is refused.
    if any(status in (429, 500, 502, 503) for status in statuses[:10]) or statuses[10] != 429 or not limiter_keys:
        problems.append(f"sign-in limit after the restart: statuses {statuses}, limiter keys {limiter_keys}")
    logs = "".join(p.read_text(errors="replace") for p in ctx.run.glob("app*.log"))
    unpushed = len(re.findall(r"Could not (?:queue|schedule) job", logs))
    # Those jobs were not lost: the sweeper pushes them again from the job outbox, and a consumer runs them.
    deadline = time.monotonic() + 120
    outbox = outbox_state(ctx.env)
    while outbox["outstanding"] and time.monotonic() < deadline:
        time.sleep(2)
        outbox = outbox_state(ctx.env)
    if outbox["outstanding"]:
        problems.append(f"{len(outbox['outstanding'])} jobs in the outbox never ran: {outbox['outstanding'][:5]}")
    if outbox["failed"]:
        problems.append(f"{len(outbox['failed'])} jobs failed for good: {outbox['failed'][:3]}")
    placed = set(orders_in_database(ctx.env, ctx.plan["after_order_id"]).values())
    unmailed = placed - set(outbox["placed_mail_orders"])
    if unmailed:
        problems.append(f"{len(unmailed)} orders placed without their mail having run: {sorted(unmailed)[:5]}")
    summary = (f"jobs scheduled before the restart {len(state['before'])}, still queued after it {len(state['after'])}, "
               f"run after it {len(ran)}; page cache entries {counts}; wrong sign-ins from one address: "
               f"{statuses[:10]}, then {statuses[10:]}; limiter keys for it in Redis {len(limiter_keys)}; jobs the app "
               f"could not push while Redis was down: {unpushed}; due jobs in the outbox not run at the end: "
               f"{len(outbox['outstanding'])}; orders whose 'placed' mail job ran: {len(placed - unmailed)} of {len(placed)}")
    return problems, summary


def malay_page(base: str) -> tuple[int, str, str]:
    request = urllib.request.Request(base + "/products", headers={"Accept-Language": "ms"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Retry-After", ""), response.read().decode()
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, answer.headers.get("Retry-After", ""), answer.read().decode()


def postgres_fault(ctx) -> dict:
    """PostgreSQL stopped (fast) for DOWN s, asked meanwhile in Malay, then started; the app is not touched."""
    pids = {n: pids_of(ctx.run, f"app{n}") for n in range(1, len(ctx.env["APP_PORTS"].split()) + 1)}
    print(f"== stopping PostgreSQL for {DOWN:.0f} s (app server pids {pids})")
    ctx.fault_at = time.monotonic()
    cluster("pg-stop", env=ctx.base_env)
    down_until, answers = time.monotonic() + DOWN, []
    while time.monotonic() < down_until:
        answers.append(malay_page(ctx.base))
        time.sleep(0.5)
    cluster("pg-start", env=ctx.base_env)
    ctx.back_at = time.monotonic()
    print(f"== PostgreSQL is back after {ctx.back_at - ctx.fault_at:.1f} s")
    return {"pids": pids, "answers": answers}


PAYMENTS = """
import json
from sqlalchemy import func, select
from marketplace import create_app
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments.models import Payment, PaymentStatus
app = create_app(); ctx = app.app_context(); ctx.push()
rows = db.session.execute(
    select(Order.id, Order.paid_at.is_not(None), func.count(Payment.id),
           func.count(Payment.id).filter(Payment.status == PaymentStatus.SUCCEEDED))
    .outerjoin(Payment, Payment.order_id == Order.id).where(Order.id > {after}).group_by(Order.id, Order.paid_at)).all()
print(json.dumps({{"orders": len(rows), "paid": sum(1 for r in rows if r[1]), "payments": sum(r[2] for r in rows),
                  "paid_without_one_payment": [r[0] for r in rows if r[1] and r[3] != 1],
                  "several_payments": [r[0] for r in rows if r[2] > 1],
                  "unpaid_but_succeeded": [r[0] for r in rows if not r[1] and r[3] > 0]}}))
"""


def postgres_checks(ctx, state: dict) -> tuple[list[str], str]:
    problems = []
    malay = gettext.translation("messages", str(ROOT / "marketplace/translations"), languages=["ms"]).gettext(
        DATABASE_DOWN)
    if malay == DATABASE_DOWN:
        problems.append("the database's 503 message has no Malay translation")
    down = [(status, retry) for status, retry, page in state["answers"] if status == 503 and malay in unescape(page)]
    others = sorted({status for status, _, page in state["answers"] if not (status == 503 and malay in unescape(page))})
    if not down:
        problems.append(f"no 503 page in Malay while PostgreSQL was down (answers: {others})")
    if any(status >= 500 and status != 503 for status in others) or any(not retry for _, retry in down):
        problems.append(f"answers while PostgreSQL was down other than a Malay 503 with Retry-After: {others}")
    not_503 = [what for _, what in ctx.record.server_errors if "HTTP 503" not in what]
    if not_503:
        problems.append(f"{len(not_503)} failed answers to buyers other than a 503: {not_503[:3]}")
    # The same processes serve again: nothing restarted them.
    now = {n: pids_of(ctx.run, f"app{n}") for n in state["pids"]}
    if {n: sorted(p) for n, p in now.items()} != {n: sorted(p) for n, p in state["pids"].items()}:
        problems.append(f"app server processes changed: before {state['pids']}, after {now}")
    ready = []
    for port in ctx.env["APP_PORTS"].split():
        request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"Host": ctx.env["SERVER_NAME"]})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                ready.append(response.status)
        except urllib.error.HTTPError as answer:
            ready.append(answer.code)
    if ready != [200] * len(ready):
        problems.append(f"app servers not ready after PostgreSQL came back: {ready}")
    payments = json.loads(inside_app(PAYMENTS.format(after=ctx.plan["after_order_id"]), ctx.env))
    if payments["paid_without_one_payment"] or payments["several_payments"] or payments["unpaid_but_succeeded"]:
        problems.append(f"payments wrong: {payments}")
    summary = (f"while down: {len(down)} of {len(state['answers'])} Malay pages were the 503 "
               f"(Retry-After {sorted({r for _, r in down})}), others {others}; same app pids after: "
               f"{now == state['pids']}, /readyz {ready}; payments: {payments['payments']} for {payments['orders']} "
               f"orders, {payments['paid']} paid, none doubled: {not payments['several_payments']}")
    return problems, summary


FAULTS = {"redis": (redis_fault, redis_checks), "postgres": (postgres_fault, postgres_checks)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=["app-server", "consumer", *FAULTS])
    parser.add_argument("--buyers", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=40, help="of load; the fault comes a third of the way in")
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()

    run = Path(os.environ.get("CLUSTER_RUN", "instance/cluster"))
    base_env = {**os.environ, "CLUSTER_PRODUCTS": str(args.products),
                "RATELIMIT_ENABLED": "0"}  # as in run.py; the redis fault checks them, so turns them on
    if args.fault == "redis":
        base_env["RATELIMIT_ENABLED"] = "1"  # buyers come from addresses of their own (browser_from)
        # Jobs the app could not push while Redis was down wait in the job outbox: swept within ~15 s here.
        base_env.update(JOBS_SWEEP_AFTER="10", JOBS_SWEEP_INTERVAL="5")
    if args.fault == "postgres":
        # A PostgreSQL of the cluster's own, to restart; workers never recycled, so the same pids must serve.
        base_env.update(CLUSTER_PG="own", GUNICORN_MAX_REQUESTS="1000000")
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
        threads.append(threading.Thread(target=anonymous_reader, args=(base, stop, record), daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 3)

        fault_at = time.monotonic()
        window_end = fault_at + WINDOW
        ctx = argparse.Namespace(run=run, env=env, base_env=base_env, base=base, record=record, plan=plan)
        if args.fault == "app-server":
            victims = pids_of(run, "app2")
            print(f"== killing app server 2 (pids {victims})")
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
        elif args.fault == "consumer":
            kill_a_consumer_mid_mail(run, env, sink)
        if args.fault in FAULTS:
            fault_state = FAULTS[args.fault][0](ctx)
            fault_at, window_end = ctx.fault_at, ctx.back_at + AFTER_RESTART[args.fault]
        time.sleep(max(args.seconds * 2 / 3 - (time.monotonic() - fault_at), args.seconds / 3))
        stop.set()
        for thread in threads:
            thread.join(timeout=120)

        late = [what for when, what in record.server_errors if not fault_at <= when <= window_end]
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
              f"{in_window} server errors within the fault's {window_end - fault_at:.0f} s window (retried), "
              f"{len(late)} outside it, units sold {checked['units_sold']}, "
              f"oversold or lost units {len(checked['mismatches'])}")
        if args.fault in FAULTS:
            found, summary = FAULTS[args.fault][1](ctx, fault_state)
            problems += found
            codes = sorted({re.sub(r".*HTTP ", "", what) if "HTTP" in what else "no answer"
                            for _, what in record.server_errors})
            print(f"== {args.fault}: failed answers by kind {codes}; {summary}")
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
