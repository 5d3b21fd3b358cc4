"""ERPNext's Service Level Agreement on Service Ticket, as ERPNext ships it: a default agreement
with a response and a resolution target per priority (urgent 24 h, high 36 h, normal 48 h, low
72 h to resolve), round-the-clock support hours and a Holiday List the admin fills, paused while a
ticket is on hold (or cancelled, rejected), fulfilled once the return slip is filed. Made once;
the admin edits it (hours, holidays, agreements per customer group, territory or condition) in
the desk. The warning and escalation points are After-Sales Settings' (aftersales_app.tickets.escalation)."""

import frappe
from frappe import _
from frappe.utils import getdate

from aftersales_app.setup.language import site_language
from aftersales_app.tickets import status
from aftersales_app.tickets.setup.ticket_types import get_priority

AGREEMENT = "After-Sales Standard Service"
HOLIDAYS = "After-Sales Holidays"
HOUR = 3600
# priority level, response target, resolution target (seconds), default
TARGETS = [
	("Urgent", 2 * HOUR, 24 * HOUR, False),
	("High", 4 * HOUR, 36 * HOUR, False),
	("Medium", 4 * HOUR, 48 * HOUR, True),
	("Low", 8 * HOUR, 72 * HOUR, False),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# the clock stops here (ERPNext adds the time to the targets when the ticket resumes) ...
PAUSED = (status.ON_HOLD, status.REJECTED, status.CANCELLED)
# ... and the resolution is met here: the return slip moves the ticket to the customer
FULFILLED = (
	status.AWAITING_CUSTOMER,
	status.AWAITING_PAYMENT,
	status.PAYMENT_SUBMITTED,
	status.AWAITING_REVISIT,
	status.CLOSED,
)


def make_service_level_agreement():
	"""Track agreements (ERPNext's Support Settings switch) and make the default agreement of
	Service Ticket when it has none. Needs the priorities of ERPNext's setup wizard."""
	if not frappe.db.exists("Issue Priority", {}) or not all(get_priority(t[0]) for t in TARGETS):
		return
	frappe.db.set_single_value("Support Settings", "track_service_level_agreement", 1)
	if frappe.db.exists("Service Level Agreement", {"document_type": "Service Ticket"}):
		return
	lang = site_language()
	agreement = frappe.get_doc(
		{
			"doctype": "Service Level Agreement",
			"service_level": _(AGREEMENT, lang=lang),
			"document_type": "Service Ticket",
			"default_service_level_agreement": 1,
			"enabled": 1,
			"apply_sla_for_resolution": 1,
			"holiday_list": make_holiday_list(_(HOLIDAYS, lang=lang)),
			"support_and_resolution": [
				{"workday": day, "start_time": "00:00:00", "end_time": "23:59:59"} for day in WEEKDAYS
			],
			"priorities": [
				{
					"priority": get_priority(level),
					"response_time": response,
					"resolution_time": resolution,
					"default_priority": int(default),
				}
				for level, response, resolution, default in TARGETS
			],
			"pause_sla_on": [{"status": s} for s in PAUSED],
			"sla_fulfilled_on": [{"status": s} for s in FULFILLED],
		}
	)
	agreement.insert(ignore_permissions=True)


def make_holiday_list(name: str) -> str:
	"""An empty holiday list for this year: the admin adds the public holidays."""
	if not frappe.db.exists("Holiday List", name):
		year = getdate().year
		frappe.get_doc(
			{
				"doctype": "Holiday List",
				"holiday_list_name": name,
				"from_date": f"{year}-01-01",
				"to_date": f"{year}-12-31",
			}
		).insert(ignore_permissions=True)
	return name


def remove_service_level_agreements():
	"""Uninstall: agreements of Service Ticket would point at a DocType that is gone."""
	for name in frappe.get_all(
		"Service Level Agreement", filters={"document_type": "Service Ticket"}, pluck="name"
	):
		frappe.delete_doc("Service Level Agreement", name, force=True, ignore_permissions=True)


# the warning and escalation points and the state limits After-Sales Settings ships with
LEVELS = [(50, "Assigned Technician"), (80, "Responsible Agent"), (100, "After-Sales Manager")]
STATE_LIMITS = [
	(status.IN_PROGRESS, 48, "Responsible Agent"),
	(status.AWAITING_CUSTOMER, 72, "Responsible Agent"),
	(status.AWAITING_PAYMENT, 72, "Responsible Agent"),
	(status.PAYMENT_SUBMITTED, 24, "After-Sales Manager"),
	(status.AWAITING_REVISIT, 72, "Responsible Agent"),
]


def make_escalation_settings():
	"""Fill After-Sales Settings' points and limits when both tables are empty (an admin who
	emptied one keeps their choice for the other)."""
	settings = frappe.get_single("After-Sales Settings")
	if settings.escalation_levels or settings.state_limits:
		return
	for percent, notify in LEVELS:
		settings.append("escalation_levels", {"percent": percent, "notify": notify})
	for category, hours, notify in STATE_LIMITS:
		settings.append("state_limits", {"category": category, "hours": hours, "notify": notify})
	settings.urges_to_escalate = 2
	settings.flags.ignore_validate = True
	settings.save(ignore_permissions=True)
