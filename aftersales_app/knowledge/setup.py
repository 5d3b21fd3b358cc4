"""The knowledge base's set-up: the app's default Help Category (aftersales_app.knowledge.articles, which
also makes it when first needed) and the index of existing articles. Its fields on Help Article
are the app's custom fields like any other (aftersales_app.setup.custom_fields: made where
missing, then the admin's)."""

import frappe
from frappe import _

from aftersales_app.knowledge.articles import make_default_category, reindex_all
from aftersales_app.setup.custom_fields import make_custom_fields


def make_knowledge_base():
	"""Everything the knowledge base needs on a site: fields, the index, and the default category
	(once the set-up wizard has chosen the site's language; until then the first article made from
	a ticket, or the wizard itself, makes it)."""
	make_custom_fields()
	if frappe.is_setup_complete():
		make_default_category()
	frappe.clear_cache(doctype="Help Article")
	reindex_all()
