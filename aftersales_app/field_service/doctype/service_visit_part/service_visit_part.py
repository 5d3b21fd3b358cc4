# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from aftersales_app.field_service import visits


class ServiceVisitPart(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		is_stock_item: DF.Check
		item_code: DF.Link
		item_name: DF.Data | None
		not_covered: DF.Check
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		qty: DF.Float
		rate: DF.Currency
		uom: DF.Link | None
		warehouse: DF.Link | None
	# end: auto-generated types

	# A row saved, inserted or deleted on its own (REST on the child DocType) is written before its
	# visit is saved, so the visit's own check would compare it with itself: the row checks.
	def validate(self):
		self.guard_filed_visit()

	def on_trash(self):
		self.guard_filed_visit()

	def guard_filed_visit(self):
		if self.parenttype != "Service Visit":
			return
		ticket = visits.return_slip_of(self.parent)
		if ticket:
			visits.refuse_filed_visit(self.parent, ticket, frappe.bold(_("Parts Used")))
