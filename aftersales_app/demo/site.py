"""Completes ERPNext's setup wizard without a browser, as ERPNext's own `before_tests` does."""

import os

import frappe
from frappe.utils import getdate

DEFAULT_COMPANY = "售后演示有限公司"
DEFAULT_ABBR = "SHYS"


def complete_setup(language: str | None = None, company: str | None = None, abbr: str | None = None):
	"""Run the setup wizard once: company, currency CNY, country China, fiscal year = calendar year.

	`language` is a language code ("zh", "en"); the wizard itself wants the language's *name*
	("简体中文") and silently ignores a code. Does nothing on a site whose setup is complete.
	"""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	if frappe.is_setup_complete():
		return
	code = language or os.environ.get("SITE_LANGUAGE") or "zh"
	language_name = frappe.db.get_value("Language", code, "language_name") or "English"
	year = getdate().year
	setup_complete(
		{
			"language": language_name,
			"country": "China",
			"timezone": "Asia/Shanghai",
			"currency": "CNY",
			"company_name": company or os.environ.get("DEMO_COMPANY") or DEFAULT_COMPANY,
			"company_abbr": abbr or os.environ.get("DEMO_COMPANY_ABBR") or DEFAULT_ABBR,
			"chart_of_accounts": "Standard",
			"fy_start_date": f"{year}-01-01",
			"fy_end_date": f"{year}-12-31",
			"company_tagline": "After-Sales Service",
			"bank_account": "",
			"setup_demo": 0,
		}
	)
	frappe.db.commit()
	if not frappe.is_setup_complete():
		frappe.throw("ERPNext's setup wizard did not complete; see the site's error log")
