"""/ticket-lookup: anyone looks up one ticket with its number and the phone on it (the QR code on the
job sheet links here with the number filled in). The lookup itself is the rate-limited
aftersales_app.api.portal.lookup_ticket."""

import frappe
from frappe import _

from aftersales_app.core import identifiers
from aftersales_app.portal import pages

no_cache = 1


def get_context(context):
	# the number in its one spelling, or nothing when what the link carries is no ticket number
	context.ticket = identifiers.ticket_number(frappe.form_dict.ticket) or ""
	context.title = _("Look Up a Service Ticket")
	context.no_breadcrumbs = True
	context.messages = pages.js_messages()
