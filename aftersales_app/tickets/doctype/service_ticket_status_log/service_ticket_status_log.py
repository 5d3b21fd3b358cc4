# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class ServiceTicketStatusLog(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Data | None
		changed_by: DF.Link | None
		changed_on: DF.Datetime
		from_category: DF.Data | None
		from_state: DF.Link | None
		is_reopen: DF.Check
		seconds_in_previous: DF.Int
		ticket: DF.Link
		to_category: DF.Data | None
		to_state: DF.Link

	# end: auto-generated types
	def validate(self):
		"""The ticket's history is written by the ticket's own save (log_state_change), never by a
		request: no role has write rights on it, and Administrator's REST calls are refused too."""
		if not self.flags.app_action:
			frappe.throw(
				_("The status log is written by the ticket's workflow, not by hand"), frappe.PermissionError
			)

	def on_trash(self):
		if not self.flags.app_action and not frappe.flags.in_uninstall:
			frappe.throw(
				_("The status log is written by the ticket's workflow, not by hand"), frappe.PermissionError
			)

	pass


def on_doctype_update():
	"""Composite indexes for the ticket timeline and the time-in-state reports."""
	import frappe

	frappe.db.add_index("Service Ticket Status Log", ["ticket", "changed_on"])
	frappe.db.add_index("Service Ticket Status Log", ["from_state", "changed_on"])
	frappe.db.add_index("Service Ticket Status Log", ["changed_on"])
