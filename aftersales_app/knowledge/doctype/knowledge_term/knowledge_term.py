# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class KnowledgeTerm(Document):
	"""One term of one article in the knowledge base's index (aftersales_app.knowledge.articles), written
	in bulk by the app alone."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		article: DF.Link
		term: DF.Data
		weight: DF.Float
	# end: auto-generated types

	def validate(self):
		frappe.throw(_("The knowledge base's index is kept by the app, not by hand"), frappe.PermissionError)


# a search reads the postings of its terms from this index alone: term first, then the article
# and the weight (aftersales_app.knowledge.articles.search names it in its query)
SEARCH_INDEX = "term_article_weight"


def on_doctype_update():
	frappe.db.add_index("Knowledge Term", ["term", "article", "weight"], SEARCH_INDEX)
