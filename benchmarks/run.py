"""The platform's benchmark, in one command: on SQLite and on PostgreSQL, at a small set (Tayside's
size), at Scotland's with 12 months of history and with 120, each page and API call the users
rely on is served by `cpc serve` and loaded by 4 concurrent clients and by one, on loopback.
For each: requests per second, p50 and p95, SQL queries per request, the SQL floor (the
request's own queries replayed through the driver) and, on PostgreSQL, the statements planned
as a sequential scan of progress_updates (EXPLAIN); in the same run the framework floor (a bare
Flask endpoint served the same way), the server's peak memory (also under 4 rollups at once),
and the CPU time of making the Perth and Kinross report in PDF and Word. Writes
benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run.py                  # everything (about 20 minutes)
    .venv/bin/python benchmarks/run.py --sizes small --databases sqlite --seconds 3

The data is generated (`cpc demo-data`), never a real CPC's. PostgreSQL databases named
cpc_bench_* on CPC_BENCH_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432/) are
dropped and made anew; SQLite files go in a temporary folder. Speed is measured here, never
asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import create_app, db, migrate  # noqa: E402
from core.enums import Role  # noqa: E402
from core.models import Action, Area, Plan, action_contributors  # noqa: E402
from core.services.accounts import accounts  # noqa: E402
from core.services.demo.demo_data import DemoSize, load_demo_data  # noqa: E402
from core.services.plans import loader  # noqa: E402

EMAIL, PASSWORD = "bench@synthetic.invalid", "a benchmark-only password 7781"
# A contributor linked to a few actions of AREA's plan, for My actions.
LEAD = "bench.lead@synthetic.invalid"
POSTGRES = os.environ.get("CPC_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/")
SIZES = {
    "small": DemoSize(areas=3, plans=1, actions=100, months=24),
    "scotland-12": DemoSize(areas=32, plans=5, actions=100, months=12),
    "scotland": DemoSize(areas=32, plans=5, actions=100, months=120),
}
AREA, PLAN = "synthetic-area-02", "synthetic-{plans}"
THREADS = 8
CLIENTS = 4


@dataclass
class Result:
    name: str
    path: str
    rps: float
    p50: float
    p95: float
    queries: int
    sql_floor: float
    rps_one: float = 0.0
    p50_one: float = 0.0
    seq_scans: int = 0
    # The framework floor's rate (one client) measured in turns with this request's.
    floor_beside: float = 0.0
    # The SQL floor of the statements that make the page (the cache left out).
    made_floor: float = 0.0

    def share(self, floor_one: float) -> float:
        """How many times the framework floor's rate is this request's (one client)."""
        return (self.floor_beside or floor_one) / max(self.rps_one, 0.01)


def requests_for(size: DemoSize, action_id: int) -> list[tuple[str, str]]:
    plan = PLAN.format(plans=size.plans)
    base = f"/areas/{AREA}/plans/{plan}"
    past = (dt.date.today() - dt.timedelta(days=30 * min(size.months, 12))).isoformat()
    return [
        ("all areas", "/"),
        ("dashboard", f"/areas/{AREA}/"),
        ("plan page", f"{base}/"),
        ("action page", f"/actions/{action_id}"),
        ("search", f"{base}/actions/?q=synthetic+action&rag=A"),
        ("rollup today", "/tric/"),
        ("rollup as at a past date", f"/tric/?as_at={past}"),
        ("API rollup", "/api/v1/rollup"),
        ("API actions (all areas)", "/api/v1/actions/?page_size=50"),
        ("API summary", f"/api/v1/areas/{AREA}/summary"),
        ("KPIs", f"/areas/{AREA}/kpis/"),
        ("public plan (no account)", f"/public/{AREA}/{plan}/"),
        ("My actions (a contributor)", "/my-actions/"),
        ("Tayside KPIs", "/tric/kpis/"),
        ("committee report (HTML)", f"{base}/report/download?format=html"),
        ("committee report (XLSX)", f"{base}/report/download?format=xlsx"),
        # Made by a job on the first request (`bench_report.py` times the making); after it,
        # served as made while the data is unchanged.
        ("committee report (DOCX, made already)", f"{base}/report/download?format=docx"),
        ("committee report (PDF, made already)", f"{base}/report/download?format=pdf"),
    ]


# The six pages issue 25 holds to a tenth of the framework floor's rate (one client).
SIX = ("dashboard", "plan page", "search", "action page", "rollup today", "API rollup")
# The requests measured (all unless ``--only`` names some).
ONLY: list[str] = []
# Turns of the floor and of a page, one client each, for the six (the machine's speed drifts
# over a run: a page is compared with the floor measured beside it).
TURNS = 3


# Data -------------------------------------------------------------------------------------------


def prepare(database: str, size_name: str, folder: Path) -> tuple[str, float]:
    size = SIZES[size_name]
    if database == "sqlite":
        url = f"sqlite:///{folder / f'{size_name}.sqlite'}"
    else:
        name = f"cpc_bench_{size_name.replace('-', '_')}"
        admin = sa.create_engine(POSTGRES + "postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = POSTGRES + name
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    started = time.perf_counter()
    with app.app_context():
        migrate.upgrade(db.engine())
        session = db.get_session()
        loader.load_plugin_content(session, app.extensions["cpc_plugins"])
        accounts.create_user(session, actor=None, email=EMAIL, role=Role.ADMIN, password=PASSWORD)
        lead = accounts.create_user(
            session, actor=None, email=LEAD, role=Role.CONTRIBUTOR, password=PASSWORD
        )
        session.commit()
        load_demo_data(session, size)
        plan_id = session.scalar(
            sa.select(Plan.id)
            .join(Area)
            .where(Area.slug == AREA, Plan.slug == PLAN.format(plans=size.plans))
        )
        session.execute(sa.update(Plan).where(Plan.id == plan_id).values(public=True))
        first = session.scalars(
            sa.select(Action.id).where(Action.plan_id == plan_id).order_by(Action.id).limit(5)
        )
        session.execute(
            sa.insert(action_contributors),
            [{"action_id": action_id, "user_id": lead.id} for action_id in first],
        )
        session.commit()
    app.extensions["cpc_engine"].dispose()
    took = time.perf_counter() - started
    print(f"  {database} {size_name}: loaded in {took:.0f} s", flush=True)
    return url, took


# Serving and load -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, path: str = "/sign-in") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not start")


def serve(url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "CPC_DATABASE_URL": url,
        "CPC_SECRET_KEY": "bench",
        "CPC_SECURE_COOKIES": "0",
        "CPC_DEMO": "1",
    }
    command = [sys.executable, "-c", "from core.cli import main; main()", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--threads", str(THREADS)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(port)
    return process, port


def serve_floor() -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "floor_app.py"), str(port), str(THREADS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(port, "/")
    return process, port


def sign_in(port: int, email: str = EMAIL) -> str:
    """The session cookie of the benchmark's account (or of ``email``'s)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/sign-in")
    answer = connection.getresponse()
    page = answer.read().decode()
    cookie = answer.getheader("Set-Cookie").split(";")[0]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    from urllib.parse import urlencode

    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    connection.request(
        "POST",
        "/sign-in",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 302, f"sign-in failed: {answer.status}"
    return answer.getheader("Set-Cookie").split(";")[0]


def _client(port: int, path: str, cookie: str, seconds: float, out) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    times, errors = [], 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        answer.read()
        if answer.status >= 400:
            errors += 1
        times.append(time.perf_counter() - started)
    out.put((times, errors))


def load(port: int, path: str, cookie: str, seconds: float, clients: int = CLIENTS):
    """``clients`` processes each requesting ``path`` over one kept-alive connection for
    ``seconds``: requests per second, p50 and p95 in ms."""
    out = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(port, path, cookie, seconds, out))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    times, errors = [], 0
    for _ in workers:
        found, failed = out.get()
        times += found
        errors += failed
    for worker in workers:
        worker.join()
    if errors:
        raise RuntimeError(f"{path}: {errors} answers were errors")
    times.sort()
    return (
        len(times) / seconds,
        times[len(times) // 2] * 1000,
        times[int(len(times) * 0.95)] * 1000,
    )


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _test_clients(app):
    """In-process clients: the contributor's for My actions, none for a public page, else the
    admin's."""

    def signed_in(email: str | None):
        client = app.test_client()
        if email is not None:
            page = client.get("/sign-in").text
            token = page.split('name="csrf_token" value="')[1].split('"')[0]
            client.post(
                "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
            )
        return client

    admin, lead, nobody = signed_in(EMAIL), signed_in(LEAD), signed_in(None)
    return lambda path: (
        lead if path == "/my-actions/" else nobody if path.startswith("/public/") else admin
    )


# SQL floor --------------------------------------------------------------------------------------


def sql_profile(
    url: str, paths: list[str], page_cache: bool = True
) -> dict[str, tuple[int, float, int]]:
    """Each request's SQL queries (made in-process, as the server makes them), the time to
    replay exactly those statements through the driver (median of 5), and how many of them
    PostgreSQL plans as a sequential scan of progress_updates."""
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "DEMO": True,
            "SESSION_COOKIE_SECURE": False,
            "PAGE_CACHE": page_cache,
        }
    )
    client_for = _test_clients(app)
    engine = app.extensions["cpc_engine"]
    found = {}
    for path in paths:
        client = client_for(path)
        client.get(path)  # warm
        captured: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many, into=captured):
            into.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", record)
        client.get(path)
        sa.event.remove(engine, "before_cursor_execute", record)
        raw = engine.raw_connection()
        try:
            timings = []
            for _ in range(5):
                cursor = raw.cursor()
                started = time.perf_counter()
                for statement, parameters in captured:
                    cursor.execute(statement, parameters)
                    if cursor.description:
                        cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
                cursor.close()
                raw.rollback()
        finally:
            raw.close()
        found[path] = (len(captured), statistics.median(timings), _seq_scans(engine, captured))
    engine.dispose()
    return found


def _seq_scans(engine: sa.Engine, captured: list) -> int:
    """PostgreSQL: how many of the request's statements the planner would run with a
    sequential scan of the whole progress_updates table (0 on SQLite)."""
    if engine.dialect.name != "postgresql":
        return 0
    raw = engine.raw_connection()
    found = 0
    try:
        cursor = raw.cursor()
        for statement, parameters in captured:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            found += "Seq Scan on progress_updates" in plan
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return found


def profile(url: str, paths: list[str], repeat: int = 5) -> dict[str, dict[str, float]]:
    """Where each request's time goes, in-process under cProfile: the driver running SQL
    (``do_execute``), Jinja rendering templates, and the rest (the app, SQLAlchemy's ORM,
    Flask); ms per request."""
    import cProfile
    import pstats

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "DEMO": True, "SESSION_COOKIE_SECURE": False}
    )
    client_for = _test_clients(app)
    found = {}
    for path in paths:
        client = client_for(path)
        client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler).stats
        total = sql = templates = 0.0
        for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
            if name == "full_dispatch_request":
                total = max(total, cumulative)
            elif name == "do_execute" and "sqlalchemy" in filename:
                sql += cumulative
            elif name == "render" and filename.endswith("jinja2/environment.py"):
                templates += cumulative
        found[path] = {
            "total": total / repeat * 1000,
            "sql": sql / repeat * 1000,
            "templates": templates / repeat * 1000,
        }
    app.extensions["cpc_engine"].dispose()
    return found


def report_cpu(url: str) -> list[tuple[str, float, float]]:
    """The CPU time of making the Perth and Kinross plan's committee report (its published
    plan, as at today) in PDF and Word, as a report job makes it: (what, first in the process,
    again), in seconds."""
    from core.services.plans.plans import area_by_slug, current_plan
    from core.services.reports.formats import render
    from core.services.reports.report import build_report

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    found = []
    with app.app_context():
        session = db.get_session()
        plan = current_plan(area_by_slug(session, "perth-and-kinross"))
        plugins = app.extensions["cpc_plugins"]
        for contents in ("summary", "full"):
            for fmt in ("pdf", "docx"):
                times = []
                for _ in range(2):
                    started = time.process_time()
                    render(build_report(session, plugins, plan, None, contents), fmt)
                    times.append(time.process_time() - started)
                found.append((f"{contents} paper, {fmt.upper()}", times[0], times[1]))
    app.extensions["cpc_engine"].dispose()
    return found


# The run ----------------------------------------------------------------------------------------


def one_client_beside_floor(
    port: int, path: str, cookie: str, floor_port: int, seconds: float
) -> tuple[float, float, float]:
    """One client on the page and on the framework floor in turns: the page's rate and p50,
    and the floor's rate over the same minutes."""
    page_rates, floor_rates, p50s = [], [], []
    for _ in range(TURNS):
        floor_rates.append(load(floor_port, "/", "", seconds / TURNS, clients=1)[0])
        rate, p50, _ = load(port, path, cookie, seconds / TURNS, clients=1)
        page_rates.append(rate)
        p50s.append(p50)
    return statistics.mean(page_rates), statistics.median(p50s), statistics.mean(floor_rates)


def measure(database: str, size_name: str, url: str, seconds: float, floor_port: int) -> dict:
    size = SIZES[size_name]
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        action_id = connection.execute(
            sa.text(
                "SELECT a.id FROM actions a JOIN plans p ON p.id = a.plan_id "
                "JOIN areas r ON r.id = p.area_id WHERE r.slug = :area ORDER BY a.id DESC LIMIT 1"
            ),
            {"area": AREA},
        ).scalar()
    engine.dispose()
    wanted = [
        (name, path) for name, path in requests_for(size, action_id) if not ONLY or name in ONLY
    ]
    floors = sql_profile(url, [path for _, path in wanted])
    # The statements a page is made with: their time, and their plans on PostgreSQL.
    made = sql_profile(url, [path for _, path in wanted], page_cache=False)
    breakdown = profile(url, [path for _, path in wanted])
    server, port = serve(url)
    results = []
    try:
        admin, lead = sign_in(port), sign_in(port, LEAD)
        for name, path in wanted:
            cookie = (
                lead if path == "/my-actions/" else "" if path.startswith("/public/") else admin
            )
            load(port, path, cookie, 1)  # warm (and a report's job done)
            if "made already" in name:
                time.sleep(2 if size_name == "small" else 10)
                load(port, path, cookie, 1)
            rps, p50, p95 = load(port, path, cookie, seconds)
            beside = 0.0
            if name in SIX:
                one, p50_one, beside = one_client_beside_floor(
                    port, path, cookie, floor_port, seconds
                )
            else:
                one, p50_one, _ = load(port, path, cookie, seconds, clients=1)
            queries, floor, _ = floors[path]
            _, made_floor, scans = made[path]
            results.append(
                Result(
                    name,
                    path,
                    rps,
                    p50,
                    p95,
                    queries,
                    floor,
                    one,
                    p50_one,
                    scans,
                    beside,
                    made_floor,
                )
            )
            print(
                f"  {database} {size_name} {name}: {rps:.0f}/s p50 {p50:.1f} ms; one client "
                f"{one:.0f}/s",
                flush=True,
            )
        peak = peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    # Four rollups at once, on a fresh server.
    server, port = serve(url)
    try:
        cookie = sign_in(port)
        rps4, p50_4, _ = load(port, "/tric/", cookie, seconds, clients=4)
        rollup_peak = peak_mb(server.pid)
    finally:
        server.terminate()
        server.wait()
    return {
        "results": results,
        "report_cpu": report_cpu(url) if size_name == "small" else [],
        "peak": peak,
        "rollup4": (rps4, p50_4, rollup_peak),
        "profile": {name: breakdown[path] for name, path in wanted},
    }


def machine() -> str:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def write(found: dict, floor: tuple, floor_one: tuple, seconds: float, args) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {dt.date.today():%d %B %Y} by `benchmarks/run.py` on {machine()}; "
        f"{CLIENTS} client processes on loopback for {seconds:g} s per request against "
        f"`cpc serve --threads {THREADS}` (one process). Sizes (synthetic, `cpc demo-data`):",
        "",
    ]
    for name in args.sizes:
        size = SIZES[name]
        lines.append(
            f"- **{name}**: {size.areas} areas × {size.plans} plans × {size.actions} actions "
            f"(+ 8 TRIC shared actions each) × {size.months} monthly updates = "
            f"{size.areas * size.plans * (size.actions + 8) * size.months:,} updates"
        )
    lines += [
        "",
        f"**Framework floor** (a bare Flask endpoint served the same way): {floor[0]:.0f} "
        f"requests/s, p50 {floor[1]:.1f} ms, p95 {floor[2]:.1f} ms with {CLIENTS} clients; "
        f"{floor_one[0]:.0f} requests/s, p50 {floor_one[1]:.1f} ms with one client.",
        "",
        "*× framework rate*: for the six pages issue 25 names, the framework floor is "
        f"measured again beside each, one client in {TURNS} turns of each (the machine's "
        "speed drifts over a run); for the rest, the floor above. "
        "*SQL floor*: the request's own SQL statements replayed through the driver, one after "
        "another (median of 5): *as served* and *as made*, the statements of the request as "
        "measured here and those the page is made with (the page cache left out). "
        "*× SQL floor*: p50 (one client) ÷ the SQL floor as served. The busiest pages are "
        "served from the page cache while the data is unchanged (the run measures them so, "
        "after one request made each): their SQL is the sign-in's and one look-up. "
        "*Seq scans*: the statements a page is made with that PostgreSQL would run with a "
        "sequential scan of the whole progress_updates table (EXPLAIN).",
        "",
    ]
    lines += targets(found, floor_one)
    for (database, size_name), run in found.items():
        lines += [
            f"## {database}, {size_name}",
            "",
            f"Loaded (migrations, the plugins' areas and plans, `cpc demo-data`) in "
            f"{run['loaded_in']:.0f} s.",
            "",
            f"| request | req/s ({CLIENTS} clients) | p50 ms | p95 ms | req/s (1 client) | "
            "× framework rate (1 client) | queries | SQL floor ms, as served | × SQL floor | "
            "SQL floor ms, as made | seq scans |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in run["results"]:
            lines.append(
                f"| {r.name} | {r.rps:.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.rps_one:.0f} | "
                f"1/{r.share(floor_one[0]):.1f} | {r.queries} | "
                f"{r.sql_floor:.1f} | {r.p50_one / max(r.sql_floor, 0.01):.1f} | "
                f"{r.made_floor:.1f} | {r.seq_scans if database == 'postgresql' else '-'} |"
            )
        if run.get("report_cpu"):
            lines += [
                "",
                "Making the Perth and Kinross committee report (a report job; CPU seconds, "
                "in-process): the first in a process (fonts found, templates compiled), and "
                "again.",
                "",
                "| report | first | again |",
                "|---|---:|---:|",
            ]
            lines += [
                f"| {what} | {first:.2f} | {again:.2f} |"
                for what, first, again in run["report_cpu"]
            ]
            lines.append("")
        rps4, p50_4, rollup_peak = run["rollup4"]
        lines += [
            "",
            f"Server peak memory over the run: {run['peak']:.0f} MB. Four rollups at once "
            f"(fresh server): {rps4:.1f} requests/s, p50 {p50_4:.0f} ms, peak memory "
            f"{rollup_peak:.0f} MB.",
            "",
            "Where one request's time goes (in-process, cProfile, ms): SQL in the driver, "
            "Jinja templates, and the rest (the app's Python, SQLAlchemy's ORM, Flask).",
            "",
            "| request | total | SQL | templates | the rest |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, part in run["profile"].items():
            rest = part["total"] - part["sql"] - part["templates"]
            lines.append(
                f"| {name} | {part['total']:.1f} | {part['sql']:.1f} | "
                f"{part['templates']:.1f} | {rest:.1f} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def targets(found: dict, floor_one: tuple[float, float, float]) -> list[str]:
    """Issues 12's and 25's targets, each met or not, from this run's numbers."""

    def by_name(database: str, size: str) -> dict[str, Result]:
        run = found.get((database, size))
        return {r.name: r for r in run["results"]} if run else {}

    lines = ["## The targets, in this run", ""]
    for database in ("sqlite", "postgresql"):
        small, s12, big = (by_name(database, size) for size in ("small", "scotland-12", "scotland"))
        if small and big:
            same = [name for name in small if small[name].queries == big[name].queries]
            lines.append(
                f"- {database}: SQL queries per request the same at the small and Scotland sets "
                f"for {len(same)} of {len(small)} requests."
            )
        if big:
            within = [r.name for r in big.values() if r.p50 <= 2 * r.sql_floor]
            lines.append(
                f"- {database}, Scotland: within 2× the SQL floor: {len(within)} of {len(big)} "
                f"({', '.join(within) or 'none'}); the profiles below show the rest of the time "
                "is the app's Python, SQLAlchemy's ORM and Jinja, not the database."
            )
        if big and s12:
            ratio = big["rollup today"].p50 / s12["rollup today"].p50
            lines.append(
                f"- {database}: rollup at 120 updates per action ÷ at 12: {ratio:.2f} "
                f"({'met' if ratio <= 2 else 'not met'}: at most 2)."
            )
        run = found.get((database, "scotland"))
        if run:
            peak = run["rollup4"][2]
            lines.append(
                f"- {database}, Scotland: server memory under 4 rollups at once {peak:.0f} MB "
                f"({'met' if peak < 300 else 'not met'}: below 300 MB)."
            )
        if small:
            six = [n for n in SIX if n in small]
            met = [n for n in six if small[n].share(floor_one[0]) <= 10]
            shares = ", ".join(f"{n} 1/{small[n].share(floor_one[0]):.1f}" for n in six)
            lines.append(
                f"- {database}, small (Tayside's size), one client: at least 1/10 of the "
                f"framework floor's rate for {len(met)} of the {len(six)} pages ({shares})."
            )
        for size in ("scotland-12", "scotland"):
            run = by_name(database, size)
            if run and database == "postgresql":
                scans = [n for n, r in run.items() if r.seq_scans]
                lines.append(
                    f"- {database}, {size}: requests with a statement planned as a sequential "
                    f"scan of progress_updates: {len(scans)} ({', '.join(scans) or 'none'})."
                )
            if run:
                six = [n for n in SIX if n in run]
                within = [n for n in six if run[n].p50_one <= 3 * run[n].sql_floor]
                made = [n for n in six if run[n].p50_one <= 3 * run[n].made_floor]
                lines.append(
                    f"- {database}, {size}: the six pages within 3× their SQL floor (one "
                    f"client): as served, {len(within)} of {len(six)} "
                    f"({', '.join(within) or 'none'}); as made, {len(made)} of {len(six)} "
                    f"({', '.join(made) or 'none'})."
                )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])  # fmt: skip
    parser.add_argument("--seconds", type=float, default=5.0, help="Load per request.")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument(
        "--mail-stall", type=float, default=30.0, help="Seconds the mail server stalls (0: skip)."
    )
    parser.add_argument(
        "--only", nargs="+", default=[], metavar="NAME", help="Measure only these requests."
    )
    args = parser.parse_args()
    ONLY[:] = args.only
    found = {}
    floor_server, floor_port = serve_floor()
    try:
        load(floor_port, "/", "", 1)
        floor = load(floor_port, "/", "", args.seconds)
        floor_one = load(floor_port, "/", "", args.seconds, clients=1)
        print(f"framework floor: {floor[0]:.0f}/s; one client {floor_one[0]:.0f}/s", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            for database in args.databases:
                for size_name in args.sizes:
                    url, took = prepare(database, size_name, Path(folder))
                    found[(database, size_name)] = measure(
                        database, size_name, url, args.seconds, floor_port
                    )
                    found[(database, size_name)]["loaded_in"] = took
    finally:
        floor_server.terminate()
        floor_server.wait()
    text = write(found, floor, floor_one, args.seconds, args)
    if args.mail_stall:
        from benchmarks import mail_stall

        text += "\n".join(mail_stall.lines(mail_stall.measure(args.mail_stall)))
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
