"""What the After-Sales workspace (售后服务) shows every morning: its number cards and charts.

Every number is read through `frappe.get_list`, which applies the reader's permissions (the app's
permission query conditions included): a technician's workspace counts their own tickets, a
manager's every ticket. That is also why the charts are the app's own chart sources and not
Frappe's *Group By* charts: those cache one result per chart for every reader. Counting and
grouping happen in the database; every method is read-only, so a site with a replica
(`read_from_replica`) serves them from it."""

import frappe
from frappe import _
from frappe.utils import add_days, add_months, get_first_day, getdate, now_datetime, nowdate

from aftersales_app.core import roles
from aftersales_app.field_service.dispatch import pool_tickets_for
from aftersales_app.tickets import status

OPEN = ["not in", list(status.FINAL_CATEGORIES)]


def _count(doctype: str, filters) -> int:
	rows = frappe.get_list(doctype, filters=filters, fields=["count(*) as n"])
	return rows[0].n if rows else 0


# --- number cards (type Custom) ---------------------------------------------------------------------


@frappe.whitelist()
@frappe.read_only()
def overdue_tickets(filters=None) -> dict:
	"""Open tickets past their resolution target (ERPNext's SLA `sla_resolution_by`)."""
	now = now_datetime()
	filters = {
		"status": OPEN,
		"sla_resolution_by": ["<", now],
		"sla_resolution_date": ["is", "not set"],
	}
	return {
		"value": _count("Service Ticket", filters),
		"fieldtype": "Int",
		"route": ["List", "Service Ticket", "List"],
		"route_options": {"status": OPEN, "sla_resolution_by": ["<", str(now)]},
	}


@frappe.whitelist()
@frappe.read_only()
def tickets_in_the_pool(filters=None) -> dict:
	"""Pool tickets waiting for a technician: for a technician those they may grab (a technician
	lists no pool ticket through the row rules), for everyone else the whole pool; the card opens
	the 工单池 page."""
	if own_technician():
		value = len(pool_tickets_for(frappe.session.user))
	else:
		value = _count("Service Ticket", {"in_pool": 1, "status": OPEN})
	return {"value": value, "fieldtype": "Int", "route": ["service-ticket-pool"]}


@frappe.whitelist()
@frappe.read_only()
def satisfaction_this_month(filters=None) -> dict:
	"""The share of this month's survey answers that are *satisfied* (a technician: their own)."""
	filters = {"status": "Answered", "answered_on": [">=", get_first_day(nowdate())]}
	technician = own_technician()
	if technician:
		filters["technician"] = technician
	elif not frappe.has_permission("Service Survey", "read"):
		return {"value": 0, "fieldtype": "Percent"}
	# get_all for a technician: surveys are staff's to read, but their own scores are theirs to see
	reader = frappe.get_all if technician else frappe.get_list

	def count(extra: dict) -> int:
		return reader("Service Survey", filters={**filters, **extra}, fields=["count(*) as n"])[0].n

	answered = count({})
	value = round(100.0 * count({"overall": "Satisfied"}) / answered, 1) if answered else 0
	return {"value": value, "fieldtype": "Percent", "route": ["query-report", "Service Satisfaction"]}


def own_technician() -> str | None:
	"""The session user's Service Technician when they are a technician and not also staff."""
	if not roles.is_technician_only():
		return None
	return frappe.db.get_value("Service Technician", {"user": frappe.session.user}, "name")


# --- charts (Dashboard Chart Sources) --------------------------------------------------------------


def _filters(filters) -> dict:
	"""The chart's filters: an object (as JSON or a dict) of dates, refused with a clear message
	otherwise."""
	try:
		filters = frappe.parse_json(filters) if filters else {}
	except ValueError:
		filters = None
	if not isinstance(filters, dict):
		frappe.throw(_("Chart filters must be an object of field and value"), frappe.ValidationError)
	for key in ("from_date", "to_date"):
		if filters.get(key) is not None and not isinstance(filters[key], str):
			frappe.throw(_("{0} must be a date").format(key), frappe.ValidationError)
	return filters


def _range(filters, months: int = 1) -> tuple:
	filters = _filters(filters)
	to_date = getdate(filters.get("to_date") or nowdate())
	from_date = getdate(filters.get("from_date") or add_months(to_date, -months))
	if from_date > to_date or (to_date - from_date).days > 731:
		frappe.throw(
			_("Choose a date range of at most two years, the start before the end"), frappe.ValidationError
		)
	return from_date, to_date


@frappe.whitelist()
@frappe.read_only()
def tickets_by_state(filters=None, **kwargs) -> dict:
	"""Open tickets per workflow state, in the workflow's order of states."""
	rows = frappe.get_list(
		"Service Ticket",
		filters={"status": OPEN},
		fields=["workflow_state", "count(*) as n"],
		group_by="workflow_state",
		order_by=None,
	)
	counts = {row.workflow_state: row.n for row in rows}
	order = [s for s in status.state_map() if s in counts] + sorted(
		s for s in counts if s not in status.state_map()
	)
	return {
		"labels": [_(state) for state in order],
		"datasets": [{"name": _("Open Tickets"), "values": [counts[s] for s in order]}],
	}


@frappe.whitelist()
@frappe.read_only()
def new_and_closed(filters=None, **kwargs) -> dict:
	"""Tickets opened and tickets closed per day of the range (a month by default)."""
	from_date, to_date = _range(filters)
	days = [add_days(from_date, n) for n in range((to_date - from_date).days + 1)]
	opened = frappe.get_list(
		"Service Ticket",
		filters={"opened_on": ["between", [from_date, to_date]]},
		fields=["date(opened_on) as day", "count(*) as n"],
		group_by="date(opened_on)",
		order_by=None,
	)
	closed = frappe.get_list(
		"Service Ticket Status Log",
		filters={"to_category": status.CLOSED, "changed_on": ["between", [from_date, to_date]]},
		fields=["date(changed_on) as day", "count(*) as n"],
		group_by="date(changed_on)",
		order_by=None,
	)
	new_by_day = {getdate(row.day): row.n for row in opened}
	closed_by_day = {getdate(row.day): row.n for row in closed}
	return {
		"labels": [frappe.format(day, {"fieldtype": "Date"}) for day in days],
		"datasets": [
			{"name": _("New Tickets"), "values": [new_by_day.get(day, 0) for day in days]},
			{"name": _("Closed Tickets"), "values": [closed_by_day.get(day, 0) for day in days]},
		],
	}


@frappe.whitelist()
@frappe.read_only()
def sla_compliance_by_week(filters=None, **kwargs) -> dict:
	"""Per week (Monday first) of the range (three months by default), the tickets resolved within
	their resolution target and those resolved late, as ERPNext's SLA recorded them."""
	from_date, to_date = _range(filters, months=3)
	from_date = add_days(from_date, -from_date.weekday())
	# per day in the database (Frappe's list query allows no CASE), into weeks here
	rows = frappe.get_list(
		"Service Ticket",
		filters={
			"sla_resolution_date": ["between", [from_date, to_date]],
			"sla_resolution_by": ["is", "set"],
		},
		fields=[
			"date(sla_resolution_date) as day",
			"count(*) as resolved",
			"sum(sla_resolution_date <= sla_resolution_by) as met",
		],
		group_by="date(sla_resolution_date)",
		order_by=None,
	)
	weeks = [add_days(from_date, 7 * n) for n in range((to_date - from_date).days // 7 + 1)]
	met, breached = dict.fromkeys(weeks, 0), dict.fromkeys(weeks, 0)
	for row in rows:
		day = getdate(row.day)
		week = add_days(day, -day.weekday())
		met[week] += int(row.met or 0)
		breached[week] += int(row.resolved) - int(row.met or 0)
	return {
		"labels": [frappe.format(week, {"fieldtype": "Date"}) for week in weeks],
		"datasets": [
			{"name": _("Met"), "values": [met[w] for w in weeks]},
			{"name": _("Breached"), "values": [breached[w] for w in weeks]},
		],
	}
