"""Tickets closed, rejected or cancelled before the app closed their ToDos kept them open in the
technicians' "assigned to me" lists: closed now, as a ticket reaching those states closes them."""

import frappe
from frappe.desk.form.assign_to import close_all_assignments
from frappe.query_builder import DocType

from aftersales_app.tickets.status import FINAL_CATEGORIES


def execute():
	ticket, todo = DocType("Service Ticket"), DocType("ToDo")
	names = (
		frappe.qb.from_(todo)
		.join(ticket)
		.on(ticket.name == todo.reference_name)
		.select(ticket.name)
		.distinct()
		.where(
			(todo.reference_type == "Service Ticket")
			& (todo.status == "Open")
			& ticket.status.isin(FINAL_CATEGORIES)
		)
		.run(pluck=True)
	)
	for name in names:
		close_all_assignments("Service Ticket", name, ignore_permissions=True)
