# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

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
	pass


def on_doctype_update():
	"""Composite indexes for the ticket timeline and the time-in-state reports."""
	import frappe

	frappe.db.add_index("Service Ticket Status Log", ["ticket", "changed_on"])
	frappe.db.add_index("Service Ticket Status Log", ["from_state", "changed_on"])
	frappe.db.add_index("Service Ticket Status Log", ["changed_on"])
