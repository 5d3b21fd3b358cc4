"""Issue #17's five benchmarks on one benchmark site, each printing the ratio it is judged by with
its raw figures, then the table of ratios. Called by `benchmarks/run` (which starts the services
and makes the site); by hand, from the bench's sites folder as the bench user:

    ../env/bin/python ../apps/aftersales_app/benchmarks/run.py --site aftersales-bench.localhost

1. create: a Service Ticket through its full path against an ERPNext Issue (create_ticket.py);
2. pool race over HTTP: 50 technicians grab one pool ticket at once, split over two gunicorn
   masters (two app servers sharing the site), p95 against /api/method/ping under the same load,
   exactly one winner each round;
3. reads at scale: the technician's list, the pool, the portal list, the guest lookup, the
   time-in-state report (last 30 days) and the kanban board's query, at 10 k tickets and at the
   large size (100 k, or 1 M with --scale 1m), with the query plan of each read's slowest
   statement;
4. scheduler jobs (accept timeout, escalation, surveys, check-up offers, outbox) with 100 k open
   tickets against ~1 k, the same rows due;
5. guest lookup at 50 concurrent clients against ping, and the lookup page against Frappe's
   /login page under the same load.

Synthetic data comes from generate.py (bulk inserts, topped up to each size). Everything a
benchmark changes besides the generated data is rolled back, except what benchmark 2 and 5 need
committed for the app servers to see (technicians' API keys and capacity, the race tickets, the
trusted-proxy setting), which stays on the benchmark site.
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from aftersales_app.tests.servers import Servers, fire

HERE = Path(__file__).resolve().parent
SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
CONCURRENCY = 50
KANBAN_CARDS = 300


def load(name: str):
	spec = importlib.util.spec_from_file_location(f"aftersales_benchmarks_{name}", HERE / f"{name}.py")
	module = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(module)
	return module


# --- measuring -----------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
	ordered = sorted(values)
	return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def timed(fn, runs: int = 20, warm: int = 3) -> dict:
	"""Median and p95 milliseconds of `fn()` over `runs` calls after `warm` unmeasured ones."""
	for _ in range(warm):
		fn()
	ms = []
	for _ in range(runs):
		start = time.perf_counter()
		fn()
		ms.append((time.perf_counter() - start) * 1000)
	return {"median": statistics.median(ms), "p95": p95(ms)}


@contextmanager
def statements():
	"""The statements frappe.db.sql sends in the block, with their milliseconds."""
	import frappe

	seen = []
	original = frappe.db.sql

	def sql(query, *args, **kwargs):
		start = time.perf_counter()
		try:
			return original(query, *args, **kwargs)
		finally:  # the statement as sent, its values in place
			seen.append(((time.perf_counter() - start) * 1000, str(frappe.db.last_query or query)))

	frappe.db.sql = sql
	try:
		yield seen
	finally:
		frappe.db.sql = original


def plan_of_slowest(fn) -> tuple[int, str, list]:
	"""Run `fn` once; its statement count, and EXPLAIN of its slowest SELECT."""
	import frappe

	with statements() as seen:
		fn()
	selects = [s for s in seen if s[1].lstrip().lower().startswith("select")]
	if not selects:
		return len(seen), "", []
	_ms, query = max(selects, key=lambda s: s[0])
	plan = frappe.db.sql(f"EXPLAIN {query}".replace("%", "%%"), as_dict=True)
	return len(seen), " ".join(query.split())[:400], plan


def print_plan(label: str, count: int, query: str, plan: list):
	print(f"  plan of {label} ({count} statements; slowest select):")
	print(f"    {query}")
	for row in plan:
		print(
			f"    {row.get('table')!s:<28} type={row.get('type')!s:<7} key={row.get('key')!s:<40} "
			f"rows={row.get('rows')!s:<8} {row.get('Extra') or ''}"
		)


@contextmanager
def as_user(user: str):
	import frappe

	previous = frappe.session.user
	frappe.set_user(user)
	try:
		yield
	finally:
		frappe.set_user(previous)


@contextmanager
def no_commits():
	"""Jobs commit row by row; here everything they do stays in one transaction, rolled back."""
	import frappe

	original = frappe.db.commit
	frappe.db.commit = lambda *a, **k: None
	try:
		yield
	finally:
		frappe.db.commit = original
		frappe.db.rollback()


# --- 1. create -----------------------------------------------------------------------------------


def bench_create(n: int) -> dict:
	import frappe

	create = load("create_ticket")
	try:
		results = create.run(n)
	finally:
		frappe.db.rollback()
	ratio = create.report(results, n)
	return {"ratio": ratio, "target": 1.25}


# --- 3. reads at scale ---------------------------------------------------------------------------


def read_cases() -> dict:
	"""name → (user, function): each read as its user sees it."""
	import frappe
	from frappe.utils import add_days, today

	from aftersales_app.api import dispatch as dispatch_api
	from aftersales_app.api import portal as portal_api
	from aftersales_app.core.permissions import portal_customers
	from aftersales_app.portal import lookup
	from aftersales_app.tickets.report.service_ticket_time_in_state import (
		service_ticket_time_in_state as time_in_state,
	)
	from aftersales_app.tickets.setup.kanban import open_tickets_filter

	technician = pool_technician()
	# a technician with a history of their own (the pool technician has none: their list is the
	# pool, found by scanning the newest changes)
	busy = frappe.db.get_value(
		"Service Technician", {"name": ("like", "bench-tech-%")}, "name", order_by="name desc"
	)
	customer_user = next(
		user
		for user in frappe.get_all(
			"Contact", filters={"user": ("is", "set")}, pluck="user", order_by="creation asc"
		)
		if portal_customers(user)
	)
	looked_up = frappe.db.get_value(
		"Service Ticket",
		{"contact_phone": ("is", "set"), "name": ("not like", "ST-BENCH%")},
		["name", "contact_phone"],
		as_dict=True,
	)
	agent = frappe.db.get_value("Has Role", {"role": "Service Agent", "parenttype": "User"}, "parent")
	window = {"from_date": add_days(today(), -30), "to_date": today()}

	def kanban():
		return frappe.get_list(
			"Service Ticket",
			filters=json.loads(open_tickets_filter()),
			fields=["name", "subject", "status", "customer_name", "workflow_state", "assigned_technician"],
			order_by="modified desc",
			limit_page_length=KANBAN_CARDS,  # what the board asks for (aftersales.KANBAN_CARDS)
		)

	return {
		"technician's list (20 rows)": (
			busy,
			lambda: frappe.get_list(
				"Service Ticket",
				fields=["name", "subject", "status", "customer_name"],
				order_by="modified desc",
				limit_page_length=20,
			),
		),
		"technician's pool": (technician, dispatch_api.get_pool),
		"customer's portal list": (customer_user, portal_api.get_my_tickets),
		"guest lookup": (
			"Guest",
			lambda: lookup.guest_view(
				lookup.find_ticket_by_number_and_phone(looked_up.name, looked_up.contact_phone)
			),
		),
		"time-in-state report, 30 days": ("Administrator", lambda: time_in_state.execute(dict(window))),
		"kanban board's query (open tickets, 300 newest)": (agent, kanban),
	}


def measure_reads(label: str) -> dict:
	import frappe

	print(f"\nreads at {label} tickets ({frappe.db.count('Service Ticket')} in the table)")
	out = {}
	for name, (user, fn) in read_cases().items():
		with as_user(user):
			figures = timed(fn, runs=10 if "report" in name or "kanban" in name else 30)
			count, query, plan = plan_of_slowest(fn)
			rows = fn()
		size = len(rows[1]) if isinstance(rows, tuple) else len(rows) if isinstance(rows, list) else 1
		print(f"{name:<34} median {figures['median']:>8.1f} ms  p95 {figures['p95']:>8.1f} ms  rows {size}")
		print_plan(name, count, query, plan)
		out[name] = figures["median"]
	frappe.db.rollback()
	return out


def report_rows_in_window() -> int:
	import frappe
	from frappe.utils import add_days, today

	return frappe.db.count("Service Ticket Status Log", {"changed_on": (">=", add_days(today(), -30))})


@contextmanager
def desk_server(site: str, sites_path: str):
	"""The site served as `bench serve` serves it (static assets included: gunicorn leaves them to
	nginx) on a free port, for Chromium."""
	import socket
	import urllib.request

	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		port = s.getsockname()[1]
	process = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			site,
			"serve",
			"--port",
			str(port),
			"--noreload",
		],
		cwd=sites_path,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)
	ping = urllib.request.Request(f"http://127.0.0.1:{port}/api/method/ping", headers={"Host": site})
	try:
		for _ in range(120):
			try:
				urllib.request.urlopen(ping, timeout=2)
				break
			except OSError:
				time.sleep(0.5)
		yield f"http://{site}:{port}"
	finally:
		process.terminate()
		process.wait(timeout=30)


def browser_views(site: str, sites_path: str) -> dict:
	"""Seconds until Chromium shows the ticket list's rows, the kanban board's cards and the
	workspace's cards, as Administrator (60 s at most each)."""
	from playwright.sync_api import sync_playwright

	views = {
		"ticket list": ("/app/service-ticket", ".list-row-container"),
		"kanban board": ("/app/service-ticket/view/kanban/Service Tickets", ".kanban-card-wrapper"),
		"workspace": ("/app/after-sales", ".number-widget-box"),
	}
	out = {}
	with desk_server(site, sites_path) as url, sync_playwright() as p:
		browser = p.chromium.launch(
			executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
			args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
		)
		page = browser.new_page()
		page.goto(f"{url}/login")
		page.fill("#login_email", "Administrator")
		page.fill("#login_password", os.environ.get("ADMIN_PASSWORD", "admin"))
		page.click(".btn-login")
		page.wait_for_url(f"{url}/app**", timeout=60000)
		for name, (path, selector) in views.items():
			page.goto(f"{url}/app/home")
			page.wait_for_load_state("networkidle")
			start = time.perf_counter()
			page.goto(f"{url}{path}")
			try:
				page.locator(selector).first.wait_for(state="visible", timeout=60000)
				out[name] = time.perf_counter() - start
			except Exception:
				out[name] = None
			shown = out[name]
			print(
				f"Chromium: {name} shows in " + (f"{shown:.2f} s" if shown is not None else "more than 60 s")
			)
		browser.close()
	return out


# --- 4. scheduler jobs ---------------------------------------------------------------------------

DUE = 20


def make_due():
	"""DUE rows due for each job: tickets past their accept deadline, tickets past their escalation
	moment, surveys past their delay (all in the open transaction)."""
	import frappe
	from frappe.utils import add_to_date, now_datetime

	from aftersales_app.customer_care import surveys
	from aftersales_app.tickets.status import AWAITING_ACCEPTANCE, states_of

	past = add_to_date(now_datetime(), minutes=-10)
	later = add_to_date(now_datetime(), days=1)
	# what else the site has due (the generator's open tickets age as the run goes) waits a day:
	# each job then finds exactly DUE rows, at every size
	ticket, survey = frappe.qb.DocType("Service Ticket"), frappe.qb.DocType("Service Survey")
	frappe.qb.update(ticket).set(ticket.accept_deadline, later).where(
		(ticket.status == AWAITING_ACCEPTANCE) & (ticket.accept_deadline < now_datetime())
	).run()
	frappe.qb.update(ticket).set(ticket.escalation_due, later).where(
		ticket.escalation_due <= now_datetime()
	).run()
	frappe.qb.update(survey).set(survey.send_after, later).where(
		(survey.status == surveys.PENDING) & (survey.send_after <= now_datetime())
	).run()
	closed = frappe.get_all(
		"Service Ticket", filters={"status": "Closed"}, pluck="name", limit=10 * DUE, order_by="name desc"
	)
	waiting = states_of(AWAITING_ACCEPTANCE)[0]
	for name in closed[:DUE]:
		frappe.db.set_value(
			"Service Ticket",
			name,
			{"status": AWAITING_ACCEPTANCE, "workflow_state": waiting, "accept_deadline": past, "in_pool": 0},
			update_modified=False,
		)
	for name in closed[DUE : 2 * DUE]:
		frappe.db.set_value("Service Ticket", name, "escalation_due", past, update_modified=False)
	made = 0
	for name in closed[2 * DUE :]:
		if made == DUE:
			break
		if surveys.make_survey(frappe.get_doc("Service Ticket", name)):  # none for a complaint
			frappe.db.set_value(
				"Service Survey", {"service_ticket": name}, "send_after", past, update_modified=False
			)
			made += 1


def open_everything(target: int):
	"""Turn closed tickets into In Progress ones until `target` tickets are open (nothing due)."""
	import frappe
	from frappe.query_builder import DocType

	from aftersales_app.tickets.status import IN_PROGRESS, OPEN_CATEGORIES, states_of

	ticket = DocType("Service Ticket")
	missing = target - frappe.db.count("Service Ticket", {"status": ("in", OPEN_CATEGORIES)})
	if missing <= 0:
		return
	names = (
		frappe.qb.from_(ticket)
		.select(ticket.name)
		.where(ticket.status == "Closed")
		.where(ticket.escalation_due.isnull())
		.limit(missing)
		.run(pluck=True)
	)
	for start in range(0, len(names), 5000):
		(
			frappe.qb.update(ticket)
			.set(ticket.status, IN_PROGRESS)
			.set(ticket.workflow_state, states_of(IN_PROGRESS)[0])
			.set(ticket.accept_deadline, None)
			.where(ticket.name.isin(names[start : start + 5000]))
			.run()
		)


def run_jobs() -> dict:
	from aftersales_app.customer_care import maintenance_reminders, surveys
	from aftersales_app.field_service import dispatch
	from aftersales_app.notifications import outbox
	from aftersales_app.tickets import escalation

	jobs = {
		"accept timeout": dispatch.release_overdue_acceptances,
		"escalation": escalation.escalate_due,
		"surveys": surveys.send_due,
		"check-up offers": maintenance_reminders.offer_due,
		"outbox": outbox.deliver_due,
	}
	out = {}
	for name, job in jobs.items():
		start = time.perf_counter()
		job()
		out[name] = (time.perf_counter() - start) * 1000
	return out


def due_queries() -> list:
	from aftersales_app.customer_care import surveys
	from aftersales_app.field_service import dispatch
	from aftersales_app.tickets import escalation

	return [dispatch.overdue_acceptance_query(), escalation.due_query(), surveys.due_query()]


def print_job_plans():
	"""The plans of the jobs' queries for what is due, and of a technician's open load."""
	import frappe
	from frappe.query_builder import DocType
	from frappe.query_builder.functions import Count

	from aftersales_app.customer_care import surveys
	from aftersales_app.field_service import dispatch
	from aftersales_app.tickets import escalation
	from aftersales_app.tickets.status import OPEN_CATEGORIES

	ticket = DocType("Service Ticket")
	load = (
		frappe.qb.from_(ticket)
		.select(ticket.assigned_technician, Count("*"))
		.where(ticket.assigned_technician.isin([pool_technician()]))
		.where(ticket.status.isin(OPEN_CATEGORIES))
		.groupby(ticket.assigned_technician)
	)
	queries = {
		"accept timeout: tickets past their deadline": dispatch.overdue_acceptance_query(),
		"escalation: tickets past their next point": escalation.due_query(),
		"surveys: surveys past their delay": surveys.due_query(),
		"a technician's open load": load,
	}
	for label, query in queries.items():
		sql = str(query)
		print_plan(label, 1, sql, frappe.db.sql(f"EXPLAIN {sql}".replace("%", "%%"), as_dict=True))


def bench_jobs(large_open: int) -> dict:
	import frappe

	from aftersales_app.tickets.status import OPEN_CATEGORIES

	results = {}
	rounds = (("warm-up", 0), ("~1 k open", 0), (f"{large_open:,} open", large_open))
	for label, target in rounds:  # the first round warms the caches and is not counted
		with no_commits():
			make_due()  # first: opening the others must leave the due rows as they are
			open_everything(target)
			opened = frappe.db.count("Service Ticket", {"status": ("in", OPEN_CATEGORIES)})
			due = [len(q.run()) for q in due_queries()]
			assert due == [DUE] * len(due), f"due rows {due}, {DUE} each expected"
			results[label] = run_jobs()
			print(
				f"jobs ({label}) with {opened} open tickets, {DUE} due each: "
				+ ", ".join(f"{k} {v:.0f} ms" for k, v in results[label].items())
			)
	results.pop("warm-up")
	print_job_plans()
	small, large = results.values()
	ratio = sum(large.values()) / sum(small.values())
	print(f"jobs ratio (all five, large / small): {ratio:.2f}x  (target 1.5x)")
	return {"ratio": ratio, "target": 1.5, "small": small, "large": large}


# --- HTTP ----------------------------------------------------------------------------------------


def ping_load(servers: Servers, rounds: int, path: str = "/api/method/ping", method="GET") -> list[float]:
	ms = []
	for _ in range(rounds):
		ms += [
			r[0]
			for r in fire(
				[
					(method, servers.url(servers.ports[i % 2], path), servers.headers(), None)
					for i in range(CONCURRENCY)
				]
			)
		]
	return ms


# --- 2. pool race --------------------------------------------------------------------------------


def pool_technician() -> str:
	"""A technician who may grab the pool (the benchmark's own, qualified for everything)."""
	return racers(1)[0][0]


def racers(count: int) -> list[tuple[str, str]]:
	"""`count` active technicians with API keys, room for the race tickets and the root territory
	(the race's ticket type needs no skill): (user, "token key:secret")."""
	import frappe
	from frappe.utils.nestedset import get_root_of
	from frappe.utils.password import set_encrypted_password

	users = frappe.get_all(
		"Service Technician",
		filters={"active": 1, "away": 0, "holiday_list": ("is", "not set")},
		pluck="user",
		order_by="name asc",
		limit=count,
	)
	if len(users) < count:
		raise SystemExit(f"the benchmark site has {len(users)} available technicians; {count} needed")
	frappe.db.set_single_value("After-Sales Settings", "pool_enabled", 1)
	out = []
	root = get_root_of("Territory")
	for user in users:
		technician = frappe.get_doc("Service Technician", user)
		technician.capacity = 100000
		if root not in {row.territory for row in technician.territories}:
			technician.append("territories", {"territory": root})  # every ticket's territory is under it
		technician.save(ignore_permissions=True)
		key = frappe.db.get_value("User", user, "api_key") or frappe.generate_hash(length=15)
		secret = f"bench-{user}"[:60]
		frappe.db.set_value("User", user, "api_key", key, update_modified=False)
		set_encrypted_password("User", user, secret, "api_secret")
		out.append((user, f"token {key}:{secret}"))
	frappe.db.commit()
	return out


def race_ticket() -> str:
	"""A new ticket of a type needing no skill, without territory, put in the pool."""
	import frappe

	from aftersales_app.field_service import dispatch
	from aftersales_app.tickets.status import DISPATCHING, states_of

	ticket_type = frappe.db.get_value(
		"Service Ticket Type", {"required_skill": ("is", "not set")}, "name", order_by="name asc"
	)
	customer = frappe.db.get_value("Customer", {"name": ("not like", "BENCH%")}, "name")
	ticket = frappe.get_doc(
		{"doctype": "Service Ticket", "subject": "抢单基准", "customer": customer, "ticket_type": ticket_type}
	).insert()
	frappe.db.set_value(
		"Service Ticket",
		ticket.name,
		{"workflow_state": states_of(DISPATCHING)[0], "status": DISPATCHING, "territory": None},
		update_modified=False,
	)
	ticket.reload()
	dispatch.put_in_pool(ticket)
	frappe.db.commit()
	return ticket.name


def one_at_a_time(servers: Servers, requests_to_send: dict, runs: int = 30):
	"""Median milliseconds of each request alone (no concurrency): what a request costs the server,
	before any queueing."""
	import requests

	session = requests.Session()
	for name, (method, path, headers, data) in requests_to_send.items():
		ms = []
		for _ in range(runs):
			start = time.perf_counter()
			response = session.request(
				method, servers.url(servers.ports[0], path), headers=servers.headers(headers), data=data
			)
			ms.append((time.perf_counter() - start) * 1000)
		print(f"  alone: {name:<40} HTTP {response.status_code}  median {statistics.median(ms):.1f} ms")


def bench_pool_race(servers: Servers, rounds: int) -> dict:
	technicians = racers(CONCURRENCY)
	grabs, winners_per_round, by_server = [], [], {port: 0 for port in servers.ports}
	for _ in range(rounds):
		name = race_ticket()
		results = fire(
			[
				(
					"POST",
					servers.url(servers.ports[i % 2], "/api/method/aftersales_app.api.dispatch.grab_ticket"),
					servers.headers({"Authorization": token}),
					{"ticket": name},
				)
				for i, (_user, token) in enumerate(technicians)
			]
		)
		grabs += [r[0] for r in results]
		won = [i for i, r in enumerate(results) if r[1] == 200]
		odd = [r for r in results if r[1] != 200 and "AlreadyTakenError" not in r[2]]
		assert not odd, odd[:3]  # a loser hears that the ticket was taken, nothing else
		winners_per_round.append(len(won))
		for i in won:
			by_server[servers.ports[i % 2]] += 1
	ping = ping_load(servers, rounds)
	ratio = p95(grabs) / p95(ping)
	token = {"Authorization": technicians[1][1]}
	one_at_a_time(
		servers,
		{
			"ping": ("GET", "/api/method/ping", {}, None),
			"ping, signed in by API key": ("GET", "/api/method/ping", token, None),
			"a grab that lost (ticket taken)": (
				"POST",
				"/api/method/aftersales_app.api.dispatch.grab_ticket",
				token,
				{"ticket": name},
			),
		},
	)
	print(
		f"\npool race: {rounds} rounds of {CONCURRENCY} grabs over two app servers; winners per round "
		f"{winners_per_round} (by server {list(by_server.values())})"
	)
	print(
		f"grab p95 {p95(grabs):.0f} ms (median {statistics.median(grabs):.0f}); ping p95 {p95(ping):.0f} ms"
	)
	print(
		f"pool race ratio (grab p95 / ping p95): {ratio:.2f}x  (target 3x); exactly one winner: "
		f"{all(w == 1 for w in winners_per_round)}"
	)
	return {"ratio": ratio, "target": 3.0, "one_winner": all(w == 1 for w in winners_per_round)}


# --- 5. guest lookup -----------------------------------------------------------------------------


def bench_lookup(servers: Servers, rounds: int) -> dict:
	"""Guests behind the site's trusted proxy (X-Forwarded-For, as nginx sends it), each its own
	address; the site-wide counter is reset between rounds so no round meets the ceiling."""
	import frappe

	from aftersales_app.core import guest_limits

	ticket = frappe.db.get_value(
		"Service Ticket",
		{"contact_phone": ("is", "set"), "name": ("not like", "ST-BENCH%")},
		["name", "contact_phone"],
		as_dict=True,
	)
	lookups = []
	for r in range(rounds):
		guest_limits.reset_ip()
		results = fire(
			[
				(
					"POST",
					servers.url(servers.ports[i % 2], "/api/method/aftersales_app.api.portal.lookup_ticket"),
					servers.headers({"X-Forwarded-For": f"10.{r}.{i // 250}.{i % 250 + 1}"}),
					{"ticket": ticket.name, "phone": ticket.contact_phone},
				)
				for i in range(CONCURRENCY)
			]
		)
		assert all(x[1] == 200 and '"found": 0' not in x[2] for x in results), results[:2]
		lookups += [x[0] for x in results]
	guest_limits.reset_ip()
	one_at_a_time(
		servers,
		{
			"ping": ("GET", "/api/method/ping", {}, None),
			"guest lookup": (
				"POST",
				"/api/method/aftersales_app.api.portal.lookup_ticket",
				{"X-Forwarded-For": "10.200.0.1"},
				{"ticket": ticket.name, "phone": ticket.contact_phone},
			),
		},
		runs=9,  # within the per-address limit
	)
	guest_limits.reset_ip()
	ping = ping_load(servers, rounds)
	page = ping_load(servers, rounds, f"/ticket-lookup?ticket={ticket.name}")
	login = ping_load(servers, rounds, "/login")
	lookup_ratio = p95(lookups) / p95(ping)
	page_ratio = p95(page) / p95(login)
	print(
		f"\nguest lookup at {CONCURRENCY} concurrent: p95 {p95(lookups):.0f} ms; ping p95 {p95(ping):.0f} ms"
	)
	print(f"lookup ratio (lookup p95 / ping p95): {lookup_ratio:.2f}x  (target 2x)")
	print(f"lookup page p95 {p95(page):.0f} ms; Frappe /login p95 {p95(login):.0f} ms")
	print(f"page ratio (lookup page p95 / login p95): {page_ratio:.2f}x  (target 1x)")
	return {"lookup": lookup_ratio, "page": page_ratio}


# --- the run -------------------------------------------------------------------------------------


@contextmanager
def connected(site: str, sites_path: str):
	"""This process connected to `site` as Administrator for the block (the benchmarks move between
	the small site and the large one); what the block leaves uncommitted is rolled back."""
	import frappe

	frappe.init(site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.destroy()


def bench_scale(args, generate) -> list:
	"""Benchmark 3: the reads on the small site (10 k tickets) and on the large one (topped up to
	100 k or 1 M; a larger site stays as large: the generator never removes)."""
	with connected(args.small_site, args.sites_path):
		if generate.highest("Service Ticket", generate.TICKET) > SCALES["10k"]:
			generate.clear()
		generate.generate(SCALES["10k"])
		small_rows = report_rows_in_window()
		small = measure_reads("10 k")
	small_views = browser_views(args.small_site, args.sites_path)
	with connected(args.site, args.sites_path):
		generate.generate(SCALES[args.scale])
		large_rows = report_rows_in_window()
		large = measure_reads(args.scale)
	large_views = browser_views(args.site, args.sites_path)
	print(f"\ntime-in-state rows in the 30-day window: {small_rows} at 10 k, {large_rows} at {args.scale}")
	table = []
	for name in small:
		if "kanban" in name:  # judged in Chromium below; the query sorts the open tickets
			print(f"kanban board's query: {small[name]:.1f} ms at 10 k, {large[name]:.1f} ms at {args.scale}")
			continue
		ratio = large[name] / max(small[name], 0.01)
		if "report" in name and small_rows:  # judged for the same rows in range: per row
			ratio = (large[name] / max(large_rows, 1)) / (small[name] / small_rows)
			name += " (per row in range)"
		table.append((f"3. {name}, {args.scale} / 10 k", ratio, 2.0))
	for name, seconds in large_views.items():
		before = small_views.get(name)
		ratio = seconds / before if seconds and before else float("inf")
		table.append((f"3. Chromium: {name} shows, {args.scale} / 10 k", ratio, 2.0))
	return table


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="aftersales-bench.localhost", help="the large site")
	parser.add_argument("--small-site", default="aftersales-bench-10k.localhost")
	parser.add_argument("--sites-path", default=os.getcwd())
	parser.add_argument("--scale", choices=["100k", "1m"], default="100k")
	parser.add_argument("--rounds", type=int, default=10, help="rounds of the HTTP benchmarks")
	parser.add_argument("--creates", type=int, default=200, help="inserts of each kind (benchmark 1)")
	parser.add_argument("--only", default="1,2,3,4,5", help="the benchmarks to run, e.g. 2,5")
	args = parser.parse_args()

	import frappe

	table = []
	only = {int(n) for n in args.only.split(",")}
	started = time.time()
	if 3 in only:
		table += bench_scale(args, load("generate"))
	with connected(args.site, args.sites_path):
		if 1 in only:
			created = bench_create(args.creates)
			table.insert(0, ("1. create ticket / ERPNext Issue", created["ratio"], created["target"]))
		if 4 in only:
			jobs = bench_jobs(min(SCALES[args.scale], 100_000))
			table.append(("4. scheduler jobs (all five), 100 k open / ~1 k", jobs["ratio"], jobs["target"]))
		if only & {2, 5}:
			if "127.0.0.1" not in (frappe.get_site_config().get("aftersales_trusted_proxies") or []):
				from frappe.installer import update_site_config

				update_site_config("aftersales_trusted_proxies", ["127.0.0.1"])  # nginx's, here ours
			with Servers(args.site, args.sites_path) as servers:
				if 2 in only:
					race = bench_pool_race(servers, args.rounds)
					one = "yes" if race["one_winner"] else "NO"
					table.insert(
						1,
						(f"2. pool grab p95 / ping p95 (one winner each round: {one})", race["ratio"], 3.0),
					)
				if 5 in only:
					lookup = bench_lookup(servers, args.rounds)
					table.append(("5. guest lookup p95 / ping p95", lookup["lookup"], 2.0))
					table.append(("5. lookup page p95 / Frappe /login p95", lookup["page"], 1.0))

	print(f"\n| benchmark ({args.scale}) | ratio | target | met |")
	print("|---|---|---|---|")
	for name, ratio, target in table:
		print(f"| {name} | {ratio:.2f}× | {target:g}× | {'yes' if ratio <= target else 'no'} |")
	print(f"\nin {time.time() - started:.0f} s")


if __name__ == "__main__":
	sys.exit(main())
