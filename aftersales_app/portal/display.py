"""How a ticket looks to its customer: its state beside colour and icon, the next step in the
customer's words, the timeline, the visits (the technician's name only) and the files the customer
sees."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import format_datetime

from aftersales_app.core.permissions import customer_users
from aftersales_app.core.text import clean_html
from aftersales_app.tickets.status import AWAITING_ACCEPTANCE, DISPATCHING, state_map

MAX_PORTAL_ATTACHMENTS = 10


def state_display(state: str | None, category: str | None = None) -> frappe._dict:
	"""A state as the portal shows it: its (translated) name beside its colour and icon, and its
	category, so that colour never stands alone."""
	row = state_map().get(state) or frappe._dict()
	category = row.category or category
	return frappe._dict(
		state=state,
		label=_(state) if state else "",
		category=category,
		category_label=_(category, context="Service Ticket") if category else "",
		color=row.color or "gray",
		icon=row.icon or "",
	)


def next_step(category: str | None) -> str:
	"""What happens next, in the customer's words, by the category of the ticket's state."""
	steps = {
		"Open": _("We have received your request."),
		"Pending Review": _("Customer service is reviewing your request."),
		"Dispatching": _("We are finding a technician for you."),
		"Awaiting Acceptance": _("A technician has been asked to take your ticket."),
		"In Progress": _("A technician is working on your ticket."),
		"On Hold": _(
			"Work is paused, for example while parts are on their way; it resumes as soon as possible."
		),
		"Awaiting Customer": _(
			"The work is done: please confirm the result, or tell us what is still wrong."
		),
		"Awaiting Payment": _("Please settle the service charge with the technician."),
		"Payment Submitted": _("Our finance team is confirming your payment."),
		"Awaiting Revisit": _("Customer service will call you to ask how the service went."),
		"Closed": _("The ticket is closed. Thank you!"),
		"Rejected": _("The request was not accepted: please contact customer service."),
		"Cancelled": _("The ticket was cancelled."),
	}
	return steps.get(category or "", "")


def timeline(ticket: str) -> list[frappe._dict]:
	"""The ticket's states, oldest first, from its status log: state and time, nothing about who.
	Read without the log's DocType rights, which customers and guests lack: the caller has
	checked the ticket itself."""
	# get_all on purpose: the ticket's own history, the ticket checked by the caller
	rows = frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket},
		fields=["to_state", "to_category", "changed_on", "is_reopen"],
		order_by="changed_on asc, creation asc",
	)
	out = []
	for row in rows:
		# finding a technician is one step to the customer: the pool's rounds (offered, not taken in
		# time, back to dispatch) and the asking of one technician are the back office's
		if row.to_category in FINDING_A_TECHNICIAN and out and out[-1].category in FINDING_A_TECHNICIAN:
			continue
		out.append(
			frappe._dict(
				**state_display(row.to_state, row.to_category),
				changed_on=row.changed_on,
				is_reopen=row.is_reopen,
			)
		)
	return out


FINDING_A_TECHNICIAN = (DISPATCHING, AWAITING_ACCEPTANCE)


VISIT_FIELDS = ("name", "scheduled_start", "scheduled_end", "check_in", "check_out", "outcome", "technician")


def visits(ticket: str) -> list[frappe._dict]:
	"""The ticket's service visits (when a Service Visit DocType is installed): the scheduled window,
	whether it took place, and the technician's name only. Read for this one ticket, whose
	permission the caller checked."""
	if not frappe.db.exists("DocType", "Service Visit"):
		return []
	meta = frappe.get_meta("Service Visit")
	fields = [f for f in VISIT_FIELDS if f == "name" or meta.has_field(f)]
	if not meta.has_field("ticket"):
		return []
	filters = {"ticket": ticket}
	if meta.is_submittable:
		filters["docstatus"] = ("!=", 2)
	order = "scheduled_start asc" if meta.has_field("scheduled_start") else "creation asc"
	out = []
	# get_all on purpose: this one ticket's visits (checked by the caller), a few fields of each
	for row in frappe.get_all("Service Visit", filters=filters, fields=fields, order_by=order):
		out.append(
			frappe._dict(
				scheduled_start=row.get("scheduled_start"),
				scheduled_end=row.get("scheduled_end"),
				check_in=row.get("check_in"),
				check_out=row.get("check_out"),
				outcome=_(row.outcome, context="Service Visit") if row.get("outcome") else "",
				technician=technician_name(row.get("technician")),
			)
		)
	return out


def technician_name(technician: str | None, first_only: bool = False) -> str:
	"""A technician's name, one for paper and screen (the job sheet, the portal, the lookup): the
	technician record's name, else their user's full name; `first_only` (a guest's lookup) the
	user's first name alone."""
	if not technician:
		return ""
	record = frappe.db.get_value("Service Technician", technician, ["user", "technician_name"], as_dict=True)
	user = (record and record.user) or technician
	if first_only:
		return frappe.db.get_value("User", user, "first_name") or ""
	if record and record.technician_name:
		return record.technician_name
	return frappe.utils.get_fullname(user) if frappe.db.exists("User", user) else ""


def customer_attachments(ticket, uploaded_only: bool = False) -> list[frappe._dict]:
	"""Files of the ticket the customer sees: those their own users attached and the staff's files
	marked *Visible to Customer* (not the staff's internal files). `uploaded_only`: the customer's
	own uploads alone (what counts against the portal's limit)."""
	users = customer_users(ticket.customer) or [""]
	# past File's permissions on purpose: the files of this one ticket, which the caller checked is
	# the customer's own; the filter keeps the staff's unmarked files out
	file = DocType("File")
	mine = file.owner.isin(users)
	return (
		frappe.qb.from_(file)
		.select(file.name, file.file_name, file.file_url, file.is_private, file.creation)
		.where(file.attached_to_doctype == "Service Ticket")
		.where(file.attached_to_name == ticket.name)
		.where(mine if uploaded_only else (mine | (file.customer_visible == 1)))
		.orderby(file.creation)
		.run(as_dict=True)
	)


def safe_html(value: str | None) -> str:
	"""A ticket's HTML (description, resolution) as the portal prints it: cleaned again on the way
	out, JSON-looking strings included."""
	return clean_html(value or "")


def when(value) -> str:
	"""Date and time as the portal, the customer's messages and the job sheet print them (the
	site's time zone)."""
	return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
