"""The customer tag rules After-Sales Settings starts with, their tags named in the site's
language (高频报修, 流失风险, 高价值客户 on a Chinese site)."""

import frappe
from frappe import _

from aftersales_app.customer_care.tags import DEFAULT_RULES
from aftersales_app.setup.language import site_language


def make_customer_tag_rules():
	"""Once: when the table is empty and was never filled (an admin who removed every rule keeps
	their choice, since this runs only from install, the set-up wizard and its patch)."""
	settings = frappe.get_single("After-Sales Settings")
	if settings.customer_tag_rules:
		return
	lang = site_language()
	for tag, rule, threshold, months in DEFAULT_RULES:
		name = _(tag, lang=lang)
		if not frappe.db.exists("Tag", name):
			frappe.get_doc({"doctype": "Tag", "name": name}).insert(ignore_permissions=True)
		settings.append(
			"customer_tag_rules", {"tag": name, "rule": rule, "threshold": threshold, "months": months}
		)
	settings.flags.ignore_validate = True
	settings.save(ignore_permissions=True)
