# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Frequent faults (高频故障): per item (or item group) and fault type, the tickets opened in a date
range, their share of that product's tickets with a fault type, and how many came back on a serial
number that had been in service before — counted by the database. Staff-only; read-only, so a
replica may serve it."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Max, Sum
from frappe.utils import add_days, cint, flt

from aftersales_app.core.reports import bar_chart, column, date_range, ticket_filters


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(filters), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	from_date, to_date = date_range(filters, months=3)
	ticket, item = frappe.qb.DocType("Service Ticket"), frappe.qb.DocType("Item")
	by_group = filters.group_by == "Item Group"
	product = item.item_group if by_group else ticket.item_code
	query = (
		frappe.qb.from_(ticket)
		.join(item)
		.on(item.name == ticket.item_code)
		.select(
			product.as_("product"),
			Max(item.item_name).as_("item_name"),
			ticket.fault_type,
			Count("*").as_("tickets"),
			Sum(Case().when(ticket.repeat_count > 0, 1).else_(0)).as_("repeats"),
		)
		.where(
			ticket.fault_type.isnotnull()
			& (ticket.fault_type != "")
			& (ticket.opened_on >= from_date)
			& (ticket.opened_on < add_days(to_date, 1))
		)
		.groupby(product, ticket.fault_type)
		.orderby(Count("*"), order=frappe.qb.desc)
		.orderby(product)
		.orderby(ticket.fault_type)
	)
	if filters.item_group:
		query = query.where(item.item_group == filters.item_group)
	for field, _operator, value in ticket_filters(filters):
		query = query.where(ticket[field] == value)
	rows = query.run(as_dict=True)
	per_product: dict[str, int] = {}
	for row in rows:
		per_product[row.product] = per_product.get(row.product, 0) + cint(row.tickets)
	for row in rows:
		row.share = flt(100.0 * row.tickets / per_product[row.product], 1)
		row.repeats = cint(row.repeats)
	return rows


def get_columns(filters) -> list[dict]:
	first = (
		[column("product", "Item Group", "Link", "Item Group", 160)]
		if filters.group_by == "Item Group"
		else [column("product", "Item", "Link", "Item", 140), column("item_name", "Item Name", width=160)]
	)
	return [
		*first,
		column("fault_type", "Fault Type", "Link", "Service Fault Type", 160),
		column("tickets", "Tickets", "Int", width=80),
		column("share", "Share of the Product's Faults (%)", "Percent", width=170),
		column("repeats", "On Serial Numbers Seen Before", "Int", width=170),
	]


def get_chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	totals: dict[str, int] = {}
	for row in rows:
		totals[row.fault_type] = totals.get(row.fault_type, 0) + row.tickets
	top = sorted(totals, key=lambda fault: (-totals[fault], fault))[:10]
	return bar_chart(top, [("Tickets", [totals[f] for f in top])], ["#7575FF"])
