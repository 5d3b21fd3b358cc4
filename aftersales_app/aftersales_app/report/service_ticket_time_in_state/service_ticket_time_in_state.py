# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""How long tickets sit in each state before they leave it: average, median and 90th percentile
over the stays that ended in the date range (the bottleneck view). The database computes the
percentiles from the status log, using its (from_state, changed_on) and changed_on indexes."""

from pypika import analytics as an

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import add_days, flt, getdate

from aftersales_app.query import PercentileCont
from aftersales_app.reports import ticket_filters
from aftersales_app.status import state_map

HOUR = 3600.0


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	categories = state_map()
	data = [
		{
			"workflow_state": r.from_state,
			"category": _(
				categories.get(r.from_state, frappe._dict()).category or "", context="Service Ticket"
			),
			"stays": r.stays,
			"average_hours": flt(r.average / HOUR, 2),
			"median_hours": flt(r.median / HOUR, 2),
			"p90_hours": flt(r.p90 / HOUR, 2),
			"max_hours": flt(r.longest / HOUR, 2),
		}
		for r in get_stays(filters)
	]
	return get_columns(), data, None, get_chart(data)


def get_stays(filters) -> list:
	log = DocType("Service Ticket Status Log")
	seconds = log.seconds_in_previous
	query = (
		frappe.qb.from_(log)
		.select(
			log.from_state,
			an.Count(log.name).over(log.from_state).as_("stays"),
			an.Avg(seconds).over(log.from_state).as_("average"),
			PercentileCont(0.5, seconds).over(log.from_state).as_("median"),
			PercentileCont(0.9, seconds).over(log.from_state).as_("p90"),
			an.Max(seconds).over(log.from_state).as_("longest"),
		)
		.distinct()
		.where(log.from_state.isnotnull())
	)
	if filters.from_date:
		query = query.where(log.changed_on >= getdate(filters.from_date))
	if filters.to_date:
		query = query.where(log.changed_on < add_days(getdate(filters.to_date), 1))
	if filters.workflow_state:
		query = query.where(log.from_state == filters.workflow_state)
	on_ticket = ticket_filters(filters)
	if on_ticket:  # joined only when asked: the log alone answers the unfiltered report
		ticket = DocType("Service Ticket")
		query = query.join(ticket).on(ticket.name == log.ticket)
		for field, _operator, value in on_ticket:
			query = query.where(ticket[field] == value)
	return sorted(query.run(as_dict=True), key=lambda r: -flt(r.average))


def get_columns() -> list[dict]:
	return [
		{
			"fieldname": "workflow_state",
			"label": _("Workflow State"),
			"fieldtype": "Link",
			"options": "Workflow State",
			"width": 150,
		},
		{"fieldname": "category", "label": _("Category"), "fieldtype": "Data", "width": 150},
		{"fieldname": "stays", "label": _("Stays"), "fieldtype": "Int", "width": 90},
		{"fieldname": "average_hours", "label": _("Average (Hours)"), "fieldtype": "Float", "width": 130},
		{"fieldname": "median_hours", "label": _("Median (Hours)"), "fieldtype": "Float", "width": 130},
		{"fieldname": "p90_hours", "label": _("90th Percentile (Hours)"), "fieldtype": "Float", "width": 170},
		{"fieldname": "max_hours", "label": _("Longest (Hours)"), "fieldtype": "Float", "width": 130},
	]


def get_chart(data: list[dict]) -> dict:
	return {
		"data": {
			"labels": [_(d["workflow_state"]) for d in data],
			"datasets": [
				{"name": _("Average (Hours)"), "values": [d["average_hours"] for d in data]},
				{"name": _("90th Percentile (Hours)"), "values": [d["p90_hours"] for d in data]},
			],
		},
		"type": "bar",
	}
