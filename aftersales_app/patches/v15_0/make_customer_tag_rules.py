import frappe

from aftersales_app.setup import set_settings_defaults
from aftersales_app.setup.care import make_customer_tag_rules


def execute():
	"""The default customer tag rules on an existing site (the tags follow in the background)."""
	frappe.reload_doc("aftersales_app", "doctype", "after_sales_customer_tag_rule")
	frappe.reload_doc("aftersales_app", "doctype", "after_sales_settings")
	set_settings_defaults()  # before the save below stores the new fields
	if frappe.is_setup_complete():
		make_customer_tag_rules()
