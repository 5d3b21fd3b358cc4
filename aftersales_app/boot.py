"""What the desk needs at hand without a round trip."""

import frappe


def boot_session(bootinfo):
	"""Colour, icon and category of each ticket state, for list, kanban and form indicators; the
	categories and role sets the desk scripts ask about (one vocabulary with the server's)."""
	if frappe.session.user == "Guest" or not frappe.has_permission("Service Ticket", "read"):
		return
	from aftersales_app import roles, status

	bootinfo.aftersales_states = status.state_map()
	bootinfo.aftersales = {**status.boot_info(), "roles": roles.boot_info()}
