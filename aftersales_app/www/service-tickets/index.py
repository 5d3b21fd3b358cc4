"""/service-tickets: the signed-in customer's tickets, with search and a status filter."""

import frappe
from frappe import _

from aftersales_app.api.portal import get_my_tickets
from aftersales_app.core.permissions import portal_customers
from aftersales_app.core.text import trimmed
from aftersales_app.portal import display, pages

no_cache = 1


def get_context(context):
	pages.require_login("/service-tickets")
	if not frappe.has_permission("Service Ticket", "read"):
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	search = trimmed(frappe.form_dict.q)
	status = frappe.form_dict.status or None
	options = pages.status_options()
	if status not in {o.value for o in options}:
		status = None
	context.tickets = get_my_tickets(search=search, status=status, page_length=50)
	for ticket in context.tickets:
		ticket.updated = display.when(ticket.modified)
	context.search, context.status, context.status_options = search, status, options
	context.can_submit = bool(portal_customers(frappe.session.user))
	context.title = _("My Service Tickets")
	context.show_sidebar = True
	context.no_breadcrumbs = True
	context.messages = pages.js_messages()
