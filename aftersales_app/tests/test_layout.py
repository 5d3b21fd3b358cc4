"""The app's layout holds: no import cycle among its modules (scripts/check_pitfalls.py, run by
the linters), shown failing on planted cycles, top-level or hidden in a function body."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pitfalls():
	spec = importlib.util.spec_from_file_location("check_pitfalls", ROOT / "scripts" / "check_pitfalls.py")
	module = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(module)
	return module


def test_the_app_has_no_import_cycle():
	check = pitfalls()
	files = [(path.read_text(encoding="utf-8"), relative) for path, relative in check.python_files()]
	assert len(files) > 100
	assert check.cycle_findings(files) == []


def test_a_planted_cycle_is_found_even_inside_a_function():
	check = pitfalls()
	files = [
		("def audience():\n\tfrom aftersales_app.dispatch import qualified\n", "notify/events.py"),
		("from aftersales_app.notify.events import fullname\n", "dispatch.py"),
		("from aftersales_app import dispatch\n", "visits.py"),  # imports into the cycle, not in it
	]
	assert check.cycle_findings(files) == [
		"import cycle: aftersales_app.dispatch → aftersales_app.notify.events"
	]


def test_a_longer_cycle_through_a_package_is_found_and_a_tree_without_one_passes():
	check = pitfalls()
	a = ("from aftersales_app.care import tags\n", "returns.py")
	b = ("import aftersales_app.billing\n", "care/tags.py")
	c = ("from aftersales_app.returns import REFUND\n", "billing.py")
	assert check.cycle_findings([a, b, c]) == [
		"import cycle: aftersales_app.billing → aftersales_app.care.tags → aftersales_app.returns"
	]
	assert check.cycle_findings([a, b, ("import frappe\n", "billing.py")]) == []
	# a package importing its own submodule, and the submodule the package's sibling: no cycle
	package = ("from aftersales_app.notify import outbox\n", "notify/__init__.py")
	sibling = ("from aftersales_app.notify.events import EVENTS\n", "notify/outbox.py")
	assert check.cycle_findings([package, sibling, ("X = 1\n", "notify/events.py")]) == []


def test_a_cycle_through_a_packages_own_imports_is_found():
	"""knowledge → setup.language runs setup/__init__ first, which imports knowledge: Python
	answered "partially initialized module" though neither module named the other's package."""
	check = pitfalls()
	files = [
		("from aftersales_app.setup.language import site_language\n", "knowledge.py"),
		("from aftersales_app.knowledge import make_default_category\n", "setup/__init__.py"),
		("import frappe\n", "setup/language.py"),
	]
	assert check.cycle_findings(files) == ["import cycle: aftersales_app.knowledge → aftersales_app.setup"]
