"""/service-tickets/<name>: one ticket as its customer sees it, with confirm / dispute and photo
upload (routed here by website_route_rules)."""

import frappe
from frappe import _

from aftersales_app.api.portal import get_ticket
from aftersales_app.portal import display, pages

no_cache = 1


def get_context(context):
	name = frappe.form_dict.name
	pages.require_login(f"/service-tickets/{name or ''}")
	ticket = frappe._dict(get_ticket(name))  # refuses another customer's ticket (403 page)
	ticket.opened = display.when(ticket.opened_on)
	ticket.updated = display.when(ticket.modified)
	for row in ticket.timeline:
		row.when = display.when(row.changed_on)
	for row in ticket.returns:
		row.status_label = _(row.status, context="Service Return")
		row.type_label = _(row.return_type, context="Service Return")
		for step in row.steps:
			step.label, step.when = _(step.step, context="Service Return Step"), display.when(step.on)
	for visit in ticket.visits:
		visit.start, visit.end = display.when(visit.scheduled_start), display.when(visit.scheduled_end)
		visit.done = display.when(visit.check_out)
	if frappe.form_dict.get("submitted"):  # arriving from the new-request page
		context.submitted_message = _("Your request {0} is submitted: we will tell you of each step").format(
			ticket.name
		)
	context.ticket = ticket
	context.title = ticket.name
	context.show_sidebar = True
	context.parents = [{"route": "/service-tickets", "title": _("My Service Tickets")}]
	context.messages = pages.js_messages()
