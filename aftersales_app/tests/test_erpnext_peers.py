"""ERPNext's own tests of the DocTypes the app touches (Sales Invoice, Payment Entry, Stock Entry,
Serial No, Service Level Agreement, Issue, Contact, Customer) on a fresh site with the app
installed, run the way ERPNext's CI runs them, give what they give without the app (recorded in
tests/data/erpnext_peers.json; aftersales_app.tests.peers says how): every test that passes without
the app passes with it, and nothing the record lacks or has disappears."""

import json
import os
import tempfile
from pathlib import Path

import pytest

from aftersales_app.tests import peers
from aftersales_app.tests.utils import site_paths

SITE, SITES_PATH = site_paths()

pytestmark = pytest.mark.slow


def test_erpnext_tests_pass_with_the_app_as_they_pass_without_it():
	record = json.loads(peers.RECORD.read_text())["tests"]
	root_password = os.environ.get("AFTERSALES_DB_ROOT_PASSWORD", "aftersales-root")
	peers.fresh_site(SITES_PATH, True, root_password, os.environ.get("AFTERSALES_ADMIN_PASSWORD", "admin"))
	try:
		with tempfile.TemporaryDirectory(prefix="peers_") as work:  # see peers.run_modules
			ran = peers.run_modules(SITES_PATH, Path(work))
	finally:
		peers.drop_site(SITES_PATH, root_password)
	passed = [t for t, outcome in record.items() if outcome == "pass"]
	broken = sorted(t for t in passed if ran.get(t) != "pass")
	counts = {o: sum(1 for v in ran.values() if v == o) for o in ("pass", "failure", "error", "skipped")}
	print(
		f"ERPNext peer suite with the app: {len(ran)} tests {counts}; without it (recorded) "
		f"{len(record)} tests, {len(passed)} passed"
	)
	assert sorted(ran) == sorted(record), set(ran) ^ set(record)
	assert not broken, f"passed without the app, not with it: {broken}"
