"""Install, migrate and uninstall on a scratch site with ERPNext (not the test site).

The scratch site is created once (ERPNext only, setup wizard done) and kept between runs; every
run installs the app on it, migrates twice, uninstalls it, and leaves it without the app again.
These tests take minutes: they drive bench commands in their own processes, as an admin would.
"""

import json
import os
import subprocess
import sys

import pytest

from aftersales_app.tests.utils import site_paths

SITE, SITES_PATH = site_paths()


pytestmark = pytest.mark.slow

SCRATCH = os.environ.get("AFTERSALES_INSTALL_TEST_SITE", "aftersales-install-test.localhost")
APP = "aftersales_app"


def frappe_cli(*args: str, site: str | None = SCRATCH, timeout: int = 1200) -> str:
	"""Run a bench site command (`bench --site SITE …`) in its own process; fail with its output."""
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe"]
	cmd += ["--site", site] if site else []
	result = subprocess.run([*cmd, *args], cwd=SITES_PATH, capture_output=True, text=True, timeout=timeout)
	assert (
		result.returncode == 0
	), f"bench {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
	return result.stdout


def execute(function: str):
	"""Run a function of aftersales_app.tests.site_state on the scratch site in its own process."""
	cmd = [sys.executable, "-m", "aftersales_app.tests.site_state", SCRATCH, function]
	result = subprocess.run(cmd, cwd=SITES_PATH, capture_output=True, text=True, timeout=300)
	assert result.returncode == 0, f"{function} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
	return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def scratch_site():
	if not (SITES_PATH / SCRATCH / "site_config.json").exists():
		frappe_cli(
			"new-site",
			SCRATCH,
			"--db-root-password",
			os.environ.get("AFTERSALES_DB_ROOT_PASSWORD", "aftersales-root"),
			"--admin-password",
			os.environ.get("AFTERSALES_ADMIN_PASSWORD", "admin"),
			"--install-app",
			"erpnext",
			site=None,
		)
	execute("complete_setup")  # nothing to do once done
	if execute("snapshot")["installed"]:  # left over from an interrupted run
		frappe_cli("uninstall-app", APP, "--yes", "--no-backup")
	frappe_cli("install-app", APP)
	return SCRATCH


def test_fresh_install_brings_roles_doctypes_and_workspace(scratch_site):
	state = execute("snapshot")
	assert state["installed"]
	assert set(state["module_defs"].values()) == {APP}, state["module_defs"]
	assert set(state["roles"]) == {"After-Sales Manager", "Service Agent", "Service Technician"}
	assert {"Service Technician", "Service Skill"} <= set(state["doctypes"])
	assert [dt for dt in state["doctypes"] if dt not in state["singles"] and not state["schema"][dt]] == []
	assert "After-Sales Settings" in state["singles"]
	assert state["workflow"]["states"] >= 12 and state["workflow"]["active"]
	assert state["state_categories"] == state["workflow"]["states"]
	assert "After-Sales" in state["workspaces"]
	assert ["Customer", "Service Agent", 1, 1, 1] in state["custom_docperms"]
	assert ["Customer", "Service Technician", 1, 0, 0] in state["custom_docperms"]


def test_second_migrate_changes_nothing(scratch_site):
	frappe_cli("migrate")
	first = execute("snapshot")
	frappe_cli("migrate")
	second = execute("snapshot")
	first.pop("digest"), second.pop("digest")
	assert second == first


def test_an_admins_customisation_survives_a_real_migrate(scratch_site):
	"""A field for one ticket type added in Customize Form, a shipped field relabelled, a
	Notification's and a ticket type's texts: `bench migrate` (Frappe's fixture sync and the app's
	hooks, as an app update runs them) keeps every one; the field stays required for its type only."""
	execute("uncustomise")  # what an interrupted run left
	execute("load_demo")  # customers to register tickets for
	execute("customise")
	try:
		before = execute("customisation")
		assert before["field"] == ["Elevator Ready", 'eval:doc.ticket_type=="Installation"'], before
		assert before["refused"] == {"Installation": True, "Repair": False}, before
		frappe_cli("migrate")
		assert execute("customisation") == before
		print(f"kept through bench migrate: {sorted(before)}")
	finally:
		execute("uncustomise")


def test_every_patch_run_again_changes_nothing(scratch_site):
	"""With the demo's data on the site, every patch run once more, then again: the second run
	finds nothing to do (same rows, same files, same invariants, same schema and records)."""
	execute("load_demo")
	patches = execute("run_patches")
	first = {"data": execute("data"), "snapshot": execute("snapshot")}
	assert execute("run_patches") == patches
	second = {"data": execute("data"), "snapshot": execute("snapshot")}
	first["snapshot"].pop("digest"), second["snapshot"].pop("digest")
	assert second == first
	assert all(count == 0 for count in second["data"]["invariants"].values()), second["data"]["invariants"]
	print(f"{len(patches)} patches run twice on {sum(first['data']['rows'].values())} rows: nothing changed")


def test_uninstall_leaves_erpnext_working(scratch_site):
	frappe_cli("uninstall-app", APP, "--yes", "--no-backup")
	state = execute("snapshot")
	assert not state["installed"]
	assert state["doctypes"] == {} and state["workspaces"] == {} and state["custom_fields"] == {}
	assert execute("app_tables") == []
	assert not state["workflow"]["active"]
	assert state["custom_docperms"] == []
	assert state["patches"] == 0  # its patch history went with it
	smoke = execute("erpnext_smoke")
	assert smoke["invoice_status"] == "Unpaid" and smoke["grand_total"] == 100 and smoke["gl_entries"] >= 2
	frappe_cli("migrate")  # ERPNext migrates without the app


def test_reinstall_after_uninstall_keeps_erpnext_consistent(scratch_site):
	"""Installed again after the uninstall: the app's roles, workflow and workspace are back,
	ERPNext still books an invoice; then uninstalled again, leaving the scratch site as it was."""
	frappe_cli("install-app", APP)
	state = execute("snapshot")
	assert state["installed"] and state["workflow"]["active"] and "After-Sales" in state["workspaces"]
	assert set(state["roles"]) == {"After-Sales Manager", "Service Agent", "Service Technician"}
	smoke = execute("erpnext_smoke")
	assert smoke["invoice_status"] == "Unpaid" and smoke["gl_entries"] >= 2
	frappe_cli("uninstall-app", APP, "--yes", "--no-backup")
	assert not execute("snapshot")["installed"]
