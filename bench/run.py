"""Measure what the product costs as history grows, in one run:

    python -m bench.run --sizes 1000,10000,100000 --out bench/results.json

For each database (SQLite file and PostgreSQL by default; `--database` picks) and each size, a
fresh database is migrated and filled by bench.generate; then, the sizes' pages measured in
turns (one request of each size after another, so all sizes see the same machine):

1. pages through the Flask test client, as the person who uses them: the coordinator's queue
   (default, one business area, full-text search, last page), the case page of the case with
   200 history events, "Min förvaltning" (a department's start page), the coordinator's start
   page with the dashboard, and a published agenda: median and p95 time and SQL statements;
2. jobs: the routing sweep over all open cases, agenda generation for the coordination group's
   next meeting, the day's reminders and a committee's tertial report facts: time and statements;
3. throughput: gunicorn with the production settings of README.md (4 workers) serving the queue
   and the case page to `wrk` for `--load-seconds`, requests/s and p99, beside a one-route
   hello-world Flask app under the same gunicorn settings in the same run; and the workers' RSS
   before and after (each serves well over 10 000 requests).

The figures that matter are ratios (size to size, page to hello-world); absolute times vary by
machine. See bench/README.md for the latest table."""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time as timer
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, event, text

from bench.generate import generate, migrate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
SECRET = "bench-" + "x" * 40
PASSWORD = "samordning-demo"
COORDINATOR = "samordnare@demo.stockholm.se"
DEPARTMENT = "trafikkontoret@demo.stockholm.se"
GUNICORN_WORKERS = 4
# One browser: Flask-Login ties a session to the client's address and User-Agent.
USER_AGENT = "samordning-bench/1"


# --- databases -------------------------------------------------------------------------------------

def fresh_database(kind: str, size: int) -> str:
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"bench-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"samordning_bench_{size}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_URL.format(name=name)


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs):
        self.count += 1


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


# --- 1. pages ------------------------------------------------------------------------------------------

def make_app(url: str, **overrides):
    from coordination import create_app

    return create_app({"ENV_NAME": "development", "DATABASE_URL": url, "SECRET_KEY": SECRET,
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "console",
                       **overrides})


def logged_in(app, email: str):
    client = app.test_client()
    response = client.post("/logga-in", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {email}: {response.status_code}")
    return client


def page_targets(app, heavy_reference: str) -> dict[str, tuple[str, str]]:
    """name -> (who, path) of every page measured."""
    from sqlmodel import Session, select

    from coordination.cases.models import Case
    from coordination.cases.services import reference_slug
    from coordination.meetings.models import Agenda, Meeting
    from coordination.organisations.models import BusinessArea

    engine = app.extensions["db_engine"]
    with Session(engine) as s:
        area = s.scalar(select(BusinessArea.id).order_by(BusinessArea.id))
        # What a coordinator searches for: a company by name (about five cases at every size).
        company = s.scalar(select(Case.company_name).where(Case.reference == heavy_reference))
        agenda_meeting = s.scalar(select(Meeting.id).join(Agenda, Agenda.meeting_id == Meeting.id)
                                  .where(Agenda.status == "published").order_by(Meeting.starts_at.desc()))
    client = logged_in(app, COORDINATOR)
    html = client.get("/arenden").get_data(as_text=True)
    # "sida 1 av 400" in the result count (one page: no such words).
    last = max([int(n) for n in re.findall(r"(?:sida|page) \d+ (?:av|of) (\d+)", html)] or [1])
    return {
        "queue": (COORDINATOR, "/arenden"),
        "queue_business_area": (COORDINATOR, f"/arenden?business_area_id={area}"),
        "queue_search": (COORDINATOR, "/arenden?" + urllib.parse.urlencode({"q": company})),
        "queue_last_page": (COORDINATOR, f"/arenden?page={last}"),
        "case_page_200_events": (COORDINATOR, f"/arenden/{reference_slug(heavy_reference)}"),
        "min_forvaltning": (DEPARTMENT, "/"),
        "dashboard": (COORDINATOR, "/"),
        "agenda": (COORDINATOR, f"/moten/{agenda_meeting}"),
    }


def measure_pages(apps: dict, repeat: int) -> dict:
    """size -> page name -> figures, for `apps` (size -> (app, targets)). The sizes take turns,
    one request each, so that all are measured in the same minutes: a shared machine's speed
    drifts over a run, and measured one after another (the largest last, just after its data
    was written) the sizes' ratios measured the drift as much as the data."""
    state = {}
    for size, (app, targets) in apps.items():
        counter = StatementCounter(app.extensions["db_engine"])
        clients = {who: logged_in(app, who) for who in {who for who, _ in targets.values()}}
        for who, path in targets.values():
            for _ in range(3):  # warm up: templates compiled, caches and connections filled
                clients[who].get(path)
        state[size] = (counter, clients, {name: ([], set()) for name in targets}, {})
    for _ in range(repeat):
        for size, (_app, targets) in apps.items():
            counter, clients, samples, last = state[size]
            for name, (who, path) in targets.items():
                before = counter.count
                started = timer.perf_counter()
                response = clients[who].get(path)
                samples[name][0].append(timer.perf_counter() - started)
                samples[name][1].add(counter.count - before)
                if response.status_code != 200:
                    raise SystemExit(f"{name} {path} at {size} cases answered {response.status_code}")
                last[name] = response
    results = {}
    for size, (_app, targets) in apps.items():
        _counter, _clients, samples, last = state[size]
        # The page's size: a list that is not full at the smallest size (a business area's ten
        # open cases at 1 000) costs less to render for that, not for the data behind it.
        results[size] = {name: {"path": path, **_stats(samples[name][0]), "queries": max(samples[name][1]),
                                "queries_stable": len(samples[name][1]) == 1,
                                "kib": round(len(last[name].data) / 1024, 1)}
                         for name, (_who, path) in targets.items()}
    return results


def measure_dashboard(app, now: datetime) -> dict:
    """The start pages' twelve-month figures, computed afresh (the page keeps them a few minutes)."""
    from sqlmodel import Session

    from coordination.clock import FixedClock
    from coordination.dashboard.services import dashboard

    counter = StatementCounter(app.extensions["db_engine"])
    with app.test_request_context("/"), Session(app.extensions["db_engine"]) as session:
        before, started = counter.count, timer.perf_counter()
        dashboard(session, clock=FixedClock(now), working_days=app.extensions["working_days"])
        return {"seconds": round(timer.perf_counter() - started, 3), "statements": counter.count - before}


# --- 2. jobs -------------------------------------------------------------------------------------------

def measure_jobs(app, now: datetime) -> dict:
    from sqlmodel import Session, select

    from coordination.actions.reminders import send_reminders
    from coordination.clock import FixedClock
    from coordination.meetings.models import Meeting, MeetingSeries
    from coordination.meetings.services import generate_agenda
    from coordination.organisations.models import Committee, Group, GroupKind
    from coordination.reports.services import compute_facts
    from coordination.routing.engine import sweep

    engine = app.extensions["db_engine"]
    counter = StatementCounter(engine)
    clock, working_days = FixedClock(now), app.extensions["working_days"]
    results = {}

    def timed(name, work):
        with Session(engine, expire_on_commit=False) as session:
            before, started = counter.count, timer.perf_counter()
            detail = work(session)
            session.commit()
            results[name] = {"seconds": round(timer.perf_counter() - started, 3),
                             "statements": counter.count - before, **(detail or {})}

    def run_sweep(session):
        report = sweep(session, clock=clock, working_days=working_days, base_url="http://bench")
        return {"open_cases": session.scalar(text("SELECT count(*) FROM cases WHERE status <> 'closed'")),
                "changes": len(getattr(report, "changes", []) or [])}

    def run_agenda(session):
        meeting = session.scalar(select(Meeting).join(MeetingSeries, MeetingSeries.id == Meeting.series_id)
                                 .join(Group, Group.id == MeetingSeries.group_id)
                                 .where(Group.kind == GroupKind.coordination_group.value, Meeting.starts_at > now)
                                 .order_by(Meeting.starts_at))
        result = generate_agenda(session, meeting, clock=clock, working_days=working_days)
        return {"meeting_id": meeting.id, "items": getattr(result, "items", None) or getattr(result, "added", None)}

    def run_reminders(session):
        send_reminders(session, clock=clock, working_days=working_days, base_url="http://bench")

    def run_facts(session):
        committee = session.scalar(select(Committee.id).order_by(Committee.id))
        year = now.year
        facts = compute_facts(session, committee_id=committee, year=year, period="VB", now=now,
                              working_days=working_days)
        return {"cases_received": sum((facts.get("received_by_focus_area") or {}).values())
                if isinstance(facts.get("received_by_focus_area"), dict) else None}

    timed("routing_sweep", run_sweep)
    timed("agenda_generation", run_agenda)
    timed("reminders", run_reminders)
    timed("report_facts", run_facts)
    return results


# --- 3. throughput ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict):
    """Serve `app_spec` under gunicorn as in production. Its output (the app's access log, a line
    per request) goes to a file, bench/data/gunicorn.log (the last server's), as a server's log
    would; read through a pipe by a terminal or grep, it would take CPU from the server measured."""
    port = free_port()
    DATA.mkdir(parents=True, exist_ok=True)
    with open(DATA / "gunicorn.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(GUNICORN_WORKERS),
                                    "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
                                   cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz-bench-probe", timeout=1)
            except urllib.error.HTTPError:
                break  # answering (404 or a redirect to login is fine)
            except OSError:
                timer.sleep(0.2)
                continue
            break
        yield process, f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def worker_rss_kib(master_pid: int) -> dict[int, int]:
    rss = {}
    for child in Path("/proc").glob("[0-9]*"):
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", status, re.MULTILINE):
            found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                rss[int(child.name)] = int(found.group(1))
    return rss


def session_cookie(base: str) -> str:
    """Log in through the login form (CSRF token and all) and return the Cookie header value.
    Cookies are carried by hand: production marks them Secure, and this is plain http on loopback."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    opener.addheaders = [("User-Agent", USER_AGENT)]

    def cookie_of(response) -> str:
        found = [h.split(";", 1)[0] for h in response.headers.get_all("Set-Cookie") or [] if h.startswith("session=")]
        return found[-1] if found else ""

    first = opener.open(f"{base}/logga-in")
    html, cookie = first.read().decode(), cookie_of(first)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {"email": COORDINATOR, "password": PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    request = urllib.request.Request(f"{base}/logga-in", data=urllib.parse.urlencode(data).encode(),
                                     headers={"Cookie": cookie})
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as redirect:  # the 302 to the start page is the success
        response = redirect
    if response.status != 302 or not cookie_of(response):
        raise SystemExit(f"logging in to gunicorn failed: {response.status}")
    cookie = cookie_of(response)
    # The first page after logging in adds the session's CSRF secret, as a browser would keep it.
    page = opener.open(urllib.request.Request(f"{base}/arenden", headers={"Cookie": cookie}))
    return cookie_of(page) or cookie


def wrk(url: str, seconds: int, cookie: str | None = None) -> dict:
    command = ["wrk", "--threads", "2", "--connections", "16", "--duration", f"{seconds}s", "--latency",
               "--header", f"User-Agent: {USER_AGENT}", url]
    if cookie:
        command[1:1] = ["--header", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests_per_s": rate, "p99_ms": round(p99_ms, 2), "requests": total,
            "non_2xx": int(errors.group(1)) if errors else 0}


def measure_load(url: str, targets: dict, seconds: int) -> dict:
    env = {"SAMORDNING_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url, "MAIL_BACKEND": "console"}
    results = {}
    with gunicorn("wsgi:app", env) as (process, base):
        cookie = session_cookie(base)
        for _path in (targets["queue"][1], targets["case_page_200_events"][1]):
            wrk(base + _path, 2, cookie)  # warm every worker
        results["rss_kib_before"] = worker_rss_kib(process.pid)
        for name in ("queue", "case_page_200_events"):
            results[name] = wrk(base + targets[name][1], seconds, cookie)
        results["rss_kib_after"] = worker_rss_kib(process.pid)
    return results


def measure_hello(seconds: int) -> dict:
    with gunicorn("bench.hello:app", {}) as (_process, base):
        wrk(base + "/", 2)
        return wrk(base + "/", seconds)


# --- the run -------------------------------------------------------------------------------------------

def existing(kind: str, size: int):
    """The database a previous run generated for this size, if it is still there (--reuse)."""
    from bench.generate import HEAVY_TITLE, Generated

    url = f"sqlite:///{DATA / f'bench-{size}.db'}" if kind == "sqlite" else PG_URL.format(name=f"samordning_bench_{size}")
    if kind == "sqlite" and not (DATA / f"bench-{size}.db").exists():
        return None
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM cases")).scalar()
            heavy = conn.execute(text("SELECT reference FROM cases WHERE title = :t"), {"t": HEAVY_TITLE}).scalar()
        engine.dispose()
    except Exception:  # noqa: BLE001 - missing database or tables: generate afresh
        return None
    if heavy is None or count < size:
        return None
    return Generated(cases=size, heavy_case_reference=heavy, url=url)


def settle(url: str) -> None:
    """PostgreSQL: write the bulk load's dirty pages out now (CHECKPOINT), so that the checkpointer
    does not do it while the pages are being timed."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CHECKPOINT"))
    except Exception as error:  # noqa: BLE001 - needs superuser or pg_checkpoint; the run goes on
        print(f"  (no CHECKPOINT: {error.__class__.__name__})")
    finally:
        engine.dispose()


def run(databases: list[str], sizes: list[int], *, repeat: int, load_seconds: int, now: datetime,
        reuse: bool = False, log=print) -> dict:
    results = {"started": datetime.now().isoformat(timespec="seconds"), "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"repeat": repeat, "load_seconds": load_seconds, "gunicorn_workers": GUNICORN_WORKERS,
                     "wrk": "2 threads, 16 connections"}, "runs": []}
    if load_seconds and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (or give --load-seconds 0)")
    if load_seconds:
        log("hello-world under gunicorn …")
        results["hello_world"] = measure_hello(load_seconds)
        log(f"  {results['hello_world']['requests_per_s']:.0f} requests/s")
    for kind in databases:
        # All sizes first, then the pages of all sizes in the same minutes (measure_pages).
        made = {}
        for size in sizes:
            generated = existing(kind, size) if reuse else None
            if generated is None:
                log(f"{kind}, {size} cases: generating …")
                url = fresh_database(kind, size)
                migrate(url)
                generated = generate(url, size, now=now, log=lambda *_: None)
                log(f"  generated in {generated.seconds:.1f} s")
            made[size] = generated
        for generated in made.values():
            settle(generated.url)
        entries = {size: {"database": kind, "cases": size, "generate_seconds": round(generated.seconds, 1),
                          "rows": generated.counts} for size, generated in made.items()}
        # Rendered on every request (the page cache off), and as served (the cache on: after
        # the first request nothing changed, so the rest are answered from it).
        log(f"{kind}: pages …")
        apps = {}
        for size, generated in made.items():
            app = make_app(generated.url, PAGE_CACHE_SECONDS=0)
            apps[size] = (app, page_targets(app, generated.heavy_case_reference))
        for size, pages in measure_pages(apps, repeat).items():
            entries[size]["pages"] = pages
        for size, (app, _targets) in apps.items():
            entries[size]["jobs"] = {"dashboard_figures": measure_dashboard(app, now)}
        cached = {size: (make_app(made[size].url), targets) for size, (_app, targets) in apps.items()}
        for size, pages in measure_pages(cached, repeat).items():
            entries[size]["pages_cached"] = pages
        for cached_app, _targets in cached.values():
            cached_app.extensions["db_engine"].dispose()
        for size, (app, targets) in apps.items():
            entry = entries[size]
            if load_seconds:
                log(f"{kind}, {size} cases: load …")
                # hello-world again beside each size's routes: the share compares two servers
                # measured under the same conditions (a shared machine's speed drifts over a run).
                hello = measure_hello(load_seconds)
                entry["load"] = measure_load(made[size].url, targets, load_seconds)
                entry["load"]["hello_world"] = hello
            log(f"{kind}, {size} cases: jobs …")
            entry["jobs"].update(measure_jobs(app, now))
            app.extensions["db_engine"].dispose()
            results["runs"].append(entry)
            log("  " + ", ".join(f"{k} {v['median_ms']} ms/{v['queries']} q" for k, v in entry["pages"].items()))
    return results


def main(argv=None) -> int:
    from coordination.clock import STOCKHOLM

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", choices=("sqlite", "postgresql"),
                        help="which database (repeat for both; default both)")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page measured (after 3 to warm up)")
    parser.add_argument("--load-seconds", type=int, default=20, help="wrk duration per route; 0 skips the load test")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--reuse", action="store_true",
                        help="measure the databases a previous run generated instead of generating afresh "
                             "(after --reuse the jobs have already run once on them)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    now = datetime.now(STOCKHOLM).replace(microsecond=0)
    results = run(args.database or ["sqlite", "postgresql"], sizes, repeat=args.repeat,
                  load_seconds=args.load_seconds, now=now, reuse=args.reuse)
    results["command"] = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    # What else ran: the figures are only comparable on a quiet machine.
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    from bench.report import markdown

    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
