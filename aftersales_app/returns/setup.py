"""What returns and exchanges need from ERPNext: a warehouse the returned goods are received into,
apart from saleable stock."""

import frappe
from frappe import _

from aftersales_app.setup.language import site_language

RETURNS_WAREHOUSE = "Returns Warehouse"


def make_returns_warehouse():
	"""The default company's returns warehouse, under its root warehouse, set in After-Sales
	Settings when the setting is empty (an admin's choice is kept)."""
	if frappe.db.get_single_value("After-Sales Settings", "returns_warehouse"):
		return
	company = frappe.defaults.get_global_default("company")
	if not company:
		return  # before ERPNext's setup wizard: after_setup_wizard makes it
	name = _(RETURNS_WAREHOUSE, lang=site_language())
	warehouse = frappe.db.get_value("Warehouse", {"warehouse_name": name, "company": company})
	if not warehouse:
		parent = frappe.db.get_value(
			"Warehouse", {"company": company, "is_group": 1, "parent_warehouse": ("is", "not set")}
		)
		warehouse = (
			frappe.get_doc(
				{
					"doctype": "Warehouse",
					"warehouse_name": name,
					"company": company,
					"parent_warehouse": parent,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	frappe.db.set_single_value("After-Sales Settings", "returns_warehouse", warehouse)
