"""Whitelisted: customer service records a customer's dispute of the resolution for them, with
what is still wrong (the customer disputes on the portal: aftersales_app.api.portal). The
workflow's own dispute action carries no reason, so a state written without it is refused
(aftersales_app.tickets.status.check_move)."""

import frappe

from aftersales_app.api import endpoint
from aftersales_app.core import roles
from aftersales_app.core.roles import only_for
from aftersales_app.portal import resolution


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, "Only customer service records a customer's dispute")
def dispute_for_customer(ticket: str, reason: str) -> dict:
	"""The customer told customer service the problem is not solved: the reason is kept on the
	ticket and the ticket goes back to its technician (logged as a reopening)."""
	frappe.has_permission("Service Ticket", "write", ticket, throw=True)
	doc = resolution.dispute_resolution(frappe.get_doc("Service Ticket", ticket), reason)
	return {"name": doc.name, "workflow_state": doc.workflow_state, "status": doc.status}
