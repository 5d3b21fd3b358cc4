"""Maintenance reminders (保养提醒): a check-up offer to the customer, a follow-up for their agent,
and a maintenance ticket when the customer accepts.

Two sources, both ERPNext's own data:
- **Service period**: a serial number with a customer that has been in service for After-Sales
  Settings' *Check-up Every (Months)* (and again every so many months). Its *In Service Since* is
  the warranty start (ERPNext's warranty expiry less the warranty period) unless someone set it;
  its *Next Check-up* (indexed) is when the next offer is due, so the daily job reads only the
  serial numbers that are due.
- **ERPNext Maintenance Schedule**: a pending visit of a submitted schedule, *Remind Before
  Scheduled Visit (Days)* ahead.

Each offer has a key (the serial number and the due date, or the schedule's visit row) that the
database keeps unique: a job run twice, or again after dying half way, offers nothing twice, and
next year's check-up is a new key. The offer's link carries a one-time token (only its SHA-256 is
kept, as for surveys); the customer accepts or declines through it without a login, or signed in,
or tells their agent, who records the answer in the desk. Accepting opens a ticket of the
settings' check-up type for that serial number."""

import hashlib
import secrets

import frappe
from frappe import _
from frappe.query_builder import CustomFunction, Interval
from frappe.utils import add_days, add_months, cint, get_url, getdate, now_datetime, nowdate

from aftersales_app.core import jobs, locks
from aftersales_app.core.app_fields import app_action
from aftersales_app.notifications.notify import notify
from aftersales_app.tickets import agents

OFFERED, ACCEPTED, DECLINED, EXPIRED = "Offered", "Accepted", "Declined", "Expired"
SERVICE_PERIOD, SCHEDULE = "Service Period", "Maintenance Schedule"
DEFAULT_TICKET_TYPE = "Maintenance Check"
DOCTYPE = "Maintenance Reminder"
# MariaDB's SUBDATE(date, days)
SubDate = CustomFunction("SUBDATE", ["date", "days"])


def settings():
	return frappe.get_cached_doc("After-Sales Settings")


def _setting(fieldname: str, default: int) -> int:
	value = settings().get(fieldname)
	return default if value is None or value == "" else cint(value)


def period_months() -> int:
	"""0: no check-ups by service period."""
	return _setting("check_up_after_months", 12)


def token_hash(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


# --- serial numbers ------------------------------------------------------------------------------


def on_serial_validate(doc, method=None):
	"""Serial No: its in-service date from the warranty dates when nobody set one, and its next
	check-up from the in-service date."""
	if not doc.get("aftersales_in_service_since") and doc.warranty_expiry_date and cint(doc.warranty_period):
		doc.aftersales_in_service_since = add_days(doc.warranty_expiry_date, -cint(doc.warranty_period))
	months = period_months()
	if doc.get("aftersales_in_service_since") and months:
		if not doc.get("aftersales_next_check_up") or doc.has_value_changed("aftersales_in_service_since"):
			doc.aftersales_next_check_up = add_months(getdate(doc.aftersales_in_service_since), months)


def fill_in_service_dates():
	"""The serial numbers whose warranty dates ERPNext wrote without a save (deliveries write them
	straight to the table): their in-service date and first check-up, one update each."""
	serial = frappe.qb.DocType("Serial No")
	(
		frappe.qb.update(serial)
		.set(serial.aftersales_in_service_since, SubDate(serial.warranty_expiry_date, serial.warranty_period))
		.where(
			serial.aftersales_in_service_since.isnull()
			& serial.warranty_expiry_date.isnotnull()
			& (serial.warranty_period > 0)
		)
		.run()
	)
	months = period_months()
	if months:
		(
			frappe.qb.update(serial)
			.set(
				serial.aftersales_next_check_up, serial.aftersales_in_service_since + Interval(months=months)
			)
			.where(serial.aftersales_next_check_up.isnull() & serial.aftersales_in_service_since.isnotnull())
			.run()
		)


def due_serials(today=None) -> list[str]:
	serial = frappe.qb.DocType("Serial No")
	return (
		frappe.qb.from_(serial)
		.select(serial.name)
		.where(
			(serial.aftersales_next_check_up <= getdate(today or nowdate()))
			& serial.customer.isnotnull()
			& (serial.customer != "")
			& serial.status.notin(["Consumed", "Expired"])
		)
		.orderby(serial.aftersales_next_check_up)
		.run(pluck=True)
	)


def offer_for_serial(serial_no: str, today=None):
	"""The check-up offer of one serial number that is due, then its next check-up moves past
	today (a check-up missed for years is offered once, not once per missed year)."""
	today = getdate(today or nowdate())
	months = period_months()
	row = frappe.db.get_value(
		"Serial No",
		serial_no,
		["customer", "item_code", "aftersales_next_check_up"],
		as_dict=True,
		for_update=True,
	)
	if not (row and row.customer and row.aftersales_next_check_up and months):
		return None
	due = getdate(row.aftersales_next_check_up)
	if due > today:
		return None
	reminder = make_offer(
		customer=row.customer,
		serial_no=serial_no,
		item_code=row.item_code,
		source=SERVICE_PERIOD,
		due_date=due,
		key=f"serial|{serial_no}|{due}",
	)
	following = due
	while following <= today:
		following = add_months(following, months)
	frappe.db.set_value("Serial No", serial_no, "aftersales_next_check_up", following, update_modified=False)
	return reminder


# --- ERPNext's maintenance schedules ----------------------------------------------------------------


def due_schedule_visits(today=None) -> list[str]:
	"""Pending visits of submitted schedules within the reminder window that have no offer yet."""
	today = getdate(today or nowdate())
	days = _setting("schedule_reminder_days", 7)
	detail, schedule = (
		frappe.qb.DocType("Maintenance Schedule Detail"),
		frappe.qb.DocType("Maintenance Schedule"),
	)
	names = (
		frappe.qb.from_(detail)
		.join(schedule)
		.on(detail.parent == schedule.name)
		.select(detail.name)
		.where(
			(schedule.docstatus == 1)
			& (detail.parenttype == "Maintenance Schedule")
			& (detail.completion_status == "Pending")
			& (detail.scheduled_date >= today)
			& (detail.scheduled_date <= add_days(today, days))
		)
		.orderby(detail.scheduled_date)
		.run(pluck=True)
	)
	if not names:
		return []
	offered = set(
		frappe.get_all(
			DOCTYPE, filters={"reminder_key": ("in", [f"schedule|{n}" for n in names])}, pluck="reminder_key"
		)
	)
	return [n for n in names if f"schedule|{n}" not in offered]


def offer_for_schedule_visit(detail_name: str):
	visit = frappe.db.get_value(
		"Maintenance Schedule Detail",
		detail_name,
		["parent", "item_code", "serial_no", "scheduled_date"],
		as_dict=True,
	)
	customer, contact = frappe.db.get_value(
		"Maintenance Schedule", visit.parent, ["customer", "contact_person"]
	)
	serials = [s.strip() for s in (visit.serial_no or "").replace(",", "\n").split("\n") if s.strip()]
	return make_offer(
		customer=customer,
		contact=contact,
		serial_no=serials[0] if serials and frappe.db.exists("Serial No", serials[0]) else None,
		item_code=visit.item_code,
		source=SCHEDULE,
		due_date=visit.scheduled_date,
		maintenance_schedule=visit.parent,
		key=f"schedule|{detail_name}",
	)


# --- offers ------------------------------------------------------------------------------------------


def primary_contact(customer: str) -> str | None:
	contact = frappe.db.get_value("Customer", customer, "customer_primary_contact")
	if contact:
		return contact
	return frappe.db.get_value(
		"Dynamic Link",
		{"parenttype": "Contact", "link_doctype": "Customer", "link_name": customer},
		"parent",
	)


def agent_of(customer: str) -> str | None:
	"""The agent responsible for the customer's latest ticket, else the next in the rotation."""
	latest = frappe.get_all(
		"Service Ticket",
		filters={"customer": customer, "responsible_agent": ("is", "set")},
		fields=["responsible_agent"],
		order_by="opened_on desc",
		limit=1,
	)
	return latest[0].responsible_agent if latest else agents.next_agent()


def make_offer(customer, source, due_date, key, serial_no=None, item_code=None, contact=None, **values):
	"""Offer a check-up once per key: the customer hears through their channel with a one-time
	link, their agent gets a follow-up (a ToDo and a notification)."""
	if frappe.db.exists(DOCTYPE, {"reminder_key": key}):
		return None
	# hex: a plain-text mail part escapes "_" in a link (`\_`), which would break the token there
	token = secrets.token_hex(24)
	reminder = frappe.get_doc(
		{
			"doctype": DOCTYPE,
			"customer": customer,
			"contact": contact or primary_contact(customer),
			"serial_no": serial_no,
			"item_code": item_code
			or (frappe.db.get_value("Serial No", serial_no, "item_code") if serial_no else None),
			"source": source,
			"due_date": due_date,
			"reminder_key": key,
			"status": OFFERED,
			"responsible_agent": agent_of(customer),
			"offered_on": now_datetime(),
			"expires_on": add_days(nowdate(), _setting("check_up_offer_valid_days", 30)),
			"token_hash": token_hash(token),
			**values,
		}
	)
	with app_action(reminder):
		reminder.insert(ignore_permissions=True)
	if reminder.responsible_agent:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": reminder.responsible_agent,
				"reference_type": DOCTYPE,
				"reference_name": reminder.name,
				"description": _("Follow up the check-up offer to {0}").format(
					reminder.customer_name or customer
				),
				"date": add_days(nowdate(), 3),
			}
		).insert(ignore_permissions=True)
	link = get_url(f"/check-up?token={token}")
	notify(reminder, "maintenance_offer", key, link=link)
	notify(reminder, "maintenance_follow_up", key)
	return reminder


def offer_due(today=None):
	"""Scheduler job (daily): offers due by service period and by maintenance schedule, one row at a
	time (aftersales_app.core.jobs), then the offers nobody answered in time expire."""
	fill_in_service_dates()
	if period_months():
		jobs.each(due_serials(today), lambda name: offer_for_serial(name, today), "Check-up offer of {0}")
	jobs.each(due_schedule_visits(today), offer_for_schedule_visit, "Check-up offer of schedule visit {0}")
	expire(today)


def expire(today=None):
	names = frappe.get_all(
		DOCTYPE,
		filters={"status": OFFERED, "expires_on": ("<", getdate(today or nowdate()))},
		pluck="name",
	)
	jobs.each(names, lambda name: _close(name, EXPIRED, None), "Expiring check-up offer {0}")


# --- answers -----------------------------------------------------------------------------------------


def by_token(token) -> str | None:
	"""The open offer of a link's token; None for a used, expired or unknown one alike."""
	if not token or not isinstance(token, str):
		return None
	name = frappe.db.get_value(DOCTYPE, {"token_hash": token_hash(token[:200]), "status": OFFERED}, "name")
	if name and getdate(frappe.db.get_value(DOCTYPE, name, "expires_on")) >= getdate(nowdate()):
		return name
	return None


def open_offers_of(customers: list[str]) -> list[str]:
	return frappe.get_all(
		DOCTYPE,
		filters={"customer": ("in", customers), "status": OFFERED, "expires_on": (">=", nowdate())},
		pluck="name",
		order_by="creation desc",
	)


def answer(name: str, accept: bool, by: str, channel: str = "Web Portal"):
	"""Record the customer's answer once; accepting opens the check-up ticket."""
	return _close(name, ACCEPTED if accept else DECLINED, by, channel)


def _close(name: str, outcome: str, by: str | None, channel: str = "Web Portal"):
	locks.lock(DOCTYPE, name)
	reminder = frappe.get_doc(DOCTYPE, name)
	if reminder.status != OFFERED or (
		outcome != EXPIRED and reminder.expires_on and getdate(reminder.expires_on) < getdate(nowdate())
	):
		frappe.throw(_("This check-up offer can no longer be answered"), frappe.ValidationError)
	if outcome == ACCEPTED:
		reminder.service_ticket = open_ticket(reminder, channel).name
	reminder.update({"status": outcome, "answered_on": now_datetime() if by else None, "answered_by": by})
	with app_action(reminder):
		reminder.save(ignore_permissions=True)
	todo = frappe.qb.DocType("ToDo")
	(
		frappe.qb.update(todo)
		.set(todo.status, "Closed")
		.where((todo.reference_type == DOCTYPE) & (todo.reference_name == name) & (todo.status == "Open"))
		.run()
	)
	return reminder


def open_ticket(reminder, channel: str):
	ticket_type = settings().get("check_up_ticket_type") or DEFAULT_TICKET_TYPE
	what = reminder.item_name or reminder.item_code or reminder.serial_no or ""
	ticket = frappe.get_doc(
		{
			"doctype": "Service Ticket",
			"subject": _("Check-up: {0}").format(what) if what else _("Check-up"),
			"customer": reminder.customer,
			"contact": reminder.contact,
			"ticket_type": ticket_type,
			"channel": channel,
			"serial_no": reminder.serial_no,
			"item_code": reminder.item_code,
			"responsible_agent": reminder.responsible_agent,
			"description": _("Check-up accepted from offer {0} (due {1})").format(
				reminder.name, frappe.utils.formatdate(reminder.due_date)
			),
		}
	)
	with app_action(ticket):
		ticket.insert(ignore_permissions=True)
	return ticket
