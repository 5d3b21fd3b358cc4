"""/service-tickets/new: a customer's new service request about one of their products, with photos."""

import frappe
from frappe import _

from aftersales_app.api.portal import get_request_options
from aftersales_app.portal import pages

no_cache = 1


def get_context(context):
	pages.require_login("/service-tickets/new")
	context.options = frappe._dict(get_request_options())  # refuses users who act for no customer
	context.preselect = frappe.form_dict.serial_no or ""
	context.title = _("New Service Request")
	context.show_sidebar = True
	context.parents = [{"route": "/service-tickets", "title": _("My Service Tickets")}]
	context.messages = pages.js_messages()
