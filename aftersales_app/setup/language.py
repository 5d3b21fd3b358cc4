"""Names of ERPNext's records in the site's language: its setup wizard creates item groups, units,
priorities and modes of payment under translated names."""

import frappe
from frappe import _


def site_language() -> str:
	return frappe.db.get_single_value("System Settings", "language") or "en"


def existing(doctype: str, name: str) -> str | None:
	"""A record under its English or its site-language name (ERPNext names fixtures in the
	language of its setup wizard)."""
	for candidate in (name, _(name, lang=site_language())):
		if frappe.db.exists(doctype, candidate):
			return candidate
	return None
