"""Install and uninstall steps that fixtures cannot express."""

import frappe
from frappe import _
from frappe.permissions import add_permission, update_permission_property

WRITE = ("read", "write", "create", "report", "export", "print", "email")
READ = ("read", "report", "print")

# What the after-sales roles need on ERPNext's own DocTypes: agents and managers register
# customers and their contacts and addresses while taking a call; everyone reads products,
# serial numbers and territories, and the warehouses a visit's parts come from; the service desk
# opens the stock entries that issued those parts.
AGENT_PERMISSIONS = {
	"Customer": WRITE,
	"Contact": WRITE,
	"Address": WRITE,
	"Item": READ,
	"Serial No": READ,
	"Territory": READ,
	"Issue Priority": READ,
	"Warehouse": READ,
}
ERPNEXT_PERMISSIONS = {
	"Service Agent": {**AGENT_PERMISSIONS, "Stock Entry": READ},
	"After-Sales Manager": {
		**AGENT_PERMISSIONS,
		"Employee": READ,
		"Holiday List": READ,
		"Stock Entry": READ,
	},
	"Service Technician": {doctype: READ for doctype in AGENT_PERMISSIONS},
}


# Ticket types shipped as records (admins edit them freely; names are translated in the desk, so
# they are chosen not to collide with ERPNext's own words such as "Return" or "Maintenance"):
# name, priority level, charge policy, description
TICKET_TYPES = [
	("Repair", "Medium", "Follow Warranty", "Fault repair, on site or in the workshop"),
	("Maintenance Check", "Low", "Follow Warranty", "Scheduled maintenance and check-ups"),
	("Product Return", "Medium", "Always Free", "Return of a product for a refund"),
	("Product Exchange", "Medium", "Follow Warranty", "Exchange of a faulty product for a new one"),
	("Installation", "Medium", "Always Free", "Installation and commissioning of a new product"),
	("Usage Consultation", "Low", "Always Free", "Questions on use, no visit needed"),
	("Service Complaint", "Urgent", "Always Free", "Complaint about a product or the service"),
]

# ERPNext's setup wizard creates Low / Medium / High under their names in the site's language;
# the app adds Urgent the same way.
PRIORITY_LEVELS = ["Low", "Medium", "High", "Urgent"]


def after_install():
	setup_erpnext_permissions()
	make_ticket_types()
	make_charging_setup()


def after_sync():
	"""After the fixtures (roles) exist: the default workflow and its state categories."""
	install_default_workflow()


def after_setup_wizard(args=None):
	"""ERPNext creates Issue Priorities in its setup wizard, which on a new site runs after the app
	was installed: give the shipped ticket types their default priorities then."""
	make_ticket_types()
	make_charging_setup()


def site_language() -> str:
	return frappe.db.get_single_value("System Settings", "language") or "en"


def get_priority(level: str) -> str | None:
	"""The Issue Priority of a level, under its English or its translated name."""
	for name in (level, _(level, lang=site_language())):
		if frappe.db.exists("Issue Priority", name):
			return name
	return None


def make_priorities():
	if not frappe.db.exists("Issue Priority", {}):
		return  # before ERPNext's setup wizard: it creates the first ones
	if not get_priority("Urgent"):
		name = _("Urgent", lang=site_language())
		frappe.get_doc({"doctype": "Issue Priority", "name": name, "description": name}).insert(
			ignore_permissions=True
		)


def make_ticket_types():
	"""Create the shipped ticket types that are missing; fill a missing default priority. An admin's
	changes to existing types are kept."""
	make_priorities()
	for name, level, policy, description in TICKET_TYPES:
		priority = get_priority(level)
		if not frappe.db.exists("Service Ticket Type", name):
			frappe.get_doc(
				{
					"doctype": "Service Ticket Type",
					"type_name": name,
					"default_priority": priority,
					"charge_policy": policy,
					"description": description,
				}
			).insert(ignore_permissions=True)
		elif priority and not frappe.db.get_value("Service Ticket Type", name, "default_priority"):
			frappe.db.set_value("Service Ticket Type", name, "default_priority", priority)


# Service items the charge invoice bills besides parts: (settings field, item code, name, unit)
SERVICE_ITEMS = [
	("labour_item", "AS-LABOUR", "Labour Charge", "Hour"),
	("call_out_item", "AS-CALL-OUT", "On-site Call-out Fee", "Nos"),
]
# Modes of payment technicians collect with, besides ERPNext's Cash: (name, type). ERPNext's own
# "Wire Transfer" and "Credit Card" serve bank transfers and cards.
MODES_OF_PAYMENT = [
	("WeChat Pay", "Bank"),
	("Alipay", "Bank"),
	("Wire Transfer", "Bank"),
	("Credit Card", "Bank"),
	("Cash", "Cash"),
]


def make_charging_setup():
	"""The service items and modes of payment charging needs, once ERPNext is set up (it makes the
	item groups, units and company accounts in its setup wizard). Fills what is missing only."""
	if not frappe.db.exists("Company", {}):
		return
	make_service_items()
	make_modes_of_payment()


def _existing(doctype: str, name: str) -> str | None:
	"""A record under its English or its site-language name (ERPNext names fixtures in the
	language of its setup wizard)."""
	for candidate in (name, _(name, lang=site_language())):
		if frappe.db.exists(doctype, candidate):
			return candidate
	return None


def make_service_items():
	from frappe.utils.nestedset import get_root_of

	lang = site_language()
	settings = frappe.get_single("After-Sales Settings")
	for field, code, item_name, uom in SERVICE_ITEMS:
		if not frappe.db.exists("Item", code):
			frappe.get_doc(
				{
					"doctype": "Item",
					"item_code": code,
					"item_name": _(item_name, lang=lang),
					"description": _(item_name, lang=lang),
					"item_group": _existing("Item Group", "Services") or get_root_of("Item Group"),
					"stock_uom": _existing("UOM", uom) or _existing("UOM", "Nos"),
					"is_stock_item": 0,
					"include_item_in_manufacturing": 0,
					"is_sales_item": 1,
					"is_purchase_item": 0,
				}
			).insert(ignore_permissions=True)
		if not settings.get(field):
			settings.set(field, code)
	# settings saved before these fields existed keep no value for them: their defaults
	for field, default in (("charge_call_out_fee", 1), ("default_settlement", "Pay on Site")):
		if not frappe.db.exists("Singles", {"doctype": "After-Sales Settings", "field": field}):
			settings.set(field, default)
	settings.flags.ignore_permissions = True
	settings.save()


def make_modes_of_payment():
	"""WeChat Pay and Alipay as ERPNext Modes of Payment; each mode the app offers gets each
	company's default bank (or cash) account where it has none, so that finance's confirmation can
	book it. An admin points them at other accounts in ERPNext."""
	lang = site_language()
	for mode, mode_type in MODES_OF_PAYMENT:
		name = _existing("Mode of Payment", mode)
		if not name:
			name = _(mode, lang=lang)
			frappe.get_doc({"doctype": "Mode of Payment", "mode_of_payment": name, "type": mode_type}).insert(
				ignore_permissions=True
			)
		doc = frappe.get_doc("Mode of Payment", name)
		have = {row.company for row in doc.accounts}
		for company in frappe.get_all(
			"Company", fields=["name", "default_bank_account", "default_cash_account"]
		):
			account = (
				company.default_cash_account
				if doc.type == "Cash"
				else company.default_bank_account or company.default_cash_account
			)
			if company.name not in have and account:
				doc.append("accounts", {"company": company.name, "default_account": account})
		if len(doc.accounts) > len(have):
			doc.save(ignore_permissions=True)


def before_uninstall():
	remove_erpnext_permissions()
	# records of Frappe DocTypes that point at the app's DocTypes and would be left dangling
	for workflow in frappe.get_all("Workflow", filters={"document_type": "Service Ticket"}, pluck="name"):
		frappe.delete_doc("Workflow", workflow, force=True, ignore_permissions=True)
	for board in frappe.get_all(
		"Kanban Board", filters={"reference_doctype": "Service Ticket"}, pluck="name"
	):
		frappe.delete_doc("Kanban Board", board, force=True, ignore_permissions=True)


def setup_erpnext_permissions():
	"""Grant the after-sales roles their rights on ERPNext DocTypes the way the Role Permissions
	Manager does (Custom DocPerm, which first copies the DocType's standard rules). Adds only what
	is missing, so an admin's later changes are kept."""
	for role, doctypes in ERPNEXT_PERMISSIONS.items():
		for doctype, rights in doctypes.items():
			if not frappe.db.exists("DocType", doctype):
				continue
			add_permission(doctype, role, 0)
			for right in rights:
				update_permission_property(doctype, role, 0, right, 1, validate=False)
	frappe.clear_cache()


def remove_erpnext_permissions():
	for role, doctypes in ERPNEXT_PERMISSIONS.items():
		frappe.db.delete("Custom DocPerm", {"role": role, "parent": ("in", list(doctypes))})
	frappe.clear_cache()


WORKFLOW_FILES = ("workflow_state.json", "workflow_action_master.json", "workflow.json")


def install_default_workflow():
	"""Create the shipped Service Ticket Workflow, its states and actions where missing, and map the
	states to their categories in After-Sales Settings.

	Not fixtures on purpose: Frappe re-imports fixtures on every migrate, which would undo what an
	admin changed in the Workflow editor. These records are created once and then belong to the
	admin; a state the admin renamed is not brought back.
	"""
	import json

	folder = frappe.get_app_path("aftersales_app", "workflows")
	for filename in WORKFLOW_FILES:
		with open(f"{folder}/{filename}", encoding="utf-8") as f:
			for record in json.load(f):
				if frappe.db.exists(record["doctype"], record["name"]):
					continue
				if record["doctype"] == "Workflow" and frappe.db.exists(
					"Workflow", {"document_type": record["document_type"], "is_active": 1}
				):
					continue  # the site has its own workflow for tickets
				frappe.get_doc(record).insert(ignore_permissions=True)
	set_default_state_categories()
	make_kanban_board()


KANBAN_BOARD = "Service Tickets"
KANBAN_COLOURS = {
	"red": "Red",
	"orange": "Orange",
	"yellow": "Yellow",
	"green": "Green",
	"cyan": "Cyan",
	"blue": "Blue",
	"light-blue": "Light Blue",
	"purple": "Purple",
	"pink": "Pink",
	"gray": "Gray",
	"darkgrey": "Gray",
}


def make_kanban_board():
	"""A kanban board of tickets by state category (Frappe's kanban needs a Select field; with the
	shipped workflow each category holds one state). Categories no state uses are archived.
	Dragging a card does not move a ticket: the status follows the workflow."""
	from frappe.desk.doctype.kanban_board.kanban_board import quick_kanban_board

	from aftersales_app.status import state_map

	if frappe.db.exists("Kanban Board", KANBAN_BOARD):
		return
	board = quick_kanban_board("Service Ticket", KANBAN_BOARD, "status")
	board.fields = frappe.as_json(["customer_name", "workflow_state", "assigned_technician"])
	used = {}
	for row in state_map().values():
		used.setdefault(row.category, row.color)
	for column in board.columns:
		if column.column_name in used:
			column.indicator = KANBAN_COLOURS.get(used[column.column_name] or "", "Gray")
		else:
			column.status = "Archived"
	board.save(ignore_permissions=True)


def set_default_state_categories():
	"""Map the shipped states in After-Sales Settings, leaving rows an admin made alone."""
	import json

	with open(
		frappe.get_app_path("aftersales_app", "workflows", "service_ticket_states.json"), encoding="utf-8"
	) as f:
		defaults = json.load(f)
	settings = frappe.get_single("After-Sales Settings")
	mapped = {row.workflow_state for row in settings.states}
	for row in defaults:
		if row["workflow_state"] not in mapped and frappe.db.exists("Workflow State", row["workflow_state"]):
			settings.append("states", row)
	settings.flags.ignore_permissions = True
	settings.save()
