# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Open tickets that have sat in their state longer than N hours (index on status, state_since)."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cint, flt, get_datetime, now_datetime

from aftersales_app.core.reports import column, ticket_columns, ticket_filters, with_technician
from aftersales_app.tickets.status import FINAL_CATEGORIES


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	now = now_datetime()
	data = [
		{**row, "hours_in_state": flt((now - get_datetime(row.state_since)).total_seconds() / 3600, 1)}
		for row in get_stuck(filters, now)
	]
	return get_columns(), data


def get_stuck(filters, now) -> list:
	hours = cint(filters.hours) if filters.hours not in (None, "") else 24
	ticket = DocType("Service Ticket")
	query = (
		frappe.qb.from_(ticket)
		.select(
			ticket.name,
			ticket.subject,
			ticket.customer_name,
			ticket.workflow_state,
			ticket.assigned_technician,
			ticket.state_since,
		)
		.where(ticket.status.notin(FINAL_CATEGORIES))
		.where(ticket.state_since < now - timedelta(hours=hours))
		.orderby(ticket.state_since)
	)
	if filters.workflow_state:
		query = query.where(ticket.workflow_state == filters.workflow_state)
	for field, _operator, value in ticket_filters(with_technician(filters)):
		query = query.where(ticket[field] == value)
	return query.run(as_dict=True)


def get_columns() -> list[dict]:
	return [
		*ticket_columns(
			"name", "subject", "customer_name", "workflow_state", "assigned_technician", "state_since"
		),
		column("hours_in_state", "Hours in State", "Float"),
	]
