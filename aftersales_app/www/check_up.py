"""/check-up: the customer accepts or declines a check-up offer (保养提醒), through the link's
one-time token (no login) or signed in (their customers' open offers). A used, expired or unknown
link shows the same notice. The answer itself is aftersales_app.api.portal.answer_check_up."""

import frappe
from frappe import _

from aftersales_app.core.permissions import portal_customers
from aftersales_app.customer_care import maintenance_reminders
from aftersales_app.portal import pages, token_pages

no_cache = 1

FIELDS = ["name", "customer_name", "item_name", "serial_no", "due_date"]


def get_context(context):
	token_pages.no_referrer()
	token = frappe.form_dict.token if isinstance(frappe.form_dict.token, str) else ""
	names = []
	if token:
		name = maintenance_reminders.by_token(token[:200])
		names = [name] if name else []
	else:
		customers = portal_customers(frappe.session.user)
		if customers:
			names = maintenance_reminders.open_offers_of(customers)
	# get_all on purpose: customers have no desk rights on reminders; `names` are the link's own
	# offer or the offers of the session user's customers, which is the whole permission check
	context.offers = (
		frappe.get_all(maintenance_reminders.DOCTYPE, filters={"name": ("in", names)}, fields=FIELDS)
		if names
		else []
	)
	context.token = token[:200] if names and token else ""
	context.title = _("Check-up Offer")
	context.no_breadcrumbs = True
	context.messages = pages.js_messages()
