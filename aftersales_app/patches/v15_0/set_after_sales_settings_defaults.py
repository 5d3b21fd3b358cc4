import frappe

from aftersales_app.setup.install import set_settings_defaults


def execute():
	"""Settings the app's own saves stored empty (0) before their defaults were applied take their
	defaults; the app read those empty values as the defaults already, so nothing behaves
	differently, but the form now shows what applies."""
	frappe.reload_doc("tickets", "doctype", "after_sales_settings")
	set_settings_defaults(also_empty=True)
