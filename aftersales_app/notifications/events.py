"""What the app tells, and whom: each event, its audience, the context its texts may use, and the
Notification records shipped for it (their texts in English here, installed in the site's language
by aftersales_app.notifications.setup; from then on the admin's to edit).

A Notification belongs to an event by its `method` (`aftersales_<event>`, event "Method"), which
no Document ever runs, so Frappe never sends these itself: aftersales_app.notifications.outbox does, once
per event, occurrence and recipient, after the commit."""

from dataclasses import dataclass, field

import frappe

from aftersales_app.core import roles
from aftersales_app.portal.display import when

EMAIL, SYSTEM, SMS, ROBOT = "Email", "System Notification", "SMS", "Robot"


@dataclass(frozen=True)
class Shipped:
	"""A Notification record the app ships for an event."""

	name: str  # the record's name (English; translated on install)
	channel: str
	subject: str
	message: str
	condition: str = ""


@dataclass(frozen=True)
class Event:
	key: str
	doctype: str
	label: str
	staff: str | None = None  # an audience function below by name, another domain's by dotted path
	customer: bool = False  # the ticket's customer (contact), on their preferred channel
	shipped: tuple = field(default_factory=tuple)
	# context values only the customer may read (a one-time link): the texts are made with a
	# placeholder, and the value itself is sealed for the customer's own message alone
	# (aftersales_app.notifications.secrets)
	secrets: tuple = ()

	@property
	def method(self) -> str:
		return f"aftersales_{self.key}"


# --- audiences: users of the desk an event concerns -----------------------------------------------


def responsible_agent(doc, context) -> list[str]:
	return [doc.responsible_agent] if doc.get("responsible_agent") else []


def assigned_technician(doc, context) -> list[str]:
	return [doc.assigned_technician] if doc.get("assigned_technician") else []


def transfer_requester(doc, context) -> list[str]:
	return [context["requested_by"]] if context.get("requested_by") else []


def finance(doc, context) -> list[str]:
	return roles.users_with({roles.ACCOUNTS_USER, roles.ACCOUNTS_MANAGER})


def collector(doc, context) -> list[str]:
	return [doc.collected_by or doc.owner]


def given(doc, context) -> list[str]:
	"""Whom the flow names (the escalation chain's level, the ticket's technician and agent)."""
	return list(context.get("recipients") or [])


AUDIENCES = {
	f.__name__: f
	for f in (
		given,
		responsible_agent,
		assigned_technician,
		transfer_requester,
		finance,
		collector,
	)
}

# --- the events -----------------------------------------------------------------------------------

TICKET, PAYMENT, SURVEY, CONTACT = "Service Ticket", "Service Payment", "Service Survey", "Contact"
REMINDER, RETURN = "Maintenance Reminder", "Service Return"

# categories whose news the customer hears (the shipped condition; the admin may widen it)
CUSTOMER_CATEGORIES = ("Awaiting Customer", "Awaiting Payment", "Closed", "Cancelled")

EVENTS = {
	e.key: e
	for e in (
		Event(
			"ticket_accepted",
			TICKET,
			"Ticket accepted",
			customer=True,
			shipped=(
				Shipped(
					"After-Sales: ticket accepted (customer e-mail)",
					EMAIL,
					"Service ticket {{ doc.name }} accepted",
					"Your service ticket {{ doc.name }} ({{ doc.subject }}) was accepted by {{ technician_name }}.{% if expected %} Expected by {{ expected }}.{% endif %}",
				),
				Shipped(
					"After-Sales: ticket accepted (customer SMS)",
					SMS,
					"",
					"Your service ticket {{ doc.name }} was accepted by {{ technician_name }}.{% if expected %} Expected by {{ expected }}.{% endif %}",
				),
			),
		),
		Event(
			"request_received",
			TICKET,
			"Request received",
			customer=True,
			shipped=(
				Shipped(
					"After-Sales: request received (customer e-mail)",
					EMAIL,
					"We received your service request {{ doc.name }}",
					"We received your service request {{ doc.name }} ({{ doc.subject }}).{% if agent_name %} {{ agent_name }} of customer service is responsible for it.{% endif %} We will tell you of each step; you can follow it with the ticket number on our website.",
				),
				Shipped(
					"After-Sales: request received (customer SMS)",
					SMS,
					"",
					"We received your service request {{ doc.name }}.{% if agent_name %} {{ agent_name }} of customer service is responsible for it.{% endif %}",
				),
			),
		),
		Event(
			"request_to_handle",
			TICKET,
			"New request to handle",
			staff="responsible_agent",
			shipped=(
				Shipped(
					"After-Sales: new request to handle",
					SYSTEM,
					"New service request {{ doc.name }}: {{ doc.subject }}",
					"{{ doc.customer_name or doc.customer }} filed service request {{ doc.name }} ({{ doc.subject }}) by {{ channel }}: you are its responsible agent.",
				),
			),
		),
		Event(
			"state_changed",
			TICKET,
			"Ticket state changed",
			customer=True,
			shipped=(
				Shipped(
					"After-Sales: ticket news (customer e-mail)",
					EMAIL,
					"Service ticket {{ doc.name }}: {{ doc.workflow_state }}",
					"Your service ticket {{ doc.name }} ({{ doc.subject }}) is now: {{ doc.workflow_state }}.",
					f"doc.status in {CUSTOMER_CATEGORIES!r}",
				),
				Shipped(
					"After-Sales: ticket news (customer SMS)",
					SMS,
					"",
					"Your service ticket {{ doc.name }} is now: {{ doc.workflow_state }}.",
					f"doc.status in {CUSTOMER_CATEGORIES!r}",
				),
			),
		),
		Event(
			"ticket_assigned",
			TICKET,
			"Ticket assigned",
			staff="assigned_technician",
			# the desk and e-mail notice is Frappe's own assignment (ToDo) notice
			shipped=(
				Shipped(
					"After-Sales: ticket assigned (technician SMS)",
					SMS,
					"",
					"Service ticket {{ doc.name }} is assigned to you: {{ doc.subject }}, {{ doc.customer_name }}. Please accept it by {{ deadline }}.",
				),
			),
		),
		Event(
			"pool_available",
			TICKET,
			"Pool ticket available",
			staff="aftersales_app.field_service.dispatch.pool_audience",
			shipped=(
				Shipped(
					"After-Sales: new ticket in the pool",
					SYSTEM,
					"New ticket in the pool: {{ doc.name }} {{ doc.subject }} ({{ doc.territory or '' }})",
					"Service ticket {{ doc.name }} ({{ doc.subject }}, {{ doc.territory or '' }}) waits in the ticket pool until {{ deadline }}: grab it if you can take it.",
				),
				# technicians are out on the road: the pool also reaches the channels they carry
				Shipped(
					"After-Sales: new ticket in the pool (technician e-mail)",
					EMAIL,
					"New ticket in the pool: {{ doc.name }} {{ doc.subject }} ({{ doc.territory or '' }})",
					"Service ticket {{ doc.name }} ({{ doc.subject }}, {{ doc.territory or '' }}) waits in the ticket pool until {{ deadline }}: grab it if you can take it.",
				),
				Shipped(
					"After-Sales: new ticket in the pool (technician SMS)",
					SMS,
					"",
					"New ticket in the pool: {{ doc.name }} {{ doc.subject }} ({{ doc.territory or '' }}), until {{ deadline }}.",
				),
			),
		),
		Event(
			"transfer_requested",
			TICKET,
			"Transfer requested",
			staff="responsible_agent",
			shipped=(
				Shipped(
					"After-Sales: transfer requested",
					SYSTEM,
					"{{ requested_by_name }} asks to transfer ticket {{ doc.name }} to {{ colleague_name }}",
					"{{ requested_by_name }} asks to transfer service ticket {{ doc.name }} to {{ colleague_name }}: {{ doc.transfer_reason }}",
				),
			),
		),
		Event(
			"transfer_answered",
			TICKET,
			"Transfer answered",
			staff="transfer_requester",
			shipped=(
				Shipped(
					"After-Sales: transfer answered",
					SYSTEM,
					"Transfer of ticket {{ doc.name }} to {{ colleague_name }}: {{ answer }}",
					"Your request to transfer service ticket {{ doc.name }} to {{ colleague_name }} was answered: {{ answer }}.",
				),
			),
		),
		Event(
			"accept_timeout",
			TICKET,
			"Acceptance timed out",
			staff="responsible_agent",
			shipped=(
				Shipped(
					"After-Sales: acceptance timed out",
					SYSTEM,
					"Nobody accepted service ticket {{ doc.name }} in time",
					"Nobody accepted service ticket {{ doc.name }} ({{ doc.subject }}) in time: {{ outcome }}.",
				),
			),
		),
		Event(
			"payment_submitted",
			PAYMENT,
			"Payment awaiting confirmation",
			staff="finance",
			shipped=(
				Shipped(
					"After-Sales: payment awaiting confirmation",
					SYSTEM,
					"Payment {{ doc.name }} awaits your confirmation",
					"{{ collector_name }} collected {{ amount }} for service ticket {{ doc.service_ticket }} ({{ doc.mode_of_payment }}): please confirm it.",
				),
			),
		),
		Event(
			"payment_rejected",
			PAYMENT,
			"Payment rejected",
			staff="collector",
			shipped=(
				Shipped(
					"After-Sales: payment rejected",
					SYSTEM,
					"Payment {{ doc.name }} was rejected",
					"Finance rejected payment {{ doc.name }} of {{ amount }} for service ticket {{ doc.service_ticket }}: {{ doc.rejection_reason }}",
				),
			),
		),
		Event(
			"resolution_disputed",
			TICKET,
			"Resolution disputed",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: resolution disputed",
					SYSTEM,
					"The customer disputed the resolution of ticket {{ doc.name }}",
					"The customer of service ticket {{ doc.name }} ({{ doc.subject }}) says the problem is not solved: {{ doc.dispute_reason or '' }}",
				),
			),
		),
		Event(
			"survey_due",
			SURVEY,
			"Satisfaction survey",
			customer=True,
			secrets=("link",),
			shipped=(
				Shipped(
					"After-Sales: satisfaction survey (customer e-mail)",
					EMAIL,
					"How did we do? Service ticket {{ doc.service_ticket }}",
					# plain text: Frappe translates a message without its markup
					"Thank you for choosing us. Please tell us how we did on service ticket {{ doc.service_ticket }}: {{ link }}",
				),
				Shipped(
					"After-Sales: satisfaction survey (customer SMS)",
					SMS,
					"",
					"Please rate our service on ticket {{ doc.service_ticket }}: {{ link }}",
				),
			),
		),
		Event(
			"birthday_greeting",
			CONTACT,
			"Birthday greeting",
			customer=True,
			shipped=(
				Shipped(
					"After-Sales: birthday greeting (e-mail)",
					EMAIL,
					"Happy birthday, {{ doc.first_name }}",
					"Dear {{ doc.first_name }}, happy birthday from all of us who look after {{ doc.customer_name }}. Thank you for your trust.",
				),
				Shipped(
					"After-Sales: birthday greeting (SMS)",
					SMS,
					"",
					"Dear {{ doc.first_name }}, happy birthday! Thank you for your trust.",
				),
			),
		),
		Event(
			"maintenance_offer",
			REMINDER,
			"Check-up offer",
			customer=True,
			secrets=("link",),
			shipped=(
				Shipped(
					"After-Sales: check-up offer (customer e-mail)",
					EMAIL,
					"Time for a check-up: {{ doc.item_name or doc.serial_no }}",
					"Dear customer, your {{ doc.item_name or doc.serial_no }} is due for a check-up on {{ doc.due_date }}. Accept or decline the offer here: {{ link }}",
				),
				Shipped(
					"After-Sales: check-up offer (customer SMS)",
					SMS,
					"",
					"Your {{ doc.item_name or doc.serial_no }} is due for a check-up. Accept or decline: {{ link }}",
				),
			),
		),
		Event(
			"maintenance_follow_up",
			REMINDER,
			"Check-up offer to follow up",
			staff="responsible_agent",
			shipped=(
				Shipped(
					"After-Sales: check-up offer to follow up",
					SYSTEM,
					"Check-up offer {{ doc.name }} to {{ doc.customer_name }}",
					"{{ doc.customer_name }} was offered a check-up of {{ doc.item_name or doc.serial_no }} (due {{ doc.due_date }}): call them and record their answer on offer {{ doc.name }}.",
				),
			),
		),
		Event(
			"complaint_opened",
			TICKET,
			"Complaint from a survey",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: complaint from a survey",
					SYSTEM,
					"Unsatisfied customer: complaint {{ doc.name }}",
					"Satisfaction survey {{ survey }} of ticket {{ doc.related_ticket }} was answered low: complaint {{ doc.name }} ({{ doc.customer_name }}) waits for you.",
				),
			),
		),
		Event(
			"sla_warning",
			TICKET,
			"Resolution target nearing",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: resolution target nearing",
					SYSTEM,
					"Ticket {{ doc.name }}: {{ percent }}% of the resolution target used",
					"Service ticket {{ doc.name }} ({{ doc.subject }}, {{ doc.workflow_state }}) has used {{ percent }}% of its resolution target: it must be resolved by {{ resolution_by }}.",
				),
			),
		),
		Event(
			"sla_escalation",
			TICKET,
			"Resolution target breached",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: resolution target breached",
					SYSTEM,
					"Escalation: ticket {{ doc.name }} missed its resolution target",
					"Service ticket {{ doc.name }} ({{ doc.subject }}, {{ doc.customer_name }}) was due by {{ resolution_by }} and is still {{ doc.workflow_state }}. Technician: {{ doc.assigned_technician or '-' }}.",
				),
			),
		),
		Event(
			"state_overdue",
			TICKET,
			"Too long in a state",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: too long in a state",
					SYSTEM,
					"Ticket {{ doc.name }} has been {{ doc.workflow_state }} for over {{ hours }} hours",
					"Service ticket {{ doc.name }} ({{ doc.subject }}) has been {{ doc.workflow_state }} for more than the {{ hours }} hours allowed.",
				),
			),
		),
		Event(
			"urge_received",
			TICKET,
			"Customer urged",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: customer urged",
					SYSTEM,
					"The customer urged ticket {{ doc.name }} ({{ urges }})",
					"The customer of service ticket {{ doc.name }} ({{ doc.subject }}) urged it, {{ urges }} time(s) so far.{% if note %} {{ note }}{% endif %}",
				),
			),
		),
		Event(
			"return_step",
			RETURN,
			"Return step",
			customer=True,
			shipped=(
				Shipped(
					"After-Sales: return news (customer e-mail)",
					EMAIL,
					"Return {{ doc.name }}: {{ step }}",
					"Your return {{ doc.name }} (service ticket {{ doc.service_ticket }}) is now: {{ step }}.{% if doc.tracking_no %} Shipment: {{ doc.carrier }} {{ doc.tracking_no }}.{% endif %}",
				),
				Shipped(
					"After-Sales: return news (customer SMS)",
					SMS,
					"",
					"Your return {{ doc.name }} is now: {{ step }}.",
				),
			),
		),
		Event(
			"refund_requested",
			RETURN,
			"Refund awaiting confirmation",
			staff="finance",
			shipped=(
				Shipped(
					"After-Sales: refund awaiting confirmation",
					SYSTEM,
					"Refund of return {{ doc.name }} awaits your confirmation",
					"Return {{ doc.name }} of {{ doc.customer_name }} (service ticket {{ doc.service_ticket }}) passed inspection: credit note {{ doc.credit_note }} refunds {{ amount }}. Please confirm the refund.",
				),
			),
		),
		Event(
			"urge_escalation",
			TICKET,
			"Urges escalated",
			staff="given",
			shipped=(
				Shipped(
					"After-Sales: urges escalated",
					SYSTEM,
					"Escalation: ticket {{ doc.name }} urged {{ urges }} times",
					"The customer of service ticket {{ doc.name }} ({{ doc.subject }}, {{ doc.customer_name }}) urged it {{ urges }} times. Technician: {{ doc.assigned_technician or '-' }}; responsible agent: {{ doc.responsible_agent or '-' }}.",
				),
			),
		),
	)
}


def event_of_method(method: str | None) -> Event | None:
	"""The event whose Notifications carry `method` (aftersales_<event>)."""
	if not method or not method.startswith("aftersales_"):
		return None
	return EVENTS.get(method.removeprefix("aftersales_"))


def told_to_customer(event_key: str | None) -> bool:
	"""Whether the event speaks to the customer: its texts are the customer's (links, their own
	ticket's news), never a staff chat's."""
	event = EVENTS.get(event_key or "")
	return bool(event and (event.customer or event.secrets))


def staff_of(event: Event, doc, context: dict) -> list[str]:
	"""The event's staff audience: a function above by name, or another domain's by its dotted path
	(resolved when asked, so this module imports no flow that tells through it)."""
	if not event.staff:
		return []
	audience = AUDIENCES.get(event.staff) or frappe.get_attr(event.staff)
	return [u for u in audience(doc, context) if u and u not in ("Administrator", "Guest")]


# --- context the texts may use, beyond `doc` -------------------------------------------------------


def fullname(user: str | None) -> str:
	return frappe.utils.get_fullname(user) if user else ""


def expected_by(ticket) -> str:
	"""When the customer may expect the work: the next visit scheduled, else the agreement's
	resolution target."""
	visit = frappe.qb.DocType("Service Visit")
	start = (
		frappe.qb.from_(visit)
		.select(visit.scheduled_start)
		.where((visit.ticket == ticket.name) & (visit.scheduled_start >= frappe.utils.now_datetime()))
		.orderby(visit.scheduled_start)
		.limit(1)
		.run(pluck=True)
	)
	return when(start[0] if start else ticket.get("sla_resolution_by"))
