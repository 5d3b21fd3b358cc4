"""Caring for customers over time: birthday greetings (生日祝福) to the contacts of customers, once a
year on the birthday, through the contact's preferred channel.

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
from frappe.utils import getdate, nowdate

from aftersales_app import jobs
from aftersales_app.notify import notify


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
