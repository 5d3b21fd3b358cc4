"""The shipped ticket types and the Issue Priority they default to."""

import frappe
from frappe import _

from aftersales_app.setup.language import site_language

# Ticket types shipped as records (admins edit them freely; names are translated in the desk, so
# they are chosen not to collide with ERPNext's own words such as "Return" or "Maintenance"):
# name, priority level, charge policy, description
TICKET_TYPES = [
	("Repair", "Medium", "Follow Warranty", "Fault repair, on site or in the workshop"),
	("Maintenance Check", "Low", "Follow Warranty", "Scheduled maintenance and check-ups"),
	("Product Return", "Medium", "Always Free", "Return of a product for a refund"),
	("Product Exchange", "Medium", "Follow Warranty", "Exchange of a faulty product for a new one"),
	("Installation", "Medium", "Always Free", "Installation and commissioning of a new product"),
	("Usage Consultation", "Low", "Always Free", "Questions on use, no visit needed"),
	("Service Complaint", "Urgent", "Always Free", "Complaint about a product or the service"),
]

# ERPNext's setup wizard creates Low / Medium / High under their names in the site's language;
# the app adds Urgent the same way.
PRIORITY_LEVELS = ["Low", "Medium", "High", "Urgent"]


def get_priority(level: str) -> str | None:
	"""The Issue Priority of a level, under its English or its translated name."""
	for name in (level, _(level, lang=site_language())):
		if frappe.db.exists("Issue Priority", name):
			return name
	return None


def make_priorities():
	if not frappe.db.exists("Issue Priority", {}):
		return  # before ERPNext's setup wizard: it creates the first ones
	if not get_priority("Urgent"):
		name = _("Urgent", lang=site_language())
		frappe.get_doc({"doctype": "Issue Priority", "name": name, "description": name}).insert(
			ignore_permissions=True
		)


def make_ticket_types():
	"""Create the shipped ticket types that are missing; fill a missing default priority. An admin's
	changes to existing types are kept."""
	make_priorities()
	for name, level, policy, description in TICKET_TYPES:
		priority = get_priority(level)
		if not frappe.db.exists("Service Ticket Type", name):
			frappe.get_doc(
				{
					"doctype": "Service Ticket Type",
					"type_name": name,
					"default_priority": priority,
					"charge_policy": policy,
					"description": _(description, lang=site_language()),
				}
			).insert(ignore_permissions=True)
		elif priority and not frappe.db.get_value("Service Ticket Type", name, "default_priority"):
			frappe.db.set_value("Service Ticket Type", name, "default_priority", priority)
