"""The app's layout holds: no import cycle among its modules (scripts/check_pitfalls.py, run by
the linters), shown failing on planted cycles, top-level or hidden in a function body."""

import ast
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


def test_an_import_hidden_in_a_function_needs_its_reason():
	check = pitfalls()
	hidden = "def f():\n\tfrom aftersales_app.field_service import dispatch\n\treturn dispatch\n"
	said = (
		"def f():\n\t# Frappe loads hooks before the app's modules\n\tfrom aftersales_app.core import roles\n"
	)
	group = "def f():\n\t# the site is connected only now\n\timport frappe\n\tfrom aftersales_app.core import roles\n"
	other = "def f():\n\tfrom frappe.utils import cint\n"
	assert check.hidden_import_findings(hidden, "tickets/escalation.py") == [
		"aftersales_app/tickets/escalation.py:2: an import inside a function without a comment saying why"
	]
	assert check.hidden_import_findings(said + group + other, "boot.py") == []


def test_the_ticket_controller_is_no_hub():
	"""Service Ticket's controller keeps the ticket's own rules and tells its own notices; billing,
	dispatch, returns, surveys and escalation follow the ticket's events in hooks.py."""
	check = pitfalls()
	files = [(path.read_text(encoding="utf-8"), relative) for path, relative in check.python_files()]
	imports = check.import_graph(files)["aftersales_app.tickets.doctype.service_ticket.service_ticket"]
	assert {target.split(".")[1] for target in imports} <= {"core", "tickets", "notifications"}, imports
	assert not {t for t in imports if t.startswith("aftersales_app.tickets.escalation")}
	hooks = ast.literal_eval(
		ast.get_source_segment(
			source := (ROOT / "aftersales_app" / "hooks.py").read_text(encoding="utf-8"),
			next(
				node.value
				for node in ast.parse(source).body
				if isinstance(node, ast.Assign) and node.targets[0].id == "doc_events"
			),
		)
	)["Service Ticket"]
	assert hooks["validate"][-1] == "aftersales_app.billing.charging.on_ticket_validate"
	assert hooks["on_update"][:2] == [
		"aftersales_app.billing.charging.on_ticket_update",
		"aftersales_app.field_service.dispatch.on_ticket_update",
	]
	assert hooks["before_save"] == "aftersales_app.tickets.escalation.set_escalation_due"


def test_every_reload_doc_names_the_module_that_holds_the_json():
	"""A patch reloads a DocType by its module's folder (Frappe looks the module up): after the
	layout by domain, "aftersales_app" names no module, and a patch that still said so stopped
	every upgrade from a release that had not run it."""
	package = ROOT / "aftersales_app"
	modules = [line.strip() for line in (package / "modules.txt").read_text().splitlines() if line.strip()]
	folders = {m.lower().replace(" ", "_") for m in modules}
	calls = 0
	for path in package.rglob("*.py"):
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if (
				isinstance(node, ast.Call)
				and getattr(node.func, "attr", None) == "reload_doc"
				and all(isinstance(a, ast.Constant) for a in node.args[:3])
			):
				module, kind, name = (a.value for a in node.args[:3])
				calls += 1
				assert module in folders, (path, module)
				assert (package / module / kind / name / f"{name}.json").exists(), (path, module, name)
	assert calls >= 4
