# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Tickets waiting for their revisit call (回访) longer than After-Sales Settings allow, with how
long, by responsible agent; the chart counts them per agent (their number to bring down)."""

import frappe
from frappe import _
from frappe.utils import flt, get_datetime, now_datetime

from aftersales_app.core.reports import column, ticket_columns, ticket_filters
from aftersales_app.customer_care.revisits import overdue_query


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	now = now_datetime()
	query = overdue_query(now)
	ticket = frappe.qb.DocType("Service Ticket")
	if filters.responsible_agent:
		query = query.where(ticket.responsible_agent == filters.responsible_agent)
	for field, _operator, value in ticket_filters(filters):
		query = query.where(ticket[field] == value)
	data = [
		{**row, "days_waiting": flt((now - get_datetime(row.state_since)).total_seconds() / 86400, 1)}
		for row in query.run(as_dict=True)
	]
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		*ticket_columns(
			"name", "subject", "customer_name", "responsible_agent", "assigned_technician", "state_since"
		),
		column("days_waiting", "Days Waiting", "Float", width=110),
	]


def get_chart(data: list[dict]) -> dict | None:
	if not data:
		return None
	counts: dict[str, int] = {}
	for row in data:
		agent = row.get("responsible_agent") or _("Not Set")
		counts[agent] = counts.get(agent, 0) + 1
	return {
		"data": {
			"labels": list(counts),
			"datasets": [{"name": _("Overdue Revisits"), "values": list(counts.values())}],
		},
		"type": "bar",
		"colors": ["#e24c4c"],
	}
