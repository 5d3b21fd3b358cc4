# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Open tickets that have sat in their state longer than N hours (index on status, state_since)."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cint, flt, get_datetime, now_datetime

from aftersales_app.status import FINAL_CATEGORIES


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
	if filters.assigned_technician:
		query = query.where(ticket.assigned_technician == filters.assigned_technician)
	return query.run(as_dict=True)


def get_columns() -> list[dict]:
	return [
		{
			"fieldname": "name",
			"label": _("Service Ticket"),
			"fieldtype": "Link",
			"options": "Service Ticket",
			"width": 170,
		},
		{"fieldname": "subject", "label": _("Subject"), "fieldtype": "Data", "width": 200},
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 180},
		{
			"fieldname": "workflow_state",
			"label": _("Workflow State"),
			"fieldtype": "Link",
			"options": "Workflow State",
			"width": 130,
		},
		{
			"fieldname": "assigned_technician",
			"label": _("Assigned Technician"),
			"fieldtype": "Link",
			"options": "Service Technician",
			"width": 160,
		},
		{"fieldname": "state_since", "label": _("In State Since"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "hours_in_state", "label": _("Hours in State"), "fieldtype": "Float", "width": 120},
	]
