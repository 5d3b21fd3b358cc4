"""The guest lookup: a ticket's number and the phone on it give its progress, nothing else. Both are
read in their one spelling (aftersales_app.core.identifiers); the limits on trying live in
aftersales_app.core.guest_limits."""

import frappe

from aftersales_app.core import guest_limits, identifiers
from aftersales_app.portal.display import next_step, state_display, technician_name, timeline


def find_ticket_by_number_and_phone(ticket: str, phone: str) -> frappe._dict | None:
	"""The one read of the portal that bypasses permissions, by necessity: a guest has no rights on
	any ticket, and the ticket's number together with the phone on it is the credential. Both are
	checked here, and only the fields a guest may see leave this function. A wrong pair, a missing
	ticket and a number or phone that is not shaped like one all give None; the database is read
	with the canonical number only, and the row must carry exactly that name (the collation would
	match other spellings)."""
	number, wanted = identifiers.ticket_number(ticket), identifiers.phone_number(phone)
	if not number or not wanted:
		return None
	row = frappe.db.get_value(
		"Service Ticket",
		{"name": number},
		["name", "workflow_state", "status", "contact_phone", "assigned_technician"],
		as_dict=True,
	)
	if not row or row.name != number:
		return None
	guest_limits.count_phone_check(number)
	if not row.contact_phone or identifiers.phone_number(row.contact_phone) != wanted:
		return None
	return frappe._dict(
		name=row.name,
		workflow_state=row.workflow_state,
		status=row.status,
		assigned_technician=row.assigned_technician,
	)


def guest_view(ticket: frappe._dict) -> dict:
	"""What a guest is shown: number, status, timeline (state and time), next step and the
	technician's first name. No address, amounts, customer or contact."""
	state = state_display(ticket.workflow_state, ticket.status)
	return {
		"found": 1,
		"name": ticket.name,
		"state": state,
		"timeline": [
			{
				k: row[k]
				for k in ("state", "label", "category", "category_label", "color", "icon", "changed_on")
			}
			for row in timeline(ticket.name)
		],
		"next_step": next_step(state.category),
		"technician": technician_name(ticket.assigned_technician, first_only=True),
	}
