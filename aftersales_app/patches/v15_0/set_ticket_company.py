import frappe


def execute():
	"""Tickets made before they carried a company: the site's default company, the one their charge
	invoices and stock entries used (one update)."""
	frappe.reload_doc("tickets", "doctype", "service_ticket")
	company = frappe.defaults.get_global_default("company")
	if not company:
		return
	ticket = frappe.qb.DocType("Service Ticket")
	frappe.qb.update(ticket).set(ticket.company, company).where(
		ticket.company.isnull() | (ticket.company == "")
	).run()
