"""Whitelisted actions of the Service Visit form: check in, check out, issue parts, return slip.

Each checks that the user may edit the visit (a technician only their own visits and the visits
of their tickets) before the flow in aftersales_app.field_service.visits does the work."""

import frappe

from aftersales_app.api import endpoint
from aftersales_app.field_service import visits


def _visit_for_edit(visit: str):
	doc = frappe.get_doc("Service Visit", visit)
	doc.check_permission("write")
	return doc


@endpoint(methods=["POST"])
def check_in(visit: str) -> dict:
	"""Stamp the technician's arrival at the customer with the server's time."""
	doc = visits.check_in(_visit_for_edit(visit))
	return {"name": doc.name, "check_in": doc.check_in}


@endpoint(methods=["POST"])
def check_out(visit: str) -> dict:
	"""Stamp the technician's departure with the server's time (after check in)."""
	doc = visits.check_out(_visit_for_edit(visit))
	return {"name": doc.name, "check_out": doc.check_out, "labour_hours": doc.labour_hours}


@endpoint(methods=["POST"])
def make_stock_entry(visit: str) -> dict:
	"""Issue the visit's stock parts with a submitted Stock Entry (material issue); a second issue
	of the same visit is refused, naming the entry that issued them."""
	entry = visits.make_stock_entry(_visit_for_edit(visit))
	return {"stock_entry": entry.name}


@endpoint(methods=["POST"])
def file_return_slip(visit: str) -> dict:
	"""File the return slip of the ticket's last visit: the resolution goes onto the ticket, which
	moves on to the customer's confirmation."""
	doc = _visit_for_edit(visit)
	frappe.has_permission("Service Ticket", "write", doc.ticket, throw=True)
	ticket = visits.file_return_slip(doc)
	return {"ticket": ticket.name, "workflow_state": ticket.workflow_state, "status": ticket.status}
