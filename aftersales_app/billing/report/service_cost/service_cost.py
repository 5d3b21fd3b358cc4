# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Service cost (服务成本) per ticket closed in a date range against what it charged: parts at the
cost ERPNext's stock ledger booked for the visits' stock entries, labour at After-Sales Settings'
*Labour Cost per Hour*, the charge and what was paid, and the margin. Summed by the database (one
query for the tickets, one for their parts' cost). For managers and finance; read-only, so a
replica may serve it."""

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, flt

from aftersales_app.core.reports import bar_chart, column, date_range, ticket_columns, ticket_filters
from aftersales_app.tickets import status


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(), rows, None, get_chart(rows)


def closed_in_range(ticket, filters):
	from_date, to_date = date_range(filters)
	condition = (
		(ticket.status == status.CLOSED)
		& (ticket.state_since >= from_date)
		& (ticket.state_since < add_days(to_date, 1))
	)
	for field, _operator, value in ticket_filters(filters):
		condition &= ticket[field] == value
	return condition


def get_rows(filters) -> list[dict]:
	ticket = frappe.qb.DocType("Service Ticket")
	visit, sle = frappe.qb.DocType("Service Visit"), frappe.qb.DocType("Stock Ledger Entry")
	tickets = (
		frappe.qb.from_(ticket)
		.select(
			ticket.name,
			ticket.subject,
			ticket.customer_name,
			ticket.ticket_type,
			ticket.assigned_technician,
			ticket.labour_hours,
			ticket.charge_amount,
			ticket.paid_amount,
		)
		.where(closed_in_range(ticket, filters))
		.orderby(ticket.state_since)
		.run(as_dict=True)
	)
	if not tickets:
		return []
	parts_cost = dict(
		frappe.qb.from_(visit)
		.join(ticket)
		.on(ticket.name == visit.ticket)
		.join(sle)
		.on(
			(sle.voucher_type == "Stock Entry")
			& (sle.voucher_no == visit.stock_entry)
			& (sle.is_cancelled == 0)
		)
		.select(visit.ticket, Sum(sle.stock_value_difference))
		.where(closed_in_range(ticket, filters))
		.groupby(visit.ticket)
		.run()
	)
	rate = flt(frappe.get_cached_doc("After-Sales Settings").get("labour_cost_per_hour"))
	for row in tickets:
		row.parts_cost = -flt(parts_cost.get(row.name))
		row.labour_cost = flt(row.labour_hours) * rate
		row.total_cost = row.parts_cost + row.labour_cost
		row.charge_amount = flt(row.charge_amount)
		row.paid_amount = flt(row.paid_amount)
		row.margin = row.charge_amount - row.total_cost
	return tickets


def get_columns() -> list[dict]:
	return [
		*ticket_columns("name", "subject", "customer_name"),
		column("ticket_type", "Ticket Type", "Link", "Service Ticket Type", 120),
		column("assigned_technician", "Technician", "Link", "Service Technician", 150),
		column("parts_cost", "Parts Cost", "Currency", width=110),
		column("labour_hours", "Labour Hours", "Float", width=100),
		column("labour_cost", "Labour Cost", "Currency", width=110),
		column("total_cost", "Total Cost", "Currency", width=110),
		column("charge_amount", "Charged", "Currency", width=110),
		column("paid_amount", "Paid", "Currency", width=110),
		column("margin", "Margin", "Currency", width=110),
	]


def get_chart(rows: list[dict]) -> dict | None:
	"""Cost and charge per ticket type."""
	if not rows:
		return None
	by_type: dict[str, list[float]] = {}
	for row in rows:
		totals = by_type.setdefault(row.ticket_type or _("Not Set"), [0.0, 0.0])
		totals[0] += row.total_cost
		totals[1] += row.charge_amount
	labels = sorted(by_type)
	return bar_chart(
		[_(label) for label in labels],
		[("Total Cost", [by_type[t][0] for t in labels]), ("Charged", [by_type[t][1] for t in labels])],
		["#E24C4C", "#29CD42"],
		fieldtype="Currency",
	)
