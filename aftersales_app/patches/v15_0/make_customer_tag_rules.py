import frappe

from aftersales_app.customer_care.setup import make_customer_tag_rules
from aftersales_app.setup.install import set_settings_defaults


def execute():
	"""The default customer tag rules on an existing site (the tags follow in the background)."""
	frappe.reload_doc("customer_care", "doctype", "after_sales_customer_tag_rule")
	frappe.reload_doc("tickets", "doctype", "after_sales_settings")
	set_settings_defaults()  # before the save below stores the new fields
	if frappe.is_setup_complete():
		make_customer_tag_rules()
