"""/survey: the customer answers a satisfaction survey, through the link's one-time token (no login)
or signed in for one of their tickets. A used, expired or unknown link shows the same notice. The
answer itself is aftersales_app.api.portal.answer_survey."""

import frappe
from frappe import _

from aftersales_app.core.permissions import portal_customers
from aftersales_app.customer_care import surveys
from aftersales_app.portal import pages, token_pages

no_cache = 1


def get_context(context):
	token_pages.no_referrer()
	token = frappe.form_dict.token if isinstance(frappe.form_dict.token, str) else ""
	ticket = frappe.form_dict.ticket if isinstance(frappe.form_dict.ticket, str) else ""
	name = None
	if token:
		name = surveys.by_token(token[:200])
	elif ticket and portal_customers(frappe.session.user) and frappe.db.exists("Service Ticket", ticket):
		if frappe.has_permission("Service Ticket", "read", doc=ticket):
			name = surveys.open_survey_of(ticket)
	survey = (
		frappe.db.get_value("Service Survey", name, ["service_ticket", "customer_name"], as_dict=True)
		if name
		else None
	)
	context.survey = survey
	context.token = token[:200] if name and token else ""
	context.ticket = survey.service_ticket if survey and not token else ""
	context.title = _("How Did We Do?")
	context.no_breadcrumbs = True
	context.messages = pages.js_messages()
