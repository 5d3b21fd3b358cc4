# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ServiceTicketStatusLog(Document):
	pass


def on_doctype_update():
	"""Composite indexes for the ticket timeline and the time-in-state reports."""
	import frappe

	frappe.db.add_index("Service Ticket Status Log", ["ticket", "changed_on"])
	frappe.db.add_index("Service Ticket Status Log", ["from_state", "changed_on"])
	frappe.db.add_index("Service Ticket Status Log", ["changed_on"])
