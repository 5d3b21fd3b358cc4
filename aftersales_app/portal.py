"""The customer portal's view of tickets (售后服务门户): what a signed-in customer and a guest with the
ticket's number and phone are shown, and the customer's confirm / dispute of a resolution.

Callers (aftersales_app.api.portal, the www pages) check who may see a ticket first; the helpers
here then read the ticket's own history (status log, visits, attachments), which a customer has no
DocType rights on, for that one ticket only. States are shown by their category, colour and icon
from After-Sales Settings; no state is named here.
"""

import re

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import escape_html, flt

from aftersales_app.exceptions import WrongStateError
from aftersales_app.status import (
	AWAITING_CUSTOMER,
	CONFIRM_CATEGORIES,
	FINAL_CATEGORIES,
	IN_PROGRESS,
	move_to_category,
	offered,
	require_category,
	state_map,
)
from aftersales_app.text import clean_html, clean_plain, escape

MAX_PORTAL_ATTACHMENTS = 10


# --- how a state looks ---------------------------------------------------------------------------


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


# --- one ticket's history ------------------------------------------------------------------------


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
	return [
		frappe._dict(
			**state_display(row.to_state, row.to_category), changed_on=row.changed_on, is_reopen=row.is_reopen
		)
		for row in rows
	]


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
	"""A technician's name as customers see it (Service Technician is named by its user)."""
	if not technician:
		return ""
	user = frappe.db.get_value("Service Technician", technician, "user") or technician
	if first_only:
		return frappe.db.get_value("User", user, "first_name") or ""
	return frappe.utils.get_fullname(user) if frappe.db.exists("User", user) else ""


def customer_users(customer: str) -> list[str]:
	"""The portal users who act for a customer (the reverse of portal_customers)."""
	contact = DocType("Contact")
	link = DocType("Dynamic Link")
	users = (
		frappe.qb.from_(link)
		.join(contact)
		.on(contact.name == link.parent)
		.select(contact.user)
		.where(
			(link.parenttype == "Contact")
			& (link.link_doctype == "Customer")
			& (link.link_name == customer)
			& contact.user.isnotnull()
		)
		.run(pluck=True)
	)
	# get_all on purpose: which users act for the customer of a ticket the caller has checked
	users += frappe.get_all(
		"Portal User", filters={"parenttype": "Customer", "parent": customer}, pluck="user"
	)
	return sorted({u for u in users if u})


def customer_attachments(ticket, uploaded_only: bool = False) -> list[frappe._dict]:
	"""Files of the ticket the customer sees: those their own users attached and the staff's files
	marked *Visible to Customer* (not the staff's internal files). `uploaded_only`: the customer's
	own uploads alone (what counts against the portal's limit)."""
	users = customer_users(ticket.customer) or [""]
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


# --- the customer's actions ----------------------------------------------------------------------


def resolution_moves(ticket) -> frappe._dict:
	"""The categories the session user's confirm and dispute lead to, found in the workflow's
	transitions open to them now (their roles and the transitions' conditions decide)."""
	if ticket.status != AWAITING_CUSTOMER:
		return frappe._dict()
	categories = offered(ticket)
	return frappe._dict(
		confirm=next((c for c in CONFIRM_CATEGORIES if c in categories), None),
		dispute=IN_PROGRESS if IN_PROGRESS in categories else None,
	)


def _as_customer(ticket):
	"""The Customer role reads tickets and may not write them; the workflow's own transitions for
	the Customer role are what let a customer move their ticket, and the caller checked the ticket
	is theirs. So the save that applies the transition skips the document write check."""
	ticket.flags.ignore_permissions = True
	return ticket


def confirm_resolution(ticket):
	"""The customer accepts the work: the ticket goes on to payment or to the revisit, whichever
	the workflow offers."""
	require_category(ticket, AWAITING_CUSTOMER)
	target = resolution_moves(ticket).confirm
	if not target:
		frappe.throw(_("This ticket cannot be confirmed now"), WrongStateError)
	ticket = move_to_category(_as_customer(ticket), target)
	# the survey issue plugs in here: once a confirmed ticket reaches the revisit, the customer is
	# offered the satisfaction survey (Service Survey) on this page.
	return ticket


def dispute_resolution(ticket, reason: str):
	"""The customer says the problem is not solved: the reason is kept on the ticket and the ticket
	returns to work (the workflow logs it as a reopening)."""
	# stored as plain text (it is shown on the desk form): without markup, as the ticket's own
	# cleaning would leave it (aftersales_app.text)
	reason = clean_plain(clean_text(reason))
	if not reason:
		frappe.throw(_("Tell us what is still wrong"))
	if len(reason) > 2000:
		frappe.throw(_("Please keep the reason under 2000 characters"))
	require_category(ticket, AWAITING_CUSTOMER)
	if not resolution_moves(ticket).dispute:
		frappe.throw(_("This ticket cannot be disputed now"), WrongStateError)
	frappe.db.savepoint("portal_dispute")
	try:
		# apply_workflow reloads the ticket from the database before it saves the new state, so
		# the reason goes in first, in the same transaction (rolled back below if the move fails)
		ticket.db_set("dispute_reason", reason, update_modified=False)
		ticket = move_to_category(_as_customer(ticket), IN_PROGRESS)
		ticket.add_comment("Info", _("The customer disputed the resolution: {0}").format(escape(reason)))
	except Exception:
		frappe.db.rollback(save_point="portal_dispute")
		raise
	return ticket


def clean_text(value: str | None) -> str:
	"""A customer's text, trimmed (anything but a string counts as nothing)."""
	return value.strip() if isinstance(value, str) else ""


def text_to_html(value: str) -> str:
	"""A customer's plain text as the ticket's Text Editor field keeps it, markup escaped."""
	paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
	return "".join(f"<p>{escape_html(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def safe_html(value: str | None) -> str:
	"""A ticket's HTML (description, resolution) as the portal prints it: cleaned again on the way
	out, JSON-looking strings included."""
	return clean_html(value or "")


# --- the guest lookup ----------------------------------------------------------------------------


def normalise_phone(value: str | None) -> str:
	"""Digits only, without China's country code, so '+86 138-0000-0001' matches '13800000001'."""
	digits = re.sub(r"\D", "", value or "")
	if digits.startswith("0086"):
		digits = digits[4:]
	elif digits.startswith("86") and len(digits) == 13:
		digits = digits[2:]
	return digits


def find_ticket_by_number_and_phone(ticket: str, phone: str) -> frappe._dict | None:
	"""The one read of the portal that bypasses permissions, by necessity: a guest has no rights on
	any ticket, and the ticket's number together with the phone on it is the credential. Both are
	checked here, and only the fields a guest may see leave this function. A wrong pair and a
	missing ticket both give None."""
	wanted = normalise_phone(phone)
	if not ticket or len(wanted) < 5:
		return None
	row = frappe.db.get_value(
		"Service Ticket",
		{"name": ticket.strip()},
		["name", "workflow_state", "status", "contact_phone", "assigned_technician"],
		as_dict=True,
	)
	if not row or not row.contact_phone or normalise_phone(row.contact_phone) != wanted:
		return None
	return frappe._dict(
		name=row.name,
		workflow_state=row.workflow_state,
		status=row.status,
		assigned_technician=row.assigned_technician,
	)


def guest_view(ticket: frappe._dict) -> dict:
	"""What a guest is shown: number, status, timeline (state and time), next step and the
	technician's first name. No address, amounts, customer or contact."""
	state = state_display(ticket.workflow_state, ticket.status)
	return {
		"found": 1,
		"name": ticket.name,
		"state": state,
		"timeline": [
			{
				k: row[k]
				for k in ("state", "label", "category", "category_label", "color", "icon", "changed_on")
			}
			for row in timeline(ticket.name)
		],
		"next_step": next_step(state.category),
		"technician": technician_name(ticket.assigned_technician, first_only=True),
	}


# --- the pages -----------------------------------------------------------------------------------


def require_login(path: str):
	"""Portal pages send guests to the login page and back here afterwards."""
	if frappe.session.user == "Guest":
		from urllib.parse import quote

		frappe.local.flags.redirect_location = f"/login?redirect-to={quote(path)}"
		raise frappe.Redirect(302)


def when(value) -> str:
	"""Date and time as the portal prints them (the site's time zone)."""
	from frappe.utils import format_datetime

	return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def status_options() -> list[frappe._dict]:
	"""The status filter of the list: the categories of the workflow's states, in workflow order."""
	from aftersales_app.status import CATEGORIES

	used = {row.category for row in state_map().values()}
	return [frappe._dict(value=c, label=_(c, context="Service Ticket")) for c in CATEGORIES if c in used]


def js_messages() -> dict:
	"""Texts the portal's scripts show, translated for the reader."""
	return {
		"failed": _("Something went wrong: please try again"),
		"offline": _("Cannot reach the server: please check your connection"),
		"too_many": _("Too many lookups: please wait a minute and try again"),
		"confirmed": _("Thank you: the resolution is confirmed"),
		"disputed": _("Thank you: we will look into it again"),
		"need_reason": _("Tell us what is still wrong"),
		"need_fields": _("Give the request a subject and describe the problem"),
		"uploading": _("Uploading photos…"),
		"uploaded": _("The file is attached"),
		"submitted": _("Your request is submitted"),
		"upload_failed": _("The request is submitted, but a photo could not be attached: {0}"),
		"not_found": _("No ticket matches this number and phone"),
		"technician": _("Technician"),
		"next_step": _("Next step"),
		"timeline": _("Progress"),
		"status": _("Status"),
	}


def charges(ticket) -> frappe._dict | None:
	"""What the customer owes for a charged ticket: the charge invoice's lines, what finance has
	confirmed, what waits for confirmation, what is outstanding, and the payment schedule (deposit
	and balance, or the invoice's terms). None for a free ticket or before the invoice exists."""
	from frappe.utils import fmt_money, formatdate

	from aftersales_app import billing, payments

	if not ticket.billable or not ticket.charge_invoice:
		return None
	values = billing.amounts(ticket.name)
	if not values.charge_invoice or values.docstatus == 2:
		return None

	def money(amount):
		return fmt_money(amount, currency=values.currency)

	# get_all on purpose: a portal customer has no desk rights on Sales Invoice; the ticket is their
	# own (api.portal._own_ticket), and only its own charge invoice's lines are read
	lines = frappe.get_all(
		"Sales Invoice Item",
		filters={"parenttype": "Sales Invoice", "parent": values.charge_invoice},
		fields=["item_name", "qty", "uom", "amount"],
		order_by="idx",
	)
	schedule = payments.schedule(values.charge_invoice)
	return frappe._dict(
		settlement=_(ticket.settlement, context="Service Ticket") if ticket.settlement else "",
		lines=[
			frappe._dict(
				item=row.item_name, qty=f"{flt(row.qty):g} {_(row.uom or '')}", amount=money(row.amount)
			)
			for row in lines
		],
		total=money(values.charge_amount),
		paid=money(values.paid_amount),
		waiting=money(values.unconfirmed_amount) if values.unconfirmed_amount else "",
		outstanding=money(values.outstanding_amount),
		settled=values.outstanding_amount <= 0,
		schedule=[
			frappe._dict(
				description=row.description or "",
				due_date=formatdate(row.due_date),
				amount=money(row.payment_amount),
				outstanding=money(row.outstanding),
				overdue=payments.overdue(row),
			)
			for row in schedule
		]
		if len(schedule) > 1
		else [],
	)
