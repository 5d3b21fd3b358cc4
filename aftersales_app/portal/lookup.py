"""The guest lookup: a ticket's number and the phone on it give its progress, nothing else. The
limits on trying live in aftersales_app.guest_limits."""

import re

import frappe

from aftersales_app.portal.display import next_step, state_display, technician_name, timeline


def normalise_phone(value: str | None) -> str:
	"""Digits only, without China's country code, so '+86 138-0000-0001' matches '13800000001'."""
	digits = re.sub(r"\D", "", value or "")
	if digits.startswith("0086"):
		digits = digits[4:]
	elif digits.startswith("86") and len(digits) == 13:
		digits = digits[2:]
	return digits


def find_ticket_by_number_and_phone(ticket: str, phone: str) -> frappe._dict | None:
	"""The one read of the portal that bypasses permissions, by necessity: a guest has no rights on
	any ticket, and the ticket's number together with the phone on it is the credential. Both are
	checked here, and only the fields a guest may see leave this function. A wrong pair and a
	missing ticket both give None."""
	wanted = normalise_phone(phone)
	if not ticket or len(wanted) < 5:
		return None
	row = frappe.db.get_value(
		"Service Ticket",
		{"name": ticket.strip()},
		["name", "workflow_state", "status", "contact_phone", "assigned_technician"],
		as_dict=True,
	)
	if not row or not row.contact_phone or normalise_phone(row.contact_phone) != wanted:
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
