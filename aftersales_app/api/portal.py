"""Whitelisted endpoints of the customer portal (售后服务门户).

A signed-in customer (a website user with ERPNext's Customer role whose Contact links them to one or
more Customers) lists and reads their customers' tickets, confirms or disputes a resolution, submits
a new request and attaches photos to it. Every method checks the ticket's permission before it
reads or writes anything, and refuses another customer's ticket exactly as a missing one.
Guests have one method, lookup_ticket, limited per client, per ticket number and per site.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cint, escape_html

from aftersales_app.api import endpoint
from aftersales_app.core import guest_limits, identifiers
from aftersales_app.core.permissions import portal_customers
from aftersales_app.core.text import as_text, text_to_html, trimmed
from aftersales_app.customer_care import maintenance_reminders, surveys
from aftersales_app.portal import charges, display, lookup, resolution
from aftersales_app.returns import steps as returns
from aftersales_app.tickets import escalation
from aftersales_app.tickets.status import CATEGORIES, FINAL_CATEGORIES, state_map

# new requests one portal user may submit (count, seconds)
REQUESTS_PER_USER = (20, 3600)

LIST_FIELDS = [
	"name",
	"subject",
	"customer_name",
	"item_name",
	"serial_no",
	"workflow_state",
	"status",
	"opened_on",
	"modified",
]


def _own_ticket(name: str | None):
	"""The ticket if the session user may read it. A ticket of another customer is refused with
	the same message as one that does not exist, so ticket numbers cannot be probed."""
	if (
		not name
		or not isinstance(name, str)
		or not frappe.db.exists("Service Ticket", name)
		or not frappe.has_permission("Service Ticket", "read", doc=name)
	):
		frappe.throw(
			_("Service Ticket {0} was not found").format(escape_html(str(name or ""))),
			frappe.PermissionError,
		)
	return frappe.get_doc("Service Ticket", name)


def _require_customer() -> list[str]:
	"""The customers the session user acts for; refused for guests and users who act for none."""
	customers = portal_customers(frappe.session.user)
	if not customers:
		frappe.throw(_("Only a customer's contact can do this"), frappe.PermissionError)
	return customers


@endpoint()
def get_my_tickets(
	search: str | None = None, status: str | None = None, start: int = 0, page_length: int = 20
) -> list[dict]:
	"""The tickets the session user may read, newest change first; `search` matches number,
	subject, serial number or item, `status` is a workflow state or a state category."""
	frappe.has_permission("Service Ticket", "read", throw=True)
	filters = {}
	if status:
		if status in state_map():
			filters["workflow_state"] = status
		elif status in CATEGORIES:
			filters["status"] = status
		else:
			frappe.throw(_("Unknown status {0}").format(escape_html(str(status)[:40])))
	or_filters = None
	search = trimmed(search)[:140]
	if search:
		like = f"%{search}%"
		or_filters = {
			"name": ("like", like),
			"subject": ("like", like),
			"serial_no": ("like", like),
			"item_name": ("like", like),
		}
	rows = frappe.get_list(
		"Service Ticket",
		filters=filters,
		or_filters=or_filters,
		fields=LIST_FIELDS,
		order_by="modified desc",
		limit_start=min(max(cint(start), 0), 1_000_000),
		limit_page_length=min(max(cint(page_length), 1), 100),
	)
	for row in rows:
		row.state = display.state_display(row.workflow_state, row.status)
		row.subject = as_text(row.subject)
	return rows


@endpoint()
def get_ticket(name: str) -> dict:
	"""One ticket as its customer sees it: details, the timeline of states, visits (technician's
	name only), the resolution, the files the customer attached, and what they can do now."""
	ticket = _own_ticket(name)
	state = display.state_display(ticket.workflow_state, ticket.status)
	moves = resolution.resolution_moves(ticket)
	return {
		"name": ticket.name,
		"subject": as_text(ticket.subject),
		"customer_name": ticket.customer_name,
		"ticket_type": _(ticket.ticket_type) if ticket.ticket_type else "",
		"opened_on": ticket.opened_on,
		"modified": ticket.modified,
		"item_code": ticket.item_code,
		"item_name": ticket.item_name,
		"serial_no": ticket.serial_no,
		"warranty_status": _(ticket.warranty_status, context="Service Ticket")
		if ticket.warranty_status
		else "",
		"description": display.safe_html(ticket.description),
		"state": state,
		"next_step": display.next_step(state.category),
		"technician": display.technician_name(ticket.assigned_technician),
		"timeline": display.timeline(ticket.name),
		"visits": display.visits(ticket.name),
		"diagnosis": as_text(ticket.diagnosis),
		"resolution": display.safe_html(ticket.resolution),
		"dispute_reason": as_text(ticket.dispute_reason),
		"attachments": display.customer_attachments(ticket),
		"can_confirm": bool(moves.confirm),
		"can_dispute": bool(moves.dispute),
		"can_attach": ticket.status not in FINAL_CATEGORIES,
		"can_urge": ticket.status not in FINAL_CATEGORIES,
		"charges": charges.amounts_due(ticket),
		# the satisfaction survey waiting for the customer's answer (aftersales_app.customer_care.surveys)
		"survey_open": bool(surveys.open_survey_of(ticket.name)),
		# returns and exchanges of the ticket, their steps and shipping (aftersales_app.returns.steps)
		"returns": returns.portal_view(ticket.name),
	}


@endpoint(methods=["POST"])
def confirm_resolution(name: str) -> dict:
	"""The customer confirms the resolution of a ticket waiting for them (Awaiting Customer)."""
	ticket = resolution.confirm_resolution(_own_ticket(name))
	return {"name": ticket.name, "state": display.state_display(ticket.workflow_state, ticket.status)}


@endpoint(methods=["POST"])
def dispute_resolution(name: str, reason: str) -> dict:
	"""The customer disputes the resolution, saying why (required): back to In Progress."""
	ticket = resolution.dispute_resolution(_own_ticket(name), reason)
	return {"name": ticket.name, "state": display.state_display(ticket.workflow_state, ticket.status)}


@endpoint(methods=["POST"])
def urge_ticket(name: str, note: str | None = None) -> dict:
	"""The customer urges (催单) their ticket: the technician and the responsible agent hear it;
	once an hour per ticket."""
	_require_customer()
	ticket = escalation.urge(_own_ticket(name).name, as_text(note) if note else None)
	return {"name": ticket.name, "urge_count": ticket.urge_count}


@endpoint(allow_guest=True, methods=["POST"])
def answer_survey(
	token: str | None = None,
	ticket: str | None = None,
	response_speed=None,
	problem_solving=None,
	attitude=None,
	overall=None,
	recommend=None,
	comment=None,
) -> dict:
	"""The customer answers their satisfaction survey: through the link's token (no login; limited
	per client address), or signed in, for one of their tickets. Once; a used, expired or unknown
	link is refused alike."""
	if token:
		guest_limits.check_lookup()
		name = surveys.by_token(token)
	else:
		_require_customer()
		name = surveys.open_survey_of(_own_ticket(ticket).name)
	if not name:
		frappe.throw(_("This survey link is not valid any more"), frappe.DoesNotExistError)
	values = {
		"response_speed": response_speed,
		"problem_solving": problem_solving,
		"attitude": attitude,
		"overall": overall,
		"recommend": recommend,
		"comment": comment if isinstance(comment, str) else None,
	}
	survey = surveys.answer(name, values, frappe.session.user)
	return {"name": survey.name, "thanks": _("Thank you for your answer")}


@endpoint(allow_guest=True, methods=["POST"])
def answer_check_up(accept, token: str | None = None, reminder: str | None = None) -> dict:
	"""The customer accepts or declines a check-up offer (保养提醒): through the link's token (no
	login; limited per client address), or signed in, for an offer to one of their customers.
	Accepting opens the check-up ticket. Once; a used, expired or unknown offer is refused alike."""
	if token:
		guest_limits.check_lookup()
		name = maintenance_reminders.by_token(token)
	else:
		customers = _require_customer()
		offers = maintenance_reminders.open_offers_of(customers)
		name = reminder if isinstance(reminder, str) and reminder in offers else None
	if not name:
		frappe.throw(_("This check-up offer is not valid any more"), frappe.DoesNotExistError)
	accepted = str(accept).lower() in ("1", "true", "yes")
	if str(accept).lower() not in ("0", "1", "true", "false", "yes", "no"):
		frappe.throw(_("Say whether you accept the check-up"), frappe.ValidationError)
	result = maintenance_reminders.answer(name, accepted, frappe.session.user)
	return {
		"name": result.name,
		"status": result.status,
		"ticket": result.service_ticket if frappe.session.user != "Guest" else None,
		"thanks": _("Thank you: we will call you to arrange the check-up")
		if accepted
		else _("Thank you for letting us know"),
	}


# --- new requests --------------------------------------------------------------------------------


def _serial_nos(customers: list[str]) -> list[frappe._dict]:
	# get_all on purpose: a customer has no desk rights on Serial No; `customers` are the session
	# user's own (_require_customer), which is the whole permission check here
	return frappe.get_all(
		"Serial No",
		filters={"customer": ("in", customers)},
		fields=["name as serial_no", "item_code", "item_name", "customer"],
		order_by="name asc",
	)


def _items(customers: list[str]) -> list[frappe._dict]:
	"""Products the customers have: those of their serial numbers and of their submitted sales
	invoices."""
	items = {row.item_code: row.item_name for row in _serial_nos(customers)}
	invoice, invoice_item = DocType("Sales Invoice"), DocType("Sales Invoice Item")
	bought = (
		frappe.qb.from_(invoice_item)
		.join(invoice)
		.on(invoice.name == invoice_item.parent)
		.select(invoice_item.item_code, invoice_item.item_name)
		.where((invoice.customer.isin(customers)) & (invoice.docstatus == 1) & (invoice.is_return == 0))
		.distinct()
		.run(as_dict=True)
	)
	for row in bought:
		items.setdefault(row.item_code, row.item_name)
	return [frappe._dict(item_code=code, item_name=name) for code, name in sorted(items.items())]


def _ticket_types() -> list[frappe._dict]:
	"""The enabled ticket types in the order they were made (the shipped ones first, as shipped)."""
	types = frappe.get_list(
		"Service Ticket Type", filters={"disabled": 0}, pluck="name", order_by="creation asc, name asc"
	)
	return [frappe._dict(name=t, label=_(t)) for t in types]


@endpoint()
def get_request_options() -> dict:
	"""What the new-request form offers the session user: their customers, serial numbers,
	products and the ticket types."""
	customers = _require_customer()
	return {
		# the user's own customers only (see _serial_nos)
		"customers": frappe.get_all(
			"Customer", filters={"name": ("in", customers)}, fields=["name", "customer_name"]
		),
		"serial_nos": _serial_nos(customers),
		"items": _items(customers),
		"ticket_types": _ticket_types(),
	}


@endpoint(methods=["POST"])
def submit_request(
	subject: str,
	description: str,
	serial_no: str | None = None,
	item_code: str | None = None,
	customer: str | None = None,
	ticket_type: str | None = None,
) -> dict:
	"""A new ticket from the portal (channel Web Portal) for one of the session user's customers,
	about one of their serial numbers or products. Photos follow with attach_file."""
	customers = _require_customer()
	guest_limits.check_rate("submit_request", *REQUESTS_PER_USER)
	subject, description = trimmed(subject), trimmed(description)
	if not subject or not description:
		frappe.throw(_("Give the request a subject and describe the problem"))
	if len(subject) > 140:
		frappe.throw(_("Please keep the subject under 140 characters"))
	if len(description) > 5000:
		frappe.throw(_("Please keep the description under 5000 characters"))
	serial_no = serial_no if isinstance(serial_no, str) else None
	item_code = item_code if isinstance(item_code, str) else None
	customer = customer if isinstance(customer, str) else None
	ticket_type = ticket_type if isinstance(ticket_type, str) else None
	if customer and customer not in customers:
		frappe.throw(_("You cannot submit requests for this customer"), frappe.PermissionError)

	if serial_no:
		serial = frappe.db.get_value("Serial No", serial_no, ["item_code", "customer"], as_dict=True)
		if not serial or serial.customer not in customers or (customer and serial.customer != customer):
			frappe.throw(
				_("Serial No {0} is not one of your products").format(escape_html(serial_no)),
				frappe.PermissionError,
			)
		customer, item_code = serial.customer, serial.item_code
	elif item_code:
		if item_code not in {row.item_code for row in _items([customer] if customer else customers)}:
			frappe.throw(
				_("Item {0} is not one of your products").format(escape_html(item_code)),
				frappe.PermissionError,
			)
		if not customer:
			customer = next(c for c in customers if any(r.item_code == item_code for r in _items([c])))
	customer = customer or customers[0]

	types = [t.name for t in _ticket_types()]
	if ticket_type and ticket_type not in types:
		frappe.throw(_("Unknown ticket type {0}").format(escape_html(ticket_type)))
	if not types:
		frappe.throw(_("Service requests cannot be taken online yet: please call customer service"))

	contact = frappe.db.get_value(
		"Contact",
		{"user": frappe.session.user, "name": ("in", _contacts_of(customer))},
	)
	ticket = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": subject,
			"description": text_to_html(description),
			"customer": customer,
			"contact": contact,
			"raised_by": frappe.session.user,
			"serial_no": serial_no,
			"item_code": item_code,
			"ticket_type": ticket_type or types[0],
			"channel": "Web Portal",
		}
	)
	# the ticket type's own fields (ticket templates) are customer service's to fill in
	ticket.flags.customer_request = True
	# customers have no create right on Service Ticket (nor on the desk or REST): this method,
	# having checked the customer, serial number and product above, is their one way in
	ticket.insert(ignore_permissions=True)
	return {"name": ticket.name, "route": f"/service-tickets/{ticket.name}"}


def _contacts_of(customer: str) -> list[str]:
	# get_all on purpose: the contacts of a customer the caller has checked is the session user's
	# own (submit_request); a customer has no desk rights on Contact
	return frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": customer},
		pluck="parent",
	) or [""]


@endpoint(methods=["POST"])
def attach_file() -> dict:
	"""Attach the uploaded file to one of the session user's open tickets. Called through Frappe's
	standard upload (POST /api/method/upload_file with method=aftersales_app.api.portal.attach_file,
	ticket=<name> and the file), which checks the file's type for website users; the standard
	attach itself needs write access to the ticket, which customers do not have."""
	ticket = _own_ticket(frappe.form_dict.ticket)
	if ticket.status in FINAL_CATEGORIES:
		frappe.throw(_("Files cannot be added to a closed ticket"))
	content = getattr(frappe.local, "uploaded_file", None)
	filename = getattr(frappe.local, "uploaded_filename", None)
	if not content or not filename:
		frappe.throw(_("Choose a file to attach"))
	if len(display.customer_attachments(ticket, uploaded_only=True)) >= display.MAX_PORTAL_ATTACHMENTS:
		frappe.throw(
			_("A ticket takes at most {0} files from the portal").format(display.MAX_PORTAL_ATTACHMENTS)
		)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"attached_to_doctype": "Service Ticket",
			"attached_to_name": ticket.name,
			"file_name": filename,
			"is_private": 1,
			"content": content,
		}
	)
	# the ticket is the customer's (checked above); File would ask for write access to it
	file.insert(ignore_permissions=True)
	return {"name": file.name, "file_name": file.file_name, "file_url": file.file_url}


# --- guests --------------------------------------------------------------------------------------


@endpoint(allow_guest=True, methods=["POST"])
def lookup_ticket(ticket: str, phone: str) -> dict:
	"""Guest lookup: a ticket's number and the phone on it give its status, timeline, next step and
	the technician's first name, nothing else. A wrong pair answers exactly as a missing ticket
	does. Number and phone are read in one spelling (aftersales_app.core.identifiers), and guessing is
	limited per client address, per address and ticket, per ticket and for the whole site
	(aftersales_app.core.guest_limits)."""
	guest_limits.check_lookup()
	number, wanted = identifiers.ticket_number(ticket), identifiers.phone_number(phone)
	found = None
	# a number or phone that is no such thing is no guess: nothing to compare, nothing counted
	if number and wanted and guest_limits.admit_phone_guess(number):
		found = lookup.find_ticket_by_number_and_phone(number, wanted)
		if found:
			guest_limits.right_phone(number)
	if not found:
		return {"found": 0, "message": _("No ticket matches this number and phone")}
	return lookup.guest_view(found)
