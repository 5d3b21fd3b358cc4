"""A backup restores whole: `bench backup --with-files` of the test site, restored onto a new site
(`bench new-site --source-sql`, then `bench restore` with the public and private files, and the
source's encryption key as an admin copies it), gives the same tickets, status log, visits,
payments, ERPNext documents, photos (private files, byte for byte) and signatures, and the
restored site's invariant check finds what the source's finds: nothing, on a site the app's flows
made."""

import json
import os
import subprocess
import sys

import pytest

import frappe

from aftersales_app.api import payment as payment_api
from aftersales_app.tests.test_install import frappe_cli
from aftersales_app.tests.test_payments import FINANCE, awaiting_payment, collect
from aftersales_app.tests.utils import as_user, make_visit, remove_ticket_and_money, set_as_app, site_paths

SITE, SITES_PATH = site_paths()
RESTORED = "aftersales-restore-test.localhost"
ROOT_PASSWORD = os.environ.get("AFTERSALES_DB_ROOT_PASSWORD", "aftersales-root")
SIGNATURE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

pytestmark = pytest.mark.slow


def data_of(site: str) -> dict:
	cmd = [sys.executable, "-m", "aftersales_app.tests.site_state", site, "data"]
	result = subprocess.run(cmd, cwd=SITES_PATH, capture_output=True, text=True, timeout=300)
	assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
	return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def paid_ticket_with_photo_and_signature():
	"""A ticket charged, paid and confirmed (Payment Entry), whose visit has a private photo and
	the customer's signature: committed, as the backup reads the database."""
	ticket = awaiting_payment()
	visit = make_visit(ticket)
	photo = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": "backup-test-photo.png",
			"content": b"\x89PNG backup test " + os.urandom(64),
			"is_private": 1,
			"attached_to_doctype": "Service Visit",
			"attached_to_name": visit.name,
		}
	).insert(ignore_permissions=True)
	visit.append("photos", {"photo": photo.file_url, "caption": "现场照片"})
	set_as_app(visit, customer_signature=SIGNATURE, photos=visit.photos)
	payment = collect(ticket, 1100)
	as_user(FINANCE, payment_api.confirm_payment, payment.name)
	frappe.db.commit()
	yield ticket, visit, photo
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)
	frappe.db.commit()


def test_backup_with_files_restores_everything_onto_a_new_site(paid_ticket_with_photo_and_signature):
	ticket, visit, photo = paid_ticket_with_photo_and_signature
	before = data_of(SITE)
	assert photo.file_url in before["files"] and before["files"][photo.file_url][0] == 1
	assert visit.name in before["signatures"]

	out = frappe_cli("backup", "--with-files", site=SITE)
	paths = {
		kind: line.split(":", 1)[1].strip().rsplit(" ", 1)[0].strip()
		for line in out.splitlines()
		for kind in ("Database", "Public", "Private", "Config")
		if line.startswith(kind)
	}
	print("backed up:", paths)
	if (SITES_PATH / RESTORED / "site_config.json").exists():
		frappe_cli(
			"drop-site", RESTORED, "--db-root-password", ROOT_PASSWORD, "--force", "--no-backup", site=None
		)
	frappe_cli(
		"new-site",
		RESTORED,
		"--source-sql",
		paths["Database"],
		"--db-root-password",
		ROOT_PASSWORD,
		"--admin-password",
		"admin",
		site=None,
	)
	frappe_cli(
		"restore",
		paths["Database"],
		"--with-public-files",
		paths["Public"],
		"--with-private-files",
		paths["Private"],
		"--db-root-password",
		ROOT_PASSWORD,
		"--force",
		site=RESTORED,
	)
	# the encryption key travels with the site's config (passwords and API secrets decrypt)
	key = json.loads((SITES_PATH / paths["Config"]).read_text())["encryption_key"]
	frappe_cli("set-config", "encryption_key", key, site=RESTORED)

	after = data_of(RESTORED)
	for part in ("rows", "names", "files", "signatures", "invariants"):
		assert after[part] == before[part], part
	print(
		f"compared {sum(before['rows'].values())} rows of {len(before['rows'])} DocTypes, "
		f"{len(before['files'])} files ({sum(p for p, _h in before['files'].values())} private), "
		f"{len(before['signatures'])} signatures; invariants: {after['invariants']}"
	)
