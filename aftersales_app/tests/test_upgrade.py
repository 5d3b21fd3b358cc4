"""An upgrade with data, from each release an existing site may run (scripts/releases.txt: the
state the first two rounds left, and the last landed release before the app was laid out by
domain). scripts/test.sh unpacks each release's tree; the release's own code installs it on the
scratch site, loads its demo data and its benchmark generator's tickets (with their invoices and
Payment Entries in ERPNext's books, made by the release's own functions), then the current code
migrates over it: every row kept, every file kept, and every invariant true afterwards (the
current release's patches put right what an older one left, e.g. the ToDos of finished tickets,
the modules of the one scaffold module). Runs after test_install, on the same scratch site, and
leaves it without the app as it found it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales_app.tests.test_install import APP, SCRATCH, execute, frappe_cli
from aftersales_app.tests.utils import site_paths

SITE, SITES_PATH = site_paths()
GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"  # the current one
GENERATED = 300
# --clear first: what an earlier run left of ERPNext's rows (it outlives the app's uninstall)
GENERATE = ("--clear", "--tickets", str(GENERATED), "--ledger")
# name=tree of each release, from scripts/test.sh; run by hand without it, the test says so
RELEASES = [
	tuple(item.split("=", 1)) for item in (os.environ.get("AFTERSALES_RELEASES") or "").split(",") if item
]
LISTED = [
	line.split()[1]
	for line in (Path(__file__).resolve().parents[2] / "scripts" / "releases.txt").read_text().splitlines()
	if line.strip() and not line.startswith("#")
]

pytestmark = [pytest.mark.slow]


@pytest.fixture(params=LISTED)
def release(request) -> tuple[str, str]:
	"""(name, tree) of a listed release; a release scripts/test.sh could not unpack fails."""
	trees = dict(RELEASES)
	assert trees, "run through scripts/test.sh, which unpacks the releases of scripts/releases.txt"
	tree = trees.get(request.param)
	assert tree and Path(tree, APP).is_dir(), f"release {request.param} is not in this clone"
	return request.param, tree


def previous(tree: str, *args: str, timeout: int = 1200) -> str:
	"""A bench command on the scratch site run by a release's code: its package comes first on
	the path, ahead of the bench's copy of the current one."""
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SCRATCH, *args]
	env = {**os.environ, "PYTHONPATH": tree}
	# the site's cached module map is of the code that last built it (a release before the
	# layout by domain has one module, the current code seven): the release starts without it
	clear = [*cmd[: cmd.index("--site") + 2], "clear-cache"]
	subprocess.run(clear, cwd=SITES_PATH, capture_output=True, timeout=120, env=env, check=True)
	result = subprocess.run(cmd, cwd=SITES_PATH, capture_output=True, text=True, timeout=timeout, env=env)
	assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
	return result.stdout


def released_data(tree: str) -> dict:
	"""site_state.data() of the release's own tree (its DocTypes, its invariant check)."""
	previous(tree, "clear-cache")  # the release's module map, built by the release's code
	cmd = [sys.executable, "-m", "aftersales_app.tests.site_state", SCRATCH, "data"]
	env = {**os.environ, "PYTHONPATH": tree}
	result = subprocess.run(cmd, cwd=SITES_PATH, capture_output=True, text=True, timeout=300, env=env)
	assert result.returncode == 0, f"data failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
	frappe_cli("clear-cache")
	return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_site_of_each_release_migrates_with_every_row_kept(release):
	name, tree = release
	generator = Path(tree) / "benchmarks" / "generate.py"  # the release's own
	execute("complete_setup")
	left = execute("snapshot")
	if left["installed"]:  # an interrupted run's; an older release's by that release's code
		uninstall = (lambda *a: previous(tree, *a)) if left["scaffold_module"] else frappe_cli
		uninstall("uninstall-app", APP, "--yes", "--no-backup")
	where = subprocess.run(
		[sys.executable, "-c", "import aftersales_app; print(aftersales_app.__file__)"],
		cwd=SITES_PATH,
		capture_output=True,
		text=True,
		env={**os.environ, "PYTHONPATH": tree},
	).stdout
	assert where.startswith(tree), where  # the release's code does the install
	previous(tree, "install-app", APP)
	previous(tree, "execute", "aftersales_app.demo.data.load")
	generated = subprocess.run(
		[sys.executable, str(generator), "--site", SCRATCH, "--sites-path", str(SITES_PATH), *GENERATE],
		cwd=SITES_PATH,
		capture_output=True,
		text=True,
		timeout=900,
		env={**os.environ, "PYTHONPATH": tree},
	)
	assert generated.returncode == 0, generated.stdout[-3000:] + generated.stderr[-3000:]
	print(next(line for line in generated.stdout.splitlines() if line.startswith("Topped up")))
	before = released_data(tree)  # read by the release's own code: the site is still its
	assert before["rows"]["Service Ticket"] >= GENERATED, before["rows"]
	try:
		frappe_cli("migrate")  # the current code
		after = execute("data")
		for part in ("rows", "names"):  # of every DocType the release knew
			assert {k: after[part].get(k) for k in before[part]} == before[part], part
		for part in ("files", "signatures"):
			assert after[part] == before[part], part
		assert all(count == 0 for count in after["invariants"].values()), after["invariants"]
		print(
			f"{name} → current: {sum(before['rows'].values())} rows of {len(before['rows'])} DocTypes kept; "
			f"invariants before {before['invariants']}, after all hold"
		)
	finally:
		# the generator's rows of ERPNext's own DocTypes (customers, serial numbers, users, the
		# invoices and Payment Entries it booked) outlive the app: removed while the app is there,
		# by the code that is installed (the release's when the migrate did not get through)
		frappe_cli("clear-cache")
		old = execute("snapshot")["scaffold_module"]
		if old:
			previous(tree, "clear-cache")
		subprocess.run(
			[
				sys.executable,
				str(generator if old else GENERATOR),
				"--site",
				SCRATCH,
				"--sites-path",
				str(SITES_PATH),
				"--clear",
			],
			cwd=SITES_PATH,
			capture_output=True,
			timeout=900,
			env={**os.environ, "PYTHONPATH": tree} if old else None,
		)
		(previous if old else lambda *a: frappe_cli(*a[1:]))(
			tree, "uninstall-app", APP, "--yes", "--no-backup"
		)
