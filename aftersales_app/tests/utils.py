"""Factories shared by the test suites: small, explicit, and built on the demo data."""

import frappe
from frappe.utils import add_days, nowdate


def make_ticket(**values) -> "frappe.Document":
	"""A saved Service Ticket of a demo customer; pass fields to override."""
	doc = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": "空调不制冷",
			"customer": "上海明德贸易有限公司",
			"ticket_type": "Repair",
			"description": "<p>开机后不出冷风</p>",
			**values,
		}
	)
	return doc.insert()


def make_sales_invoice(customer: str, item_code: str, posting_date=None, submit: bool = True):
	"""A submitted sales invoice: the customer's proof of purchase."""
	company = frappe.defaults.get_global_default("company")
	invoice = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"customer": customer,
			"company": company,
			"set_posting_time": 1,
			"posting_date": posting_date or nowdate(),
			"due_date": add_days(posting_date or nowdate(), 30),
			"items": [{"item_code": item_code, "qty": 1, "rate": 3000}],
		}
	).insert(ignore_permissions=True)
	if submit:
		invoice.submit()
	return invoice


def force_state(ticket, category: str):
	"""Put a ticket straight into the (first) state of a category, as a test set-up shortcut that
	skips the workflow; the app itself only moves tickets through workflow actions."""
	from aftersales_app.status import states_of

	state = states_of(category)[0]
	frappe.db.set_value(
		"Service Ticket", ticket.name, {"workflow_state": state, "status": category}, update_modified=False
	)
	ticket.reload()
	return ticket


def make_technician(email: str, skills=(), territories=(), capacity: int = 5, **values):
	"""A technician (and its user) for dispatch tests."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"roles": [{"role": "Service Technician"}],
			}
		).insert(ignore_permissions=True)
	return frappe.get_doc(
		{
			"doctype": "Service Technician",
			"user": email,
			"capacity": capacity,
			"skills": [{"skill": s} for s in skills],
			"territories": [{"territory": t} for t in territories],
			**values,
		}
	).insert(ignore_permissions=True)


def make_dispatch_area(name: str):
	"""A territory, a skill and a ticket type needing that skill: a corner of the site where only
	the technicians a test makes qualify."""
	from frappe.utils.nestedset import get_root_of

	if not frappe.db.exists("Territory", name):
		frappe.get_doc(
			{"doctype": "Territory", "territory_name": name, "parent_territory": get_root_of("Territory")}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Service Skill", name):
		frappe.get_doc({"doctype": "Service Skill", "skill_name": name}).insert(ignore_permissions=True)
	if not frappe.db.exists("Service Ticket Type", name):
		frappe.get_doc({"doctype": "Service Ticket Type", "type_name": name, "required_skill": name}).insert(
			ignore_permissions=True
		)
	return name
