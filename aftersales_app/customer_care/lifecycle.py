"""Caring for customers over time: their lifecycle (活跃 / 休眠 / 流失) and birthday greetings (生日祝福).

Lifecycle: a customer is Active while their last service ticket or purchase (submitted Sales
Invoice) is recent, Dormant after After-Sales Settings' *Dormant After (Days)* and Lost after *Lost
After (Days)*. A new ticket or invoice makes its customer Active at once (only that customer is
touched); a daily job moves the customers whose last activity crossed a threshold, read by the
index on the last-activity date, never by scanning every customer.

Birthday greetings: to the contacts of customers, once a year on the birthday, through the
contact's preferred channel.

The greeting is a Frappe Notification on Contact (*After-Sales: birthday greeting*); the contact it
sees carries its customer's `customer_name` and `customer_group`: a template per customer group is
a copy of it with a condition such as `doc.customer_group == "大客户"` (and the opposite condition
on the general one). The
outbox keys each greeting by contact and year, so a job run twice, or again after dying, greets
nobody twice."""

import calendar

from pypika.enums import DatePart
from pypika.functions import Extract

import frappe
from frappe.utils import add_days, cint, getdate, nowdate

from aftersales_app.core import jobs
from aftersales_app.notifications.notify import notify


def birthday_contacts(day=None) -> list[str]:
	"""Contacts of customers whose birthday is `day` (today); those born on 29 February are greeted
	on the 28th in other years."""
	day = getdate(day or nowdate())
	contact, link = frappe.qb.DocType("Contact"), frappe.qb.DocType("Dynamic Link")
	dates = [(day.month, day.day)]
	if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
		dates.append((2, 29))
	condition = None
	for month, date in dates:
		one = (Extract(DatePart.month, contact.birthday) == month) & (
			Extract(DatePart.day, contact.birthday) == date
		)
		condition = one if condition is None else condition | one
	return (
		frappe.qb.from_(contact)
		.join(link)
		.on(
			(link.parent == contact.name) & (link.parenttype == "Contact") & (link.link_doctype == "Customer")
		)
		.select(contact.name)
		.distinct()
		.where(contact.birthday.isnotnull() & condition)
		.orderby(contact.name)
		.run(pluck=True)
	)


def greet(contact_name: str, year: int | None = None):
	"""The birthday greeting of one contact (once per year: the outbox decides)."""
	contact = frappe.get_doc("Contact", contact_name)
	customer = next((link.link_name for link in contact.links if link.link_doctype == "Customer"), None)
	values = (
		frappe.db.get_value("Customer", customer, ["customer_name", "customer_group"], as_dict=True) or {}
	)
	# on the document the texts and conditions see (`doc.customer_group`): not saved
	contact.customer_name = values.get("customer_name") or ""
	contact.customer_group = values.get("customer_group") or ""
	notify(contact, "birthday_greeting", f"birthday|{year or getdate().year}")


def send_birthday_greetings():
	"""Scheduler job (daily): greet today's birthdays, one contact at a time."""
	year = getdate().year
	jobs.each(birthday_contacts(), lambda name: greet(name, year), "Birthday greeting of {0}")


# --- lifecycle -----------------------------------------------------------------------------------

ACTIVE, DORMANT, LOST = "Active", "Dormant", "Lost"


def thresholds() -> tuple[int, int]:
	settings = frappe.get_cached_doc("After-Sales Settings")
	return cint(settings.dormant_after_days) or 180, cint(settings.lost_after_days) or 365


def lifecycle_of(last_activity, today=None) -> str:
	dormant, lost = thresholds()
	days = (getdate(today or nowdate()) - getdate(last_activity)).days
	return LOST if days >= lost else DORMANT if days >= dormant else ACTIVE


def touch_customer(customer: str | None, day):
	"""The customer was served or bought on `day`: their last activity moves forward (never back)
	and their lifecycle follows."""
	if not customer:
		return
	last = frappe.db.get_value("Customer", customer, "aftersales_last_activity")
	day = getdate(day)
	if last and getdate(last) >= day:
		return
	frappe.db.set_value(
		"Customer",
		customer,
		{"aftersales_last_activity": day, "aftersales_lifecycle": lifecycle_of(day)},
		update_modified=False,
	)


def on_ticket_insert(doc, method=None):
	touch_customer(doc.customer, doc.opened_on or nowdate())


def on_invoice_submit(doc, method=None):
	if not doc.is_return:
		touch_customer(doc.customer, doc.posting_date)


def update_lifecycles(today=None):
	"""Scheduler job (daily): customers whose last activity crossed a threshold move on."""
	today = getdate(today or nowdate())
	dormant, lost = thresholds()
	customer = frappe.qb.DocType("Customer")
	for status, days, before in ((LOST, lost, (ACTIVE, DORMANT, "")), (DORMANT, dormant, (ACTIVE, ""))):
		names = (
			frappe.qb.from_(customer)
			.select(customer.name)
			.where(
				(customer.aftersales_last_activity <= add_days(today, -days))
				& (customer.aftersales_lifecycle.isin(list(before)) | customer.aftersales_lifecycle.isnull())
			)
			.run(pluck=True)
		)
		for name in names:
			frappe.db.set_value("Customer", name, "aftersales_lifecycle", status, update_modified=False)
