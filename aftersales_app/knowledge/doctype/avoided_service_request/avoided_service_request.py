# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class AvoidedServiceRequest(Document):
	"""A customer's "this solved my problem" on a knowledge base article, written by the app alone
	(aftersales_app.knowledge.articles.count_avoided_request): one per user and article."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		article: DF.Link
		counted_on: DF.Datetime | None
		customer: DF.Link | None
		user: DF.Link
	# end: auto-generated types

	def validate(self):
		if not self.flags.app_action:
			frappe.throw(_("Avoided requests are counted by the portal, not by hand"), frappe.PermissionError)


def on_doctype_update():
	# one count per user and article, even for two clicks at once
	frappe.db.add_unique("Avoided Service Request", ["article", "user"])
