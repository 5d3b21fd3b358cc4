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
		(
			"def audience():\n\tfrom aftersales_app.field_service.dispatch import qualified\n",
			"notifications/events.py",
		),
		("from aftersales_app.notifications.events import fullname\n", "field_service/dispatch.py"),
		("from aftersales_app.field_service import dispatch\n", "field_service/visits.py"),  # into it
	]
	assert check.cycle_findings(files) == [
		"import cycle: aftersales_app.field_service.dispatch → aftersales_app.notifications.events"
	]


def test_a_longer_cycle_through_a_package_is_found_and_a_tree_without_one_passes():
	check = pitfalls()
	a = ("from aftersales_app.customer_care import tags\n", "returns/steps.py")
	b = ("import aftersales_app.billing.charging\n", "customer_care/tags.py")
	c = ("from aftersales_app.returns.steps import REFUND\n", "billing/charging.py")
	assert check.cycle_findings([a, b, c]) == [
		"import cycle: aftersales_app.billing.charging → aftersales_app.customer_care.tags → aftersales_app.returns.steps"
	]
	assert check.cycle_findings([a, b, ("import frappe\n", "billing/charging.py")]) == []
	# a package importing its own submodule, and the submodule the package's sibling: no cycle
	package = ("from aftersales_app.notifications import outbox\n", "notifications/__init__.py")
	sibling = ("from aftersales_app.notifications.events import EVENTS\n", "notifications/outbox.py")
	assert check.cycle_findings([package, sibling, ("X = 1\n", "notifications/events.py")]) == []


def test_a_cycle_through_a_packages_own_imports_is_found():
	"""A domain's set-up → setup.language runs setup/__init__ first; when that imported the
	domain's set-up, Python answered "partially initialized module" though neither module named
	the other's package (what setup/install.py now keeps out of the package's __init__)."""
	check = pitfalls()
	files = [
		("from aftersales_app.setup.language import site_language\n", "billing/setup.py"),
		("from aftersales_app.billing.setup import make_charging_setup\n", "setup/__init__.py"),
		("import frappe\n", "setup/language.py"),
	]
	assert check.cycle_findings(files) == [
		"import cycle: aftersales_app.billing.setup → aftersales_app.setup"
	]


def test_the_tree_keeps_its_layers():
	check = pitfalls()
	files = [(path.read_text(encoding="utf-8"), relative) for path, relative in check.python_files()]
	assert check.layer_findings(files) == []


def test_a_planted_import_across_the_layers_is_found():
	"""core imports no domain; a domain imports of another only the flow modules at the top of
	its folder, not its DocType controllers, reports or set-up."""
	check = pitfalls()
	files = [
		("from aftersales_app.tickets.status import state_map\n", "core/reports.py"),
		("X = 1\n", "tickets/status.py"),
		(
			"from aftersales_app.billing.doctype.service_payment.service_payment import ServicePayment\n",
			"returns/steps.py",
		),
		("from aftersales_app.tickets.setup.workflow import install_default_workflow\n", "billing/setup.py"),
		("from aftersales_app.billing import charging\n", "field_service/visits.py"),  # exposed: fine
		("X = 1\n", "billing/charging.py"),
		("X = 1\n", "billing/doctype/service_payment/service_payment.py"),
		("X = 1\n", "tickets/setup/workflow.py"),
		("from aftersales_app.core.text import clean\n", "knowledge/articles.py"),  # down to core: fine
		("X = 1\n", "core/text.py"),
	]
	assert check.layer_findings(files) == [
		"layers: aftersales_app.billing.setup imports aftersales_app.tickets.setup.workflow, inside the tickets domain",
		"layers: aftersales_app.core.reports (core) imports aftersales_app.tickets.status",
		"layers: aftersales_app.returns.steps imports aftersales_app.billing.doctype.service_payment.service_payment,"
		" inside the billing domain",
	]
