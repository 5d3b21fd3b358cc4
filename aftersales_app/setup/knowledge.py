"""The knowledge base's set-up: the app's default Help Category and the index of existing articles
(aftersales_app.knowledge.reindex_all). Its fields on Help Article are the app's custom fields like
any other (aftersales_app.setup.custom_fields: made where missing, then the admin's)."""

import frappe
from frappe import _

from aftersales_app.setup.language import site_language

DEFAULT_CATEGORY_ROUTE = "kb/after-sales"


def make_default_category() -> str:
	"""The app's Help Category, named in the site's language, found again by its route."""
	existing = frappe.db.get_value("Help Category", {"route": DEFAULT_CATEGORY_ROUTE})
	if existing:
		return existing
	lang = site_language()
	name = _("After-Sales Knowledge", lang=lang)
	description = _("Answers to common product problems, written by the after-sales team", lang=lang)
	if frappe.db.exists("Help Category", name):
		return name
	category = frappe.get_doc(
		{
			"doctype": "Help Category",
			"category_name": name,
			"category_description": description,
			"route": DEFAULT_CATEGORY_ROUTE,
		}
	)
	# made by the app on behalf of whoever first needs it (agents may not create categories)
	category.insert(ignore_permissions=True)
	return category.name


def make_knowledge_base():
	"""Everything the knowledge base needs on a site: fields, the index, and the default category
	(once the set-up wizard has chosen the site's language; until then the first article made from
	a ticket, or the wizard itself, makes it)."""
	from aftersales_app.knowledge import reindex_all
	from aftersales_app.setup.custom_fields import make_custom_fields

	make_custom_fields()
	if frappe.is_setup_complete():
		make_default_category()
	frappe.clear_cache(doctype="Help Article")
	reindex_all()
