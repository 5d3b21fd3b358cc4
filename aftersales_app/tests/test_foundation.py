"""The foundation as a user of the site sees it: roles, the workspace, translations."""

import pytest

import frappe
from frappe.translate import load_lang

from aftersales_app.core.roles import APP_ROLES as AFTERSALES_ROLES
from aftersales_app.tests import world
from aftersales_app.tests.utils import make_ticket


def test_app_requires_erpnext_and_is_installed():
	hooks = frappe.get_hooks(app_name="aftersales_app")
	assert "frappe/erpnext" in hooks.required_apps
	installed = frappe.get_installed_apps()
	assert installed.index("erpnext") < installed.index("aftersales_app")
	modules = frappe.get_module_list("aftersales_app")
	assert modules[0] == "Tickets" and len(modules) == 7
	for module in modules:
		assert frappe.db.get_value("Module Def", module, "app_name") == "aftersales_app", module
	assert not frappe.db.exists("Module Def", "Aftersales App")  # the scaffold's name is gone


def test_roles_of_the_brief_exist_with_desk_access():
	for role in AFTERSALES_ROLES:
		assert frappe.db.get_value("Role", role, "desk_access") == 1, role
	# The brief's other roles are ERPNext's own and must not be redefined by the app.
	assert frappe.db.exists("Role", "Accounts User")
	assert frappe.db.exists("Role", "Customer")


def test_workspace_is_in_the_sidebar_for_after_sales_roles():
	ws = frappe.get_doc("Workspace", "After-Sales")
	assert ws.public == 1 and ws.is_hidden == 0
	assert ws.module == "Tickets"
	assert {"Service Technician", "Service Skill"} <= {
		link.link_to for link in frappe.get_doc("Workspace", "Field Service").links if link.type == "Link"
	}
	assert set(AFTERSALES_ROLES) <= {r.role for r in ws.roles}

	from frappe.desk.desktop import get_workspace_sidebar_items

	frappe.set_user(world.AGENT)
	assert "After-Sales" in [p.name for p in get_workspace_sidebar_items()["pages"]]


def test_workspace_is_hidden_from_users_without_an_after_sales_role():
	from frappe.desk.desktop import get_workspace_sidebar_items

	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": "stock.only@aftersales-tests.example.com",
			"first_name": "Stock",
			"send_welcome_email": 0,
			"roles": [{"role": "Stock User"}],
		}
	).insert(ignore_permissions=True)
	frappe.set_user(user.name)
	assert "After-Sales" not in [p.name for p in get_workspace_sidebar_items()["pages"]]


def test_names_read_in_chinese_and_ticket_words_do_not_change_erpnexts():
	zh = load_lang("zh", apps=["frappe", "erpnext", "aftersales_app"])
	assert zh["After-Sales"] == "售后服务"
	assert zh["Service Technician"] == "维修工程师"
	assert zh["Service Ticket"] == "售后工单"
	for role in AFTERSALES_ROLES:
		assert zh.get(role), role
	# A ticket's "Open" is 待处理, through the DocType context the desk passes ...
	assert zh["Open:Service Ticket"] == "待处理"
	# ... while ERPNext's own "Open" and "Purchase Invoice" keep their words.
	assert zh["Open"] == load_lang("zh", apps=["frappe", "erpnext"])["Open"]
	assert zh["Purchase Invoice"] == "采购费用清单"


def test_agent_registers_customers_and_technician_only_reads_them():
	frappe.set_user(world.AGENT)
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": "电话登记客户",
			"customer_type": "Individual",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
			"territory": world.EAST,
		}
	).insert()
	assert frappe.has_permission("Serial No", "read")
	assert not frappe.has_permission("Serial No", "write")

	frappe.set_user(world.TECH)
	technician_view = frappe.get_doc("Customer", customer.name)
	# a technician reads the customers of their own tickets only
	assert not technician_view.has_permission("read")
	frappe.set_user("Administrator")
	make_ticket(customer=customer.name, assigned_technician=world.TECH)
	frappe.set_user(world.TECH)
	assert technician_view.has_permission("read")
	technician_view.customer_name = "改名"
	with pytest.raises(frappe.PermissionError):
		technician_view.save()


def test_one_vocabulary_of_categories_and_roles_for_server_desk_and_settings():
	"""The categories live in aftersales_app.tickets.status alone: the ticket's `status` options, the
	settings' category options and the indicator colours agree with it, and the desk scripts read
	them (and the role sets) from boot instead of naming them."""
	import re
	from pathlib import Path

	from aftersales_app import boot
	from aftersales_app.core import roles
	from aftersales_app.tickets import status
	from aftersales_app.tickets.setup.kanban import KANBAN_COLOURS

	def options(doctype, field):
		return [o for o in frappe.get_meta(doctype).get_field(field).options.split("\n") if o]

	assert options("Service Ticket", "status") == list(status.CATEGORIES)
	assert options("After-Sales State", "category") == list(status.CATEGORIES)
	assert list(status.DEFAULT_COLOURS) == list(status.CATEGORIES)
	colours = set(options("After-Sales State", "indicator_color"))
	assert set(status.DEFAULT_COLOURS.values()) <= colours <= set(KANBAN_COLOURS)

	frappe.set_user(world.AGENT)
	try:
		info = frappe._dict()
		boot.boot_session(info)
	finally:
		frappe.set_user("Administrator")
	assert info.aftersales["categories"]["IN_PROGRESS"] == status.IN_PROGRESS
	assert set(info.aftersales["categories"].values()) == set(status.CATEGORIES)
	assert all(getattr(status, name) == value for name, value in info.aftersales["categories"].items())
	assert info.aftersales["roles"]["dispatchers"] == sorted(roles.DISPATCHERS)

	package = Path(frappe.get_app_path("aftersales_app"))
	desk = [*package.glob("aftersales_app/doctype/*/*.js"), *package.glob("public/js/*.bundle.js")]
	# ticket categories in the scripts of tickets and visits (a payment has a status "Rejected" of
	# its own), role names in every desk script
	ticket_scripts = [p for p in desk if p.parent.name in ("service_ticket", "service_visit", "js")]
	category = re.compile("[\"'](" + "|".join(re.escape(c) for c in status.CATEGORIES) + ")[\"']")
	staff = (roles.MANAGER, roles.AGENT, roles.ACCOUNTS_USER, roles.ACCOUNTS_MANAGER, roles.SYSTEM_MANAGER)
	role = re.compile("[\"'](" + "|".join(re.escape(r) for r in staff) + ")[\"']")
	for script in ticket_scripts:
		found = category.search(script.read_text(encoding="utf-8"))
		assert not found, (script.name, found.group(0))
	for script in desk:
		found = role.search(script.read_text(encoding="utf-8"))
		assert not found, (script.name, found.group(0))


def test_every_python_path_in_hooks_resolves():
	"""A hook naming a function that is gone fails only when its moment comes (the set-up wizard of
	a new site, a daily job): every dotted path hooks.py gives must import now."""
	from aftersales_app import hooks

	def paths(value):
		if isinstance(value, str):
			if value.startswith("aftersales_app.") and not value.endswith((".js", ".css", ".html")):
				yield value
		elif isinstance(value, dict):
			for item in value.values():
				yield from paths(item)
		elif isinstance(value, list | tuple):
			for item in value:
				yield from paths(item)

	found = [path for name in dir(hooks) if not name.startswith("_") for path in paths(getattr(hooks, name))]
	assert "aftersales_app.setup.install.after_setup_wizard" in found
	missing = []
	for path in found:
		try:
			frappe.get_attr(path)
		except (ImportError, AttributeError):
			missing.append(path)
	assert missing == []
