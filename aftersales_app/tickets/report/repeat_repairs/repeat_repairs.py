# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Repeat repairs (重复报修): the serial numbers, or the customers, with at least N tickets opened in
a date range (complaints and consultations are not repairs), the first and last of them, counted by
the database. Staff read every ticket, so this staff-only report reads the tickets directly.
Read-only, so a replica may serve it."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Max, Min
from frappe.utils import add_days, cint

from aftersales_app.core.reports import bar_chart, column, date_range, ticket_filters
from aftersales_app.customer_care.surveys import COMPLAINT_TYPE

NOT_REPAIRS = (COMPLAINT_TYPE, "Usage Consultation")


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(filters), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	from_date, to_date = date_range(filters, months=12)
	ticket, item = frappe.qb.DocType("Service Ticket"), frappe.qb.DocType("Item")
	by_customer = filters.group_by == "Customer"
	key = ticket.customer if by_customer else ticket.serial_no
	query = (
		frappe.qb.from_(ticket)
		.select(
			key.as_("group_value"),
			Max(ticket.customer_name).as_("customer_name"),
			Max(ticket.item_code).as_("item_code"),
			Max(ticket.item_name).as_("item_name"),
			Count("*").as_("tickets"),
			Min(ticket.opened_on).as_("first_opened"),
			Max(ticket.opened_on).as_("last_opened"),
		)
		.where(
			key.isnotnull()
			& (key != "")
			& ticket.ticket_type.notin(NOT_REPAIRS)
			& (ticket.opened_on >= from_date)
			& (ticket.opened_on < add_days(to_date, 1))
		)
		.groupby(key)
		.having(Count("*") >= max(cint(filters.min_tickets) or 2, 2))
		.orderby(Count("*"), order=frappe.qb.desc)
		.orderby(key)
	)
	for field, _operator, value in ticket_filters(filters):
		query = query.where(ticket[field] == value)
	if filters.item_group:
		query = (
			query.join(item).on(item.name == ticket.item_code).where(item.item_group == filters.item_group)
		)
	if by_customer:
		query = query.select(Count(ticket.serial_no).distinct().as_("serials"))
	return query.run(as_dict=True)


def get_columns(filters) -> list[dict]:
	if filters.group_by == "Customer":
		first = [
			column("group_value", "Customer", "Link", "Customer", 160),
			column("customer_name", "Customer Name", width=180),
			column("serials", "Serial Numbers", "Int", width=110),
		]
	else:
		first = [
			column("group_value", "Serial No", "Link", "Serial No", 160),
			column("item_name", "Item Name", width=160),
			column("customer_name", "Customer Name", width=180),
		]
	return [
		*first,
		column("tickets", "Tickets", "Int", width=80),
		column("first_opened", "First Opened", "Datetime", width=160),
		column("last_opened", "Last Opened", "Datetime", width=160),
	]


def get_chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:10]
	return bar_chart(
		[row.group_value for row in top], [("Tickets", [row.tickets for row in top])], ["#E24C4C"]
	)
