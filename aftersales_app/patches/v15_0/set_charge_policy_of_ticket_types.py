import frappe


def execute():
	"""Billable by Default (a check) became the Charge Policy: billable types follow the warranty,
	the others are free."""
	if not frappe.db.has_column("Service Ticket Type", "billable_default"):
		return
	ticket_type = frappe.qb.DocType("Service Ticket Type")
	(
		frappe.qb.update(ticket_type)
		.set(ticket_type.charge_policy, "Always Free")
		.where(ticket_type.billable_default == 0)
		.run()
	)
