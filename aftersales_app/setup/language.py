"""Names of ERPNext's records in the site's language: its setup wizard creates item groups, units,
priorities and modes of payment under translated names."""

import frappe
from frappe import _

from aftersales_app.core.text import site_language


def existing(doctype: str, name: str) -> str | None:
	"""A record under its English or its site-language name (ERPNext names fixtures in the
	language of its setup wizard)."""
	for candidate in (name, _(name, lang=site_language())):
		if frappe.db.exists(doctype, candidate):
			return candidate
	return None


# What the desk formats with: Frappe reads these from the site's defaults, which System Settings
# writes when one of them changes on save.
DESK_FORMATS = ("date_format", "time_format", "number_format", "first_day_of_the_week", "time_zone")


def sync_desk_formats():
	"""The desk's defaults as System Settings has them. A site whose setup wizard wrote System
	Settings after the defaults were made kept Frappe's install default (dd-mm-yyyy) in the desk
	while System Settings said yyyy-mm-dd, the format of China the wizard chose: dates on a
	Chinese site read 08-12-2026."""
	for field in DESK_FORMATS:
		value = frappe.db.get_single_value("System Settings", field)
		if value and frappe.db.get_default(field) != value:
			frappe.db.set_default(field, value)
			frappe.cache.delete_value("system_settings")
