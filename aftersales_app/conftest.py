"""Connects pytest to the real test site that scripts/test.sh prepared.

Each test runs as Administrator inside the site's database and is rolled back afterwards, so tests
see each other's data only where they commit on purpose (concurrency tests, install tests).
"""

import os
from pathlib import Path

import pytest

import frappe

SITE = os.environ.get("AFTERSALES_TEST_SITE", "aftersales-test.localhost")
BENCH_PATH = Path(os.environ.get("AFTERSALES_BENCH_PATH") or Path(__file__).resolve().parents[3])
SITES_PATH = BENCH_PATH / "sites"


def pytest_configure(config):
	os.chdir(SITES_PATH)
	frappe.init(site=SITE, sites_path=str(SITES_PATH))
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	# The tests' own world (customers, serials, staff: tests/world.py), not the demo's; made (and
	# committed) once, before any test runs. Imported here: pytest reads this file before the site
	# is connected.
	from aftersales_app.core import guest_limits
	from aftersales_app.tests import world

	world.build()
	# the site's encryption key exists before the live server starts (a fresh site makes it on
	# first use, and two processes would make two)
	from frappe.utils.password import get_encryption_key

	get_encryption_key()
	guest_limits.reset()  # limits counted by earlier runs (they live in Redis, by the hour)


def pytest_collection_modifyitems(session, config, items):
	"""Tests that load the demo (committed) run last: every other test sees the world alone."""
	items.sort(key=lambda item: item.get_closest_marker("demo") is not None)


# lines the suites report (requests made, findings), printed after pytest's own summary
REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter):
	for line in REPORT:
		terminalreporter.write_line(line)


@pytest.fixture
def jobs_do_not_commit(monkeypatch):
	"""The scheduler jobs commit after each row (aftersales_app.core.jobs); in a test that runs one,
	the test's rollback undoes its work instead."""
	monkeypatch.setattr(frappe.db, "commit", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def _mail_sends_within_the_test(monkeypatch):
	"""The outbox sends an e-mail at once, and Frappe's Email Queue commits while it sends (the
	row's status): in a test, that commit would keep what the test made past its rollback."""
	# imported once the site is connected (pytest reads this file before)
	from aftersales_app.notifications import channels

	send = channels.send_mail

	def within_the_test(*args, **kwargs):
		commit = frappe.db.commit
		frappe.db.commit = lambda *a, **k: None
		try:
			return send(*args, **kwargs)
		finally:
			frappe.db.commit = commit

	monkeypatch.setattr(channels, "send_mail", within_the_test)


@pytest.fixture
def report():
	"""report(line): a line printed at the end of the run (e.g. how many requests a test made)."""
	return REPORT.append


def pytest_unconfigure(config):
	if getattr(frappe.local, "site", None):
		frappe.destroy()


@pytest.fixture(autouse=True)
def _rollback_after_test():
	"""Leave the site as the test found it (FrappeTestCase classes do the same per class)."""
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	# the app's settings are read through the document cache: drop what a test saved
	frappe.clear_document_cache("After-Sales Settings", "After-Sales Settings")
	frappe.set_user("Administrator")
	frappe.local.response = frappe._dict()


def _free_port() -> int:
	import socket

	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server():
	"""The test site served as `bench serve` serves it (threaded, static assets included) on a
	free port. Yields the base URL under the site's own name: Chromium resolves every *.localhost
	name to the loopback address."""
	import subprocess
	import sys
	import time
	import urllib.request

	port = _free_port()
	log = open(BENCH_PATH / "logs" / "test-web.log", "ab")
	proc = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			SITE,
			"serve",
			"--port",
			str(port),
			"--noreload",
		],
		cwd=SITES_PATH,
		stdout=log,
		stderr=log,
	)
	url = f"http://{SITE}:{port}"
	request = urllib.request.Request(
		f"http://127.0.0.1:{port}/api/method/ping", headers={"Host": f"{SITE}:{port}"}
	)
	try:
		for _ in range(120):
			try:
				if urllib.request.urlopen(request, timeout=2).status == 200:
					break
			except OSError:
				time.sleep(0.5)
		else:
			raise RuntimeError(f"the site did not answer on port {port}; see logs/test-web.log")
		yield url
	finally:
		proc.terminate()
		proc.wait(timeout=30)
		log.close()


@pytest.fixture(scope="session")
def browser():
	"""Debian's Chromium driven by Playwright (no browser download)."""
	from playwright.sync_api import sync_playwright

	with sync_playwright() as p:
		chromium = p.chromium.launch(
			executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
			args=[
				"--headless",
				"--no-sandbox",
				"--disable-gpu",
				"--disable-background-networking",
				"--no-first-run",
			],
		)
		yield chromium
		chromium.close()


@pytest.fixture
def artifacts() -> Path:
	"""Where browser tests save screenshots (test-artifacts/ of the app, linked from the README)."""
	path = Path(__file__).resolve().parents[1] / "test-artifacts"
	path.mkdir(exist_ok=True)
	return path


@pytest.fixture
def api_headers():
	"""Token headers for a user's REST calls (API key and secret set on the user, committed)."""

	def make(user: str) -> dict:
		doc = frappe.get_doc("User", user)
		doc.api_key = doc.api_key or frappe.generate_hash(length=15)
		secret = frappe.generate_hash(length=15)
		doc.api_secret = secret
		doc.save(ignore_permissions=True)
		frappe.db.commit()  # the live server, another process, reads the key
		return {"Authorization": f"token {doc.api_key}:{secret}", "Accept": "application/json"}

	return make


@pytest.fixture
def api_url(live_server):
	"""Base URL for requests' REST calls (the live server answers for the test site on any host)."""
	return live_server.replace(SITE, "127.0.0.1")
