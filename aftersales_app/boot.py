"""What the desk needs at hand without a round trip."""

import frappe

from aftersales_app.core import roles
from aftersales_app.notifications.events import EVENTS
from aftersales_app.tickets import status


def boot_session(bootinfo):
	"""Colour, icon and category of each ticket state, for list, kanban and form indicators; the
	categories and role sets the desk scripts ask about (one vocabulary with the server's); the
	label of each event the outbox names."""
	if frappe.session.user == "Guest":
		return
	if frappe.has_permission("After-Sales Message", "read"):
		bootinfo.aftersales_events = {key: event.label for key, event in EVENTS.items()}
	if not frappe.has_permission("Service Ticket", "read"):
		return

	bootinfo.aftersales_states = status.state_map()
	bootinfo.aftersales = {**status.boot_info(), "roles": roles.boot_info()}
