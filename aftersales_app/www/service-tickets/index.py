"""/service-tickets: the signed-in customer's tickets, with search and a status filter."""

import frappe
from frappe import _

from aftersales_app import portal
from aftersales_app.api.portal import get_my_tickets
from aftersales_app.permissions import portal_customers

no_cache = 1


def get_context(context):
	portal.require_login("/service-tickets")
	if not frappe.has_permission("Service Ticket", "read"):
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	search = portal.clean_text(frappe.form_dict.q)
	status = frappe.form_dict.status or None
	options = portal.status_options()
	if status not in {o.value for o in options}:
		status = None
	context.tickets = get_my_tickets(search=search, status=status, page_length=50)
	for ticket in context.tickets:
		ticket.updated = portal.when(ticket.modified)
	context.search, context.status, context.status_options = search, status, options
	context.can_submit = bool(portal_customers(frappe.session.user))
	context.title = _("My Service Tickets")
	context.show_sidebar = True
	context.no_breadcrumbs = True
	context.messages = portal.js_messages()
