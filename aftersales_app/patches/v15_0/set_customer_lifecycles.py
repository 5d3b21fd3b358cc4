"""Every customer's last service or purchase and lifecycle, from their tickets and submitted sales
invoices (two grouped queries); running it again changes nothing."""

import frappe
from frappe.query_builder.functions import Max

from aftersales_app.customer_care.lifecycle import lifecycle_of


def execute():
	# the Customer fields are made after the patches (after_migrate): make them now
	from aftersales_app.setup.custom_fields import make_custom_fields

	make_custom_fields()
	ticket, invoice = frappe.qb.DocType("Service Ticket"), frappe.qb.DocType("Sales Invoice")
	last: dict[str, object] = {}
	for customer, day in (
		frappe.qb.from_(ticket).select(ticket.customer, Max(ticket.opened_on)).groupby(ticket.customer).run()
	):
		if customer and day:
			last[customer] = frappe.utils.getdate(day)
	for customer, day in (
		frappe.qb.from_(invoice)
		.select(invoice.customer, Max(invoice.posting_date))
		.where((invoice.docstatus == 1) & (invoice.is_return == 0))
		.groupby(invoice.customer)
		.run()
	):
		if customer and day and (customer not in last or frappe.utils.getdate(day) > last[customer]):
			last[customer] = frappe.utils.getdate(day)
	for customer, day in last.items():
		frappe.db.set_value(
			"Customer",
			customer,
			{"aftersales_last_activity": day, "aftersales_lifecycle": lifecycle_of(day)},
			update_modified=False,
		)
