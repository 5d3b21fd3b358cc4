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


def pytest_unconfigure(config):
	if getattr(frappe.local, "site", None):
		frappe.destroy()


@pytest.fixture(autouse=True)
def _rollback_after_test():
	"""Leave the site as the test found it (FrappeTestCase classes do the same per class)."""
	frappe.set_user("Administrator")
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.response = frappe._dict()
