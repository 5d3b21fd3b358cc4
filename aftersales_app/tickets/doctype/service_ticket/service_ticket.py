# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from typing import ClassVar

import frappe
from frappe import _
from frappe.model import no_value_fields
from frappe.model.document import Document
from frappe.utils import cint, formatdate, get_datetime, getdate, now_datetime

from aftersales_app.core import roles
from aftersales_app.core.app_fields import AppFieldsMixin, app_action, normalise
from aftersales_app.core.exceptions import (
	ContactMismatchError,
	InvoiceMismatchError,
	SerialNoCustomerMismatchError,
	SerialNoItemMismatchError,
	StateEditError,
	StatusFollowsWorkflowError,
)
from aftersales_app.notifications.events import expected_by, fullname
from aftersales_app.notifications.notify import notify
from aftersales_app.tickets import agents, ticket_templates
from aftersales_app.tickets import status as ticket_status
from aftersales_app.tickets.intake import (
	address_display,
	contact_details,
	customer_defaults,
	find_customer_by_email,
	is_linked,
)
from aftersales_app.tickets.warranty import derive_warranty


class ServiceTicket(AppFieldsMixin, Document):
	# what the app computes or its flows set (dispatch, return slip, charging, payments): a client's
	# value is ignored (aftersales_app.core.app_fields)
	computed_fields = (
		"customer_name",
		"contact_display",
		"address_display",
		"item_name",
		"opened_on",
		"warranty_status",
		"warranty_expiry_date",
		"amc_expiry_date",
		"repeat_count",
		"state_since",
		"reopen_count",
		"revisit_result",
		"in_pool",
		"accept_deadline",
		"accepted_on",
		"transfer_reason",
		"dispute_reason",
		"return_slip_visit",
		"labour_hours",
		"labour_not_covered",
		"faulty_serial_no",
		"replacement_serial_no",
		"charge_basis",
		"billable",
		"settlement",
		"charge_invoice",
		"charge_amount",
		"paid_amount",
		"unconfirmed_amount",
		"outstanding_amount",
		# ERPNext's agreement sets its targets and times (aftersales_app.tickets.setup.sla), the
		# escalation job and the urges their own
		"response_by",
		"first_responded_on",
		"first_response_time",
		"on_hold_since",
		"total_hold_time",
		"agreement_status",
		"sla_resolution_by",
		"service_level_agreement_creation",
		"sla_resolution_date",
		"escalation_level",
		"escalation_due",
		"state_alerted_for",
		"urge_count",
		"last_urged_on",
	)
	# who the ticket belongs to and who works on it: changed by the app's actions (dispatch,
	# grab, transfer) alone; the customer is chosen at registration
	action_fields: ClassVar[dict] = {
		"assigned_technician": None,
		"transfer_to": None,
		"customer": None,
		"related_ticket": None,
	}
	create_fields = ("customer",)
	text_limits: ClassVar[dict] = {"description": 20000, "resolution": 20000}

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		accept_deadline: DF.Datetime | None
		accepted_on: DF.Datetime | None
		address: DF.Link | None
		address_display: DF.SmallText | None
		amc_expiry_date: DF.Date | None
		assigned_technician: DF.Link | None
		billable: DF.Check
		channel: DF.Literal["", "Phone", "Web Portal", "Email", "WeChat", "App", "Walk-in", "API", "Import"]
		charge_amount: DF.Currency
		charge_basis: DF.Literal[
			"",
			"Warranty Covers",
			"Warranty Expired",
			"Free by Ticket Type",
			"Charged by Ticket Type",
			"Free by Override",
			"Charged by Override",
		]
		charge_invoice: DF.Link | None
		charge_override: DF.Literal["", "Charge", "Free"]
		charge_override_reason: DF.SmallText | None
		contact: DF.Link | None
		company: DF.Link | None
		contact_display: DF.Data | None
		contact_phone: DF.Data | None
		customer: DF.Link
		customer_name: DF.Data | None
		description: DF.TextEditor | None
		diagnosis: DF.SmallText | None
		dispatch_mode: DF.Literal["", "Direct", "Pool", "Auto"]
		dispute_reason: DF.SmallText | None
		escalation_due: DF.Datetime | None
		escalation_level: DF.Int
		fault_type: DF.Link | None
		faulty_serial_no: DF.Link | None
		first_response_time: DF.Duration | None
		hold_reason: DF.SmallText | None
		in_pool: DF.Check
		item_code: DF.Link | None
		item_name: DF.Data | None
		labour_hours: DF.Float
		labour_not_covered: DF.Check
		last_urged_on: DF.Datetime | None
		naming_series: DF.Literal["ST-.YYYY..MM..DD.-.####"]
		opened_on: DF.Datetime | None
		outstanding_amount: DF.Currency
		paid_amount: DF.Currency
		purchase_date: DF.Date | None
		purchase_invoice: DF.Link | None
		raised_by: DF.Data | None
		reopen_count: DF.Int
		repeat_count: DF.Int
		replacement_serial_no: DF.Link | None
		resolution: DF.TextEditor | None
		responsible_agent: DF.Link | None
		revisit_result: DF.Literal["", "Solved", "Not Solved"]
		return_slip_visit: DF.Link | None
		serial_no: DF.Link | None
		settlement: DF.Literal["", "Pay on Site", "Invoice Terms", "Deposit and Balance"]
		state_alerted_for: DF.Datetime | None
		state_since: DF.Datetime | None
		status: DF.Literal[
			"Open",
			"Pending Review",
			"Dispatching",
			"Awaiting Acceptance",
			"In Progress",
			"On Hold",
			"Awaiting Customer",
			"Awaiting Payment",
			"Payment Submitted",
			"Awaiting Revisit",
			"Closed",
			"Rejected",
			"Cancelled",
		]
		subject: DF.Data
		territory: DF.Link | None
		ticket_type: DF.Link
		transfer_reason: DF.SmallText | None
		transfer_to: DF.Link | None
		unconfirmed_amount: DF.Currency
		urge_count: DF.Int
		warranty_expiry_date: DF.Date | None
		warranty_status: DF.Literal["", "Under Warranty", "Out of Warranty", "Under AMC", "Out of AMC"]
		workflow_state: DF.Link | None

	# end: auto-generated types
	def before_insert(self):
		self.set_channel()
		self.set_company()

	def set_company(self):
		"""The company that serves and charges the ticket: the user's default, else the site's."""
		if not self.company:
			self.company = frappe.defaults.get_user_default("Company") or frappe.defaults.get_global_default(
				"company"
			)

	def validate(self):
		self.guard_app_fields()
		if self.is_new() and not self.opened_on:
			self.opened_on = now_datetime()
		if self.is_new():
			agents.set_responsible_agent(self)
		agents.validate_responsible_agent(self)
		self.set_initial_state()
		self.check_state_edit_rights()
		if self.state_changed() and self.get_doc_before_save():
			ticket_status.check_move(self, self.get_doc_before_save())
		# the ticket type's fields (Customize Form's Mandatory Depends On), on the server too
		ticket_templates.check_mandatory_fields(self)
		self.set_customer_from_sender()
		self.validate_serial_no()
		self.set_customer_details()
		self.validate_purchase_invoice()
		self.set_warranty()
		self.set_type_defaults()
		self.set_repeat_count()
		self.set_names()
		self.set_status()

	def after_insert(self):
		if not frappe.flags.in_import:
			tell_received(self)

	def on_update(self):
		# the state change's row, also for the domains that follow the ticket's on_update (hooks.py)
		self.flags.state_log = self.log_state_change()

	def on_trash(self):
		# the status log is the ticket's own history: it goes with the ticket (its messages and
		# surveys go by their own domains' on_trash, hooks.py)
		frappe.db.delete("Service Ticket Status Log", {"ticket": self.name})

	def may_change(self, fieldname: str) -> bool:
		"""Customer service corrects the customer of a ticket until it is dispatched."""
		before = self.get_doc_before_save()
		return (
			fieldname == "customer"
			and roles.has_any(roles.DISPATCHERS)
			and bool(before)
			and before.status in ticket_status.BEFORE_DISPATCH_CATEGORIES
		)

	def set_initial_state(self):
		if not self.workflow_state:
			self.workflow_state = ticket_status.first_state()

	def validate_workflow(self):
		"""Frappe checks a state change against the transitions of the ticket as it was; a move the
		app has already checked against the ticket as it will be (aftersales_app.tickets.status.move_with:
		the user's roles and the transition's condition, e.g. a grab that assigns and accepts in
		one save) is not checked again."""
		if self.flags.transition_checked:
			return
		super().validate_workflow()

	def state_changed(self) -> bool:
		before = self.get_doc_before_save()
		return not before or before.workflow_state != self.workflow_state

	def check_state_edit_rights(self):
		"""Frappe's "Only Allow Edit For" of each workflow state, enforced on the server too (the
		desk checks it only in the browser): in a state, only its editing role changes the ticket's
		own fields. A workflow action may still move the state, with its reason fields."""
		before = self.get_doc_before_save()
		if not before or self.flags.app_action or roles.has_any(roles.EDIT_ANY_STATE):
			return
		changed = [
			df
			for df in self.meta.fields
			if df.fieldtype not in no_value_fields
			and not df.read_only
			and normalise(df, self.get(df.fieldname)) != normalise(df, before.get(df.fieldname))
			and not (self.state_changed() and df.fieldname in TRANSITION_FIELDS)
		]
		if not changed:
			return
		editor = frappe.db.get_value(
			"Workflow Document State",
			{"parenttype": "Workflow", "parent": _workflow_name(), "state": before.workflow_state},
			"allow_edit",
		)
		if editor and editor in roles.roles_of():
			return
		frappe.throw(
			_("In state {0} only {1} may change this ticket (changed: {2})").format(
				frappe.bold(_(before.workflow_state)),
				frappe.bold(_(editor or "After-Sales Manager")),
				", ".join(_(df.label, context=self.doctype) for df in changed),
			),
			StateEditError,
		)

	def set_status(self):
		"""`status` carries the category of the workflow state, for filters, reports and ERPNext's
		Service Level Agreement; nobody sets it by hand (a kanban drag included)."""
		category = ticket_status.category_of(self.workflow_state)
		before = self.get_doc_before_save()
		if before and self.status != before.status and self.status != category and not self.state_changed():
			frappe.throw(
				_("The status follows the workflow: use the ticket's workflow actions instead"),
				StatusFollowsWorkflowError,
			)
		self.status = category
		if self.state_changed():
			self.state_since = now_datetime()
			previous = ticket_status.category_of(before.workflow_state) if before else None
			self.set_acceptance_times(previous, category)
			if previous in ticket_status.REOPEN_FROM_CATEGORIES and category == ticket_status.IN_PROGRESS:
				self.reopen_count = cint(self.reopen_count) + 1
				self.flags.reopened = True
			if category == ticket_status.AWAITING_REVISIT:
				self.revisit_result = None  # a new revisit call decides

	def set_acceptance_times(self, previous: str | None, category: str):
		"""The acceptance and the first response; the accept deadline ends when the ticket leaves
		Awaiting Acceptance (dispatch sets it when the ticket arrives there: hooks.py)."""
		if category != ticket_status.AWAITING_ACCEPTANCE:
			if previous == ticket_status.AWAITING_ACCEPTANCE and category == ticket_status.IN_PROGRESS:
				self.accepted_on = now_datetime()
				# a technician's acceptance is the ticket's first real response (or a reply
				# to the customer before it, which Frappe's Communication records)
				if not self.first_responded_on:
					self.first_responded_on = self.accepted_on
					self.first_response_time = max(
						0, (get_datetime(self.accepted_on) - get_datetime(self.creation)).total_seconds()
					)
			self.accept_deadline = None

	def log_state_change(self):
		"""Append who moved the ticket from which state to which, when, and how long it sat in the
		previous state. Written in the save's own transaction: a save that fails leaves no row."""
		if not self.state_changed():
			return
		before = self.get_doc_before_save()
		seconds = 0
		if before and before.state_since:
			seconds = max(
				0, int((get_datetime(self.state_since) - get_datetime(before.state_since)).total_seconds())
			)
		log = frappe.get_doc(
			{
				"doctype": "Service Ticket Status Log",
				"ticket": self.name,
				"from_state": before.workflow_state if before else None,
				"to_state": self.workflow_state,
				"from_category": before.status if before else None,
				"to_category": self.status,
				# the action taken (aftersales_app.tickets.status.check_move): two actions may lead from one
				# state to the same next one (a technician's decline, customer service's withdrawal)
				"action": self.flags.workflow_action
				or _transition_action(before.workflow_state if before else None, self.workflow_state),
				"changed_by": frappe.session.user,
				"changed_on": self.state_since,
				"seconds_in_previous": seconds,
				"is_reopen": 1 if self.flags.reopened else 0,
			}
		)
		log.flags.ignore_links = True  # its ticket is this one, being saved
		with app_action(log):
			log.insert(ignore_permissions=True)
		self.flags.workflow_action = None  # told once: a later move of this object names its own
		return log

	def set_channel(self):
		"""Record how the ticket arrived when the caller did not say."""
		if self.channel:
			return
		if frappe.flags.in_import:
			self.channel = "Import"
		elif self.flags.ignore_mandatory and self.raised_by and not getattr(frappe.local, "request", None):
			# Frappe's InboundMail creates append_to documents exactly like this: sender and
			# subject set, mandatory checks off, outside any web request.
			self.channel = "Email"
		elif getattr(frappe.local, "request", None) and frappe.local.request.path.startswith(
			("/api/resource/", "/api/v2/document/")
		):
			self.channel = "API"
		else:
			self.channel = "Phone"

	def set_customer_from_sender(self):
		if self.customer or not self.raised_by:
			return
		found = find_customer_by_email(self.raised_by)
		if found:
			self.customer, self.contact = found.customer, found.contact

	def validate_serial_no(self):
		if not self.serial_no:
			return
		serial = frappe.db.get_value("Serial No", self.serial_no, ["item_code", "customer"], as_dict=True)
		if serial.customer and self.customer and serial.customer != self.customer:
			frappe.throw(
				_("Serial No {0} belongs to customer {1}, not to {2}").format(
					frappe.bold(self.serial_no), frappe.bold(serial.customer), frappe.bold(self.customer)
				),
				SerialNoCustomerMismatchError,
				title=_("Wrong Customer"),
			)
		if self.item_code and self.item_code != serial.item_code and not self.has_value_changed("serial_no"):
			frappe.throw(
				_("Serial No {0} is of item {1}, not {2}").format(
					frappe.bold(self.serial_no), frappe.bold(serial.item_code), frappe.bold(self.item_code)
				),
				SerialNoItemMismatchError,
			)
		self.item_code = serial.item_code
		self.customer = self.customer or serial.customer

	def set_customer_details(self):
		"""Contact, phone, e-mail, address and territory from the customer where left empty; a
		contact or address of another customer is refused."""
		if not self.customer:
			return
		if self.contact and not is_linked("Contact", self.contact, self.customer):
			if self.has_value_changed("customer") and not self.is_new():
				self.contact = None  # the customer was changed: the old customer's contact goes
			else:
				frappe.throw(
					_("Contact {0} is not a contact of customer {1}").format(
						frappe.bold(self.contact), frappe.bold(self.customer)
					),
					ContactMismatchError,
				)
		if self.address and not is_linked("Address", self.address, self.customer):
			if self.has_value_changed("customer") and not self.is_new():
				self.address = None
			else:
				frappe.throw(
					_("Address {0} is not an address of customer {1}").format(
						frappe.bold(self.address), frappe.bold(self.customer)
					),
					ContactMismatchError,
				)

		defaults = None
		if not self.contact or not self.address or not self.territory:
			defaults = customer_defaults(self.customer)
			for field in ("contact", "address", "territory"):
				if not self.get(field) and defaults.get(field):
					self.set(field, defaults[field])
		# the customer's defaults have rendered their contact and address already: not twice
		fresh = defaults or frappe._dict()
		if self.contact and (self.has_value_changed("contact") or not self.contact_display):
			details = fresh if fresh.get("contact") == self.contact else contact_details(self.contact)
			self.contact_display = details.contact_display
			for field in ("contact_phone", "raised_by"):
				if details.get(field) and (
					(self.has_value_changed("contact") and not self.is_new()) or not self.get(field)
				):
					self.set(field, details[field])
		if self.address and (self.has_value_changed("address") or not self.address_display):
			self.address_display = (
				fresh.address_display
				if fresh.get("address") == self.address
				else address_display(self.address)
			)
		elif not self.address:
			self.address_display = None

	def validate_purchase_invoice(self):
		if self.purchase_date and getdate(self.purchase_date) > getdate():
			frappe.throw(
				_("Purchase Date {0} is in the future").format(frappe.bold(formatdate(self.purchase_date)))
			)
		if not self.purchase_invoice:
			return
		invoice = frappe.db.get_value(
			"Sales Invoice",
			self.purchase_invoice,
			["customer", "posting_date", "docstatus", "is_return"],
			as_dict=True,
		)
		if invoice.docstatus != 1 or invoice.is_return:
			frappe.throw(
				_("Sales Invoice {0} is not a submitted sale").format(frappe.bold(self.purchase_invoice)),
				InvoiceMismatchError,
			)
		if self.customer and invoice.customer != self.customer:
			frappe.throw(
				_("Sales Invoice {0} was issued to {1}, not to {2}").format(
					frappe.bold(self.purchase_invoice),
					frappe.bold(invoice.customer),
					frappe.bold(self.customer),
				),
				InvoiceMismatchError,
			)
		if self.item_code and not frappe.db.exists(
			"Sales Invoice Item", {"parent": self.purchase_invoice, "item_code": self.item_code}
		):
			frappe.throw(
				_("Sales Invoice {0} does not contain item {1}").format(
					frappe.bold(self.purchase_invoice), frappe.bold(self.item_code)
				),
				InvoiceMismatchError,
			)
		self.purchase_date = invoice.posting_date

	def set_warranty(self):
		"""Warranty status is never typed in: it is derived on the server from the serial number,
		the purchase date and the item, as of the day the ticket was opened."""
		warranty = derive_warranty(
			self.serial_no, self.item_code, self.purchase_date, getdate(self.opened_on)
		)
		self.warranty_status = warranty.status
		self.warranty_expiry_date = warranty.warranty_expiry_date
		self.amc_expiry_date = warranty.amc_expiry_date

	def set_names(self):
		"""Customer and item names for what validate itself filled in (fetch_from ran before)."""
		if self.customer and (not self.customer_name or self.has_value_changed("customer")):
			self.customer_name = frappe.db.get_value("Customer", self.customer, "customer_name")
		if self.item_code and (not self.item_name or self.has_value_changed("item_code")):
			self.item_name = frappe.db.get_value("Item", self.item_code, "item_name")
		elif not self.item_code:
			self.item_name = None

	def set_type_defaults(self):
		if self.ticket_type and not self.priority:
			self.priority = frappe.get_cached_value(
				"Service Ticket Type", self.ticket_type, "default_priority"
			)

	def set_repeat_count(self):
		if not self.serial_no:
			self.repeat_count = 0
			return
		self.repeat_count = frappe.db.count(
			"Service Ticket",
			{
				"serial_no": self.serial_no,
				"name": ("!=", self.name or ""),
				"opened_on": ("<=", self.opened_on or now_datetime()),
			},
		)


# Fields a workflow action may carry along with the state change, whoever may edit the state.
TRANSITION_FIELDS = {"hold_reason", "dispute_reason"}


def tell_received(ticket):
	"""A new ticket has a responsible person from the first moment, and the customer hears so:
	the customer's acknowledgement with the ticket number, and the responsible agent's notice
	(unless the agent registered it themselves)."""
	agent = ticket.responsible_agent
	notify(ticket, "request_received", "received", agent_name=fullname(agent))
	if agent and agent != frappe.session.user:
		notify(
			ticket, "request_to_handle", "received", channel=_(ticket.channel or "", context="Service Ticket")
		)


def on_update_tell(ticket, method=None):
	"""Service Ticket on_update, after billing and dispatch have followed it (hooks.py)."""
	if ticket.flags.state_log:
		tell_state_change(ticket, ticket.flags.state_log)


def tell_state_change(ticket, log):
	"""The customer hears of the states that concern them (the shipped notifications' condition),
	and of the acceptance: by whom, and when to expect the work done; the technician and the
	responsible agent hear of a disputed resolution."""
	notify(ticket, "state_changed", log.name)
	if log.from_category == ticket_status.AWAITING_CUSTOMER and log.to_category == ticket_status.IN_PROGRESS:
		# the customer disputed the resolution (on the portal, or an agent for them)
		notify(
			ticket,
			"resolution_disputed",
			log.name,
			recipients=[u for u in (ticket.assigned_technician, ticket.responsible_agent) if u],
		)
	if (
		log.from_category == ticket_status.AWAITING_ACCEPTANCE
		and log.to_category == ticket_status.IN_PROGRESS
	):
		notify(
			ticket,
			"ticket_accepted",
			log.name,
			technician_name=fullname(ticket.assigned_technician),
			expected=expected_by(ticket),
		)


def _workflow_name() -> str | None:
	from frappe.model.workflow import get_workflow_name

	return get_workflow_name("Service Ticket")


def _transition_action(from_state: str | None, to_state: str) -> str | None:
	if not from_state:
		return None
	return frappe.db.get_value(
		"Workflow Transition",
		{"parenttype": "Workflow", "parent": _workflow_name(), "state": from_state, "next_state": to_state},
		"action",
	)


def on_doctype_update():
	"""Composite indexes for the state reports and the dispatch queues."""
	frappe.db.add_index("Service Ticket", ["status", "state_since"])
	frappe.db.add_index("Service Ticket", ["workflow_state", "state_since"])
	frappe.db.add_index("Service Ticket", ["status", "accept_deadline"])
	# a technician's open load (aftersales_app.field_service.dispatch.open_loads) without their history
	frappe.db.add_index("Service Ticket", ["assigned_technician", "status"])
