# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Parts used under warranty (保内配件消耗): per part, what the visits of a date range (by check-out)
used on products under warranty or AMC without charging the customer — quantity, value at the
visit's rate, visits and tickets — summed by the database. Staff-only. Read-only, so a replica may
serve it."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Max, Sum
from frappe.utils import add_days

from aftersales_app.core.reports import bar_chart, column, date_range, ticket_filters
from aftersales_app.tickets.warranty import UNDER_AMC, UNDER_WARRANTY


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	from_date, to_date = date_range(filters, months=3)
	visit, part, item = (
		frappe.qb.DocType("Service Visit"),
		frappe.qb.DocType("Service Visit Part"),
		frappe.qb.DocType("Item"),
	)
	query = (
		frappe.qb.from_(part)
		.join(visit)
		.on((part.parent == visit.name) & (part.parenttype == "Service Visit"))
		.join(item)
		.on(item.name == part.item_code)
		.select(
			part.item_code,
			Max(part.item_name).as_("item_name"),
			Max(item.item_group).as_("item_group"),
			Sum(part.qty).as_("qty"),
			Sum(part.amount).as_("amount"),
			Count(visit.name).distinct().as_("visits"),
			Count(visit.ticket).distinct().as_("tickets"),
		)
		.where(
			visit.warranty_status.isin([UNDER_WARRANTY, UNDER_AMC])
			& (part.not_covered == 0)
			& (visit.check_out >= from_date)
			& (visit.check_out < add_days(to_date, 1))
		)
		.groupby(part.item_code)
		.orderby(Sum(part.qty), order=frappe.qb.desc)
		.orderby(part.item_code)
	)
	if filters.item_group:
		query = query.where(item.item_group == filters.item_group)
	if filters.technician:
		query = query.where(visit.technician == filters.technician)
	# the ticket's company and territory (the technician filter is the visit's own, above)
	on_ticket = ticket_filters(frappe._dict(company=filters.company, territory=filters.territory))
	if on_ticket:
		ticket = frappe.qb.DocType("Service Ticket")
		query = query.join(ticket).on(ticket.name == visit.ticket)
		for field, _operator, value in on_ticket:
			query = query.where(ticket[field] == value)
	return query.run(as_dict=True)


def get_columns() -> list[dict]:
	return [
		column("item_code", "Item", "Link", "Item", 150),
		column("item_name", "Item Name", width=180),
		column("item_group", "Item Group", "Link", "Item Group", 140),
		column("qty", "Quantity", "Float", width=90),
		column("amount", "Value", "Currency", width=120),
		column("visits", "Service Visits", "Int", width=80),
		column("tickets", "Tickets", "Int", width=80),
	]


def get_chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:10]
	return bar_chart(
		[row.item_name or row.item_code for row in top], [("Quantity", [row.qty for row in top])], ["#ECAD4B"]
	)
