"""Whitelisted desk actions of customer care: an agent records the customer's answer to a check-up
offer (保养提醒) they took on the phone."""

import frappe

from aftersales_app.api import endpoint
from aftersales_app.core import roles
from aftersales_app.core.roles import only_for
from aftersales_app.customer_care import maintenance_reminders

# translated when a call is refused (roles.only_for)
STAFF_ONLY = "Only customer service records a customer's answer"


@endpoint(methods=["POST"])
@only_for(roles.STAFF, STAFF_ONLY)
def record_check_up_answer(reminder: str, accept) -> dict:
	"""The customer told the agent: accept (opens the check-up ticket) or decline."""
	frappe.get_doc(maintenance_reminders.DOCTYPE, reminder).check_permission("read")
	result = maintenance_reminders.answer(
		reminder, str(accept).lower() in ("1", "true", "yes"), frappe.session.user, channel="Phone"
	)
	return {"name": result.name, "status": result.status, "service_ticket": result.service_ticket}
