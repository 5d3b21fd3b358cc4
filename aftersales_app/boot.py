"""What the desk needs at hand without a round trip."""

import frappe


def boot_session(bootinfo):
	"""Colour, icon and category of each ticket state, for list, kanban and form indicators."""
	if frappe.session.user == "Guest" or not frappe.has_permission("Service Ticket", "read"):
		return
	from aftersales_app.status import state_map

	bootinfo.aftersales_states = state_map()
