"""Revisits (回访): the call customer service makes to a ticket waiting in Awaiting Revisit. The
revisit record is what closes the ticket: a solved answer takes the workflow's close action (whose
shipped condition asks for it), an unsolved one takes it back to its technician (a reopening).
Tickets waiting longer than After-Sales Settings' *Revisit Within (Days)* are overdue: the
*Overdue Revisits* report lists them by responsible agent."""

import frappe
from frappe.utils import add_days, cint, now_datetime

from aftersales_app.core.app_fields import save_as_app
from aftersales_app.tickets.status import AWAITING_REVISIT, CLOSED, IN_PROGRESS, move_to_category

SOLVED, NOT_SOLVED = "Solved", "Not Solved"


def follow_revisit(revisit):
	"""A reached customer's answer moves the ticket: closed, or back to its technician."""
	if not cint(revisit.reached):
		return None
	ticket = frappe.get_doc("Service Ticket", revisit.service_ticket)
	ticket.revisit_result = SOLVED if revisit.problem_solved == "Yes" else NOT_SOLVED
	ticket = save_as_app(ticket, ignore_permissions=True)
	target = CLOSED if ticket.revisit_result == SOLVED else IN_PROGRESS
	return move_to_category(ticket, target)


def overdue_after() -> int:
	return cint(frappe.db.get_single_value("After-Sales Settings", "revisit_due_days")) or 3


def overdue_query(now=None):
	"""Tickets waiting for their revisit longer than allowed ((status, state_since) is indexed)."""
	ticket = frappe.qb.DocType("Service Ticket")
	limit = add_days(now or now_datetime(), -overdue_after())
	return (
		frappe.qb.from_(ticket)
		.select(
			ticket.name,
			ticket.subject,
			ticket.customer_name,
			ticket.responsible_agent,
			ticket.assigned_technician,
			ticket.state_since,
		)
		.where((ticket.status == AWAITING_REVISIT) & (ticket.state_since <= limit))
		.orderby(ticket.state_since)
	)
