"""/service-tickets/<name>: one ticket as its customer sees it, with confirm / dispute and photo
upload (routed here by website_route_rules)."""

import frappe
from frappe import _

from aftersales_app import portal
from aftersales_app.api.portal import get_ticket

no_cache = 1


def get_context(context):
	name = frappe.form_dict.name
	portal.require_login(f"/service-tickets/{name or ''}")
	ticket = frappe._dict(get_ticket(name))  # refuses another customer's ticket (403 page)
	ticket.opened = portal.when(ticket.opened_on)
	ticket.updated = portal.when(ticket.modified)
	for row in ticket.timeline:
		row.when = portal.when(row.changed_on)
	for visit in ticket.visits:
		visit.start, visit.end = portal.when(visit.scheduled_start), portal.when(visit.scheduled_end)
		visit.done = portal.when(visit.check_out)
	context.ticket = ticket
	context.title = ticket.name
	context.show_sidebar = True
	context.parents = [{"route": "/service-tickets", "title": _("My Service Tickets")}]
	context.messages = portal.js_messages()
