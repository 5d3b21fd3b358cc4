"""An upgrade with data: the previous release (the nearest git tag, unpacked by scripts/test.sh)
installed on the scratch site with its demo data and the benchmark generator's tickets (with their
invoices and Payment Entries in ERPNext's books, made by the previous release's own functions), then the current code migrated over it: every
row kept, every file kept, and every invariant true afterwards (the current release's patches put
right what the previous one left, e.g. the ToDos of finished tickets). Runs after test_install,
on the same scratch site, and leaves it without the app as it found it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales_app.tests.test_install import APP, SCRATCH, execute, frappe_cli
from aftersales_app.tests.utils import site_paths

SITE, SITES_PATH = site_paths()
PREVIOUS = os.environ.get("AFTERSALES_PREVIOUS_RELEASE")
GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
GENERATED = 300
# --clear first: what an earlier run left of ERPNext's rows (it outlives the app's uninstall)
GENERATE = ("--clear", "--tickets", str(GENERATED), "--ledger")
TREE = os.environ.get("AFTERSALES_PREVIOUS_TREE")

pytestmark = [
	pytest.mark.slow,
	pytest.mark.skipif(not (PREVIOUS and TREE), reason="scripts/test.sh unpacks the previous release"),
]


def previous(*args: str, timeout: int = 1200) -> str:
	"""A bench command on the scratch site run by the previous release's code: its package comes
	first on the path, ahead of the bench's copy of the current one."""
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SCRATCH, *args]
	env = {**os.environ, "PYTHONPATH": TREE}
	result = subprocess.run(cmd, cwd=SITES_PATH, capture_output=True, text=True, timeout=timeout, env=env)
	assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
	return result.stdout


def test_a_site_of_the_previous_release_migrates_with_every_row_kept():
	execute("complete_setup")
	if execute("snapshot")["installed"]:
		frappe_cli("uninstall-app", APP, "--yes", "--no-backup")
	where = subprocess.run(
		[sys.executable, "-c", "import aftersales_app; print(aftersales_app.__file__)"],
		cwd=SITES_PATH,
		capture_output=True,
		text=True,
		env={**os.environ, "PYTHONPATH": TREE},
	).stdout
	assert where.startswith(TREE), where  # the previous release's code does the install
	previous("install-app", APP)
	previous("execute", "aftersales_app.demo.data.load")
	generated = subprocess.run(
		[sys.executable, str(GENERATOR), "--site", SCRATCH, "--sites-path", str(SITES_PATH), *GENERATE],
		cwd=SITES_PATH,
		capture_output=True,
		text=True,
		timeout=900,
		env={**os.environ, "PYTHONPATH": TREE},
	)
	assert generated.returncode == 0, generated.stdout[-3000:] + generated.stderr[-3000:]
	print(next(line for line in generated.stdout.splitlines() if line.startswith("Topped up")))
	before = execute("data")
	assert before["rows"]["Service Ticket"] >= GENERATED, before["rows"]
	try:
		frappe_cli("migrate")  # the current code
		after = execute("data")
		for part in ("rows", "names", "files", "signatures"):
			assert after[part] == before[part], part
		assert all(count == 0 for count in after["invariants"].values()), after["invariants"]
		print(
			f"{PREVIOUS} → current: {sum(before['rows'].values())} rows of {len(before['rows'])} DocTypes kept; "
			f"invariants before {before['invariants']}, after all hold"
		)
	finally:
		# the generator's rows of ERPNext's own DocTypes (customers, serial numbers, users, the
		# invoices and Payment Entries it booked) outlive the app: removed while the app is there
		subprocess.run(
			[sys.executable, str(GENERATOR), "--site", SCRATCH, "--sites-path", str(SITES_PATH), "--clear"],
			cwd=SITES_PATH,
			capture_output=True,
			timeout=900,
		)
		frappe_cli("uninstall-app", APP, "--yes", "--no-backup")
