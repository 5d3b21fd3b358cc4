# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""How many tickets are in each workflow state, and their share: where the work is piling up."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count
from frappe.utils import add_days, flt, getdate

from aftersales_app.core.reports import column, ticket_filters, with_technician
from aftersales_app.tickets.reports_by_state import state_chart, state_columns, state_row


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_counts(filters)
	total = sum(r.count for r in rows) or 1
	data = [
		{
			**state_row(r.workflow_state),
			"count": r.count,
			"share": flt(r.count * 100 / total, 1),
		}
		for r in rows
	]
	return get_columns(), data, None, get_chart(data)


def get_counts(filters) -> list:
	ticket = DocType("Service Ticket")
	query = (
		frappe.qb.from_(ticket)
		.select(ticket.workflow_state, Count(ticket.name).as_("count"))
		.groupby(ticket.workflow_state)
	)
	if filters.from_date:
		query = query.where(ticket.opened_on >= getdate(filters.from_date))
	if filters.to_date:
		query = query.where(ticket.opened_on < add_days(getdate(filters.to_date), 1))
	for field, _operator, value in ticket_filters(with_technician(filters)):
		query = query.where(ticket[field] == value)
	rows = query.run(as_dict=True)
	order = {state: i for i, state in enumerate(workflow_order())}
	return sorted(rows, key=lambda r: (order.get(r.workflow_state, len(order)), r.workflow_state or ""))


def workflow_order() -> list[str]:
	from frappe.model.workflow import get_workflow

	return [row.state for row in get_workflow("Service Ticket").states]


def get_columns() -> list[dict]:
	return [
		*state_columns(160),
		column("count", "Tickets", "Int", width=100),
		column("share", "Share (%)", "Percent", width=100),
	]


def get_chart(data: list[dict]) -> dict:
	return state_chart(data, [("Tickets", "count")], ["#2490ef"])
