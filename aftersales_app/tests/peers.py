"""ERPNext's own tests as the app's peer suite (issue: "the app's hooks on ERPNext documents break
none of them"): the test modules of the ERPNext DocTypes the app touches, run the way ERPNext's CI
runs them — a fresh site, `bench run-tests` with ERPNext's `before_tests` set-up — on a site with
the app installed, compared test by test with the same run on a site without it
(tests/data/erpnext_peers.json, recorded here by `record`).

    cd frappe-bench/sites && ../env/bin/python -m aftersales_app.tests.peers record

makes a fresh site without the app, runs the modules and writes the record; test_erpnext_peers.py
does the same with the app and compares. The site is dropped afterwards either way.

Two differences from ERPNext's CI, the same on both sides: ERPNext's CI installs the `payments`
app, whose Payment Gateway DocType the test records' link walk reaches (Payment Entry Reference →
Payment Request → Payment Gateway Account): a bench without it gets a stand-in DocType of the same
name (site data, no code); and a machine without internet cannot fetch exchange rates (two Serial
No tests error on both sides)."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DOCTYPES = (
	"Contact",
	"Customer",
	"Serial No",
	"Issue",
	"Service Level Agreement",
	"Payment Entry",
	"Stock Entry",
	"Sales Invoice",  # last: one of its tests leaves a mandatory accounting dimension switched on
)
# ERPNext's before_tests and its global test records, built before the modules (as CI's first run)
WARM_UP = ("User", "Company", "Item")
RECORD = Path(__file__).parent / "data" / "erpnext_peers.json"
SITE = os.environ.get("AFTERSALES_PEER_SITE", "aftersales-peer.localhost")
# what ERPNext's CI site config sets besides allow_tests
CI_CONFIG = {
	"allow_tests": "true",
	"auto_email_id": "test@example.com",
	"mail_server": "smtp.example.com",
	"mail_login": "test@example.com",
	"mail_password": "test",
}


def bench(sites_path: Path, *args: str, site: str | None = SITE, timeout: int = 1800, check: bool = True):
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe"]
	cmd += ["--site", site] if site else []
	result = subprocess.run(
		[*cmd, *args], cwd=sites_path, capture_output=True, text=True, timeout=timeout, env=os.environ
	)
	if check and result.returncode != 0:
		raise RuntimeError(f"bench {' '.join(args)}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
	return result


def fresh_site(sites_path: Path, with_app: bool, root_password: str, admin_password: str):
	"""A new site with ERPNext (and the app), its set-up wizard left to ERPNext's before_tests."""
	drop_site(sites_path, root_password)
	apps = ["--install-app", "erpnext"] + (["--install-app", "aftersales_app"] if with_app else [])
	bench(
		sites_path,
		"new-site",
		SITE,
		"--db-root-password",
		root_password,
		"--admin-password",
		admin_password,
		*apps,
		site=None,
	)
	for key, value in CI_CONFIG.items():
		bench(sites_path, "set-config", key, value)
	bench(sites_path, "set-config", "--parse", "throttle_user_limit", "100")
	if not (sites_path.parent / "apps" / "payments").exists():
		subprocess.run(
			[sys.executable, "-m", "aftersales_app.tests.peers", "stand-in", SITE],
			cwd=sites_path,
			check=True,
			capture_output=True,
			timeout=300,
		)


def drop_site(sites_path: Path, root_password: str):
	if (sites_path / SITE).exists():
		bench(
			sites_path,
			"drop-site",
			SITE,
			"--force",
			"--no-backup",
			"--db-root-password",
			root_password,
			site=None,
		)


def run_modules(sites_path: Path, work: Path) -> dict[str, str]:
	"""Run the modules in one process after the warm-up; {TestClass.test_name: outcome}. `work`
	must be a path Frappe's get_app_path leaves as it is (it scrubs each part: no capitals or
	hyphens, so not under frappe-bench/): a temporary directory in /tmp is."""
	warm, modules, junit = work / "warm_up.txt", work / "doctypes.txt", work / "peers.xml"
	warm.write_text("\n".join(WARM_UP) + "\n")
	modules.write_text("\n".join(DOCTYPES) + "\n")
	bench(sites_path, "run-tests", "--doctype-list-path", f"erpnext/{warm}", "--test", "__none__")
	# bench exits 0 on failed tests (without CI set): the JUnit report is what counts
	bench(
		sites_path,
		"run-tests",
		"--doctype-list-path",
		f"erpnext/{modules}",
		"--junit-xml-output",
		str(junit),
		timeout=3600,
		check=False,
	)
	if not junit.exists():
		raise RuntimeError("run-tests wrote no JUnit report")
	return outcomes(junit)


def outcomes(junit: Path) -> dict[str, str]:
	result = {}
	for case in ET.parse(junit).getroot().iter("testcase"):
		name = f"{case.get('classname').rsplit('.', 1)[-1]}.{case.get('name')}"
		result[name] = next((k for k in ("failure", "error", "skipped") if case.find(k) is not None), "pass")
	return dict(sorted(result.items()))


def stand_in_payment_gateway(site: str):
	"""The `payments` app's Payment Gateway as a custom DocType (its fields), when the app is absent."""
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		if not frappe.db.exists("DocType", "Payment Gateway"):
			frappe.get_doc(
				{
					"doctype": "DocType",
					"name": "Payment Gateway",
					"module": "Custom",
					"custom": 1,
					"autoname": "field:gateway",
					"fields": [
						{
							"fieldname": "gateway",
							"fieldtype": "Data",
							"label": "Gateway",
							"reqd": 1,
							"unique": 1,
						},
						{
							"fieldname": "gateway_settings",
							"fieldtype": "Link",
							"label": "Gateway Settings",
							"options": "DocType",
						},
						{
							"fieldname": "gateway_controller",
							"fieldtype": "Dynamic Link",
							"label": "Gateway Controller",
							"options": "gateway_settings",
						},
					],
					"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1}],
				}
			).insert()
			frappe.db.commit()
	finally:
		frappe.destroy()


def record():
	"""Run the modules on a fresh site without the app and write tests/data/erpnext_peers.json."""
	import tempfile

	import frappe

	sites_path = Path.cwd()
	root_password = os.environ.get("AFTERSALES_DB_ROOT_PASSWORD", "aftersales-root")
	fresh_site(sites_path, False, root_password, os.environ.get("AFTERSALES_ADMIN_PASSWORD", "admin"))
	try:
		with tempfile.TemporaryDirectory(prefix="peers_") as work:  # see run_modules
			tests = run_modules(sites_path, Path(work))
	finally:
		drop_site(sites_path, root_password)
	versions = {app: __import__(app).__version__ for app in ("frappe", "erpnext")}
	document = {
		"about": json.loads(RECORD.read_text())["about"] if RECORD.exists() else "",
		**versions,
		"recorded_on": str(frappe.utils.getdate()),
		"tests": tests,
	}
	RECORD.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
	print(f"recorded {len(tests)} tests, {sum(1 for o in tests.values() if o == 'pass')} passed")


if __name__ == "__main__":
	if sys.argv[1:2] == ["stand-in"]:
		stand_in_payment_gateway(sys.argv[2])
	elif sys.argv[1:2] == ["record"]:
		record()
	else:
		raise SystemExit("usage: python -m aftersales_app.tests.peers record | stand-in SITE")
