# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""How long tickets sit in each state before they leave it: average, median and 90th percentile
over the stays that ended in the date range (the bottleneck view), computed by the database from
the status log."""

from pypika import analytics as an

import frappe
from frappe import _
from frappe.query_builder import DocType, Field
from frappe.query_builder.functions import Avg, Count, Max
from frappe.utils import add_days, flt, getdate

from aftersales_app.core.reports import column, ticket_filters
from aftersales_app.tickets.reports_by_state import state_chart, state_columns, state_row

HOUR = 3600.0


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	data = [
		{
			**state_row(r.from_state),
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
	"""Count, average and longest grouped in the database; the percentiles read from the stays
	ranked per state (ROW_NUMBER), only the rows at the percentiles' positions. Both are one pass
	over the stays in the range, sorted once: linear in them, where MariaDB's windowed
	PERCENTILE_CONT grew with their square."""
	log, query = stays_in(filters)
	seconds = log.seconds_in_previous
	rows = (
		query.select(
			log.from_state,
			Count("*").as_("stays"),
			Avg(seconds).as_("average"),
			Max(seconds).as_("longest"),
		)
		.groupby(log.from_state)
		.run(as_dict=True)
	)
	positions = {r.from_state: {f: _positions(f, r.stays) for f in PERCENTILES} for r in rows if r.stays}
	wanted = {p for per_state in positions.values() for pair in per_state.values() for p in pair}
	log, query = stays_in(filters)
	ranked = query.select(
		log.from_state,
		log.seconds_in_previous.as_("seconds"),
		an.RowNumber().over(log.from_state).orderby(log.seconds_in_previous).as_("position"),
	)
	at = {
		(r.from_state, r.position): flt(r.seconds)
		for r in frappe.qb.from_(ranked)
		.select("from_state", "seconds", "position")
		.where(Field("position").isin(list(wanted) or [0]))
		.run(as_dict=True)
	}
	for r in rows:
		for fraction, key in PERCENTILES.items():
			low, high = positions[r.from_state][fraction]
			exact = fraction * (r.stays - 1)
			lower = at.get((r.from_state, low), 0.0)
			r[key] = lower + (exact - int(exact)) * (at.get((r.from_state, high), lower) - lower)
	return sorted(rows, key=lambda r: -flt(r.average))


# fraction → key: the interpolated percentiles PERCENTILE_CONT gives
PERCENTILES = {0.5: "median", 0.9: "p90"}


def _positions(fraction: float, count: int) -> tuple[int, int]:
	"""The 1-based ranks either side of the `fraction` percentile of `count` sorted values."""
	exact = fraction * (count - 1)
	return int(exact) + 1, min(int(exact) + 2, count)


def stays_in(filters):
	"""The status log's stays that ended in the range (joined to the ticket only when a ticket
	filter asks for it: the log alone answers the unfiltered report), on its (from_state,
	changed_on) and changed_on indexes."""
	log = DocType("Service Ticket Status Log")
	query = frappe.qb.from_(log).where(log.from_state.isnotnull())
	if filters.from_date:
		query = query.where(log.changed_on >= getdate(filters.from_date))
	if filters.to_date:
		query = query.where(log.changed_on < add_days(getdate(filters.to_date), 1))
	if filters.workflow_state:
		query = query.where(log.from_state == filters.workflow_state)
	on_ticket = ticket_filters(filters)
	if on_ticket:
		ticket = DocType("Service Ticket")
		query = query.join(ticket).on(ticket.name == log.ticket)
		for field, _operator, value in on_ticket:
			query = query.where(ticket[field] == value)
	return log, query


def get_columns() -> list[dict]:
	return [
		*state_columns(150),
		column("stays", "Stays", "Int", width=90),
		column("average_hours", "Average (Hours)", "Float", width=130),
		column("median_hours", "Median (Hours)", "Float", width=130),
		column("p90_hours", "90th Percentile (Hours)", "Float", width=170),
		column("max_hours", "Longest (Hours)", "Float", width=130),
	]


def get_chart(data: list[dict]) -> dict:
	return state_chart(data, [("Average (Hours)", "average_hours"), ("90th Percentile (Hours)", "p90_hours")])
