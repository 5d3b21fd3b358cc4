# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Employee performance (员工绩效) of technicians and agents over the tickets closed in a date range
(closed: in a Closed state, entered within the range):

- technicians: tickets closed, median hours from opening to acceptance and to resolution,
  first-time fix rate (closed without a reopening), reopen rate, repeat repairs (another ticket on
  the same serial number within 30 days of the close), satisfaction (share of satisfied answers in
  the range), money collected and confirmed by finance in the range, urges and escalations
  received, and points by After-Sales Settings' piece rates (per ticket type and outcome);
- agents (the tickets' responsible agents): tickets closed, median hours to resolution, reopen
  rate, satisfaction of their tickets, revisits made in the range and those made within *Revisit
  Within (Days)* of the ticket reaching the revisit, urges and escalations received.

Tickets are read through `frappe.get_list` (the reader's permissions; a technician reads their own
row only); counts and sums of surveys, payments and revisits run in the database; medians come
from the one list of closed tickets. Read-only, so a replica may serve it."""

from collections import defaultdict
from statistics import median

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_days, cint, flt, get_datetime, getdate, nowdate, time_diff_in_hours

from aftersales_app.core import roles
from aftersales_app.core.reports import bar_chart, column, date_range, ticket_filters
from aftersales_app.tickets import status

TECHNICIANS, AGENTS = "Technicians", "Agents"
FIRST_TIME, AFTER_REOPENING = "Closed First Time", "Closed After Reopening"
REPEAT_DAYS = 30
TICKET_FIELDS = [
	"name",
	"assigned_technician",
	"responsible_agent",
	"ticket_type",
	"serial_no",
	"opened_on",
	"accepted_on",
	"sla_resolution_date",
	"state_since",
	"reopen_count",
	"urge_count",
	"escalation_level",
]


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	from_date, to_date = date_range(filters)
	if filters.view == AGENTS:
		roles.require(roles.STAFF)
		rows = agent_rows(closed_tickets(filters, from_date, to_date), from_date, to_date)
		columns = agent_columns()
	else:
		rows = technician_rows(closed_tickets(filters, from_date, to_date), from_date, to_date)
		columns = technician_columns()
	return columns, rows, None, get_chart(rows)


def closed_tickets(filters, from_date, to_date) -> list:
	conditions = [
		["status", "=", status.CLOSED],
		["state_since", ">=", from_date],
		["state_since", "<", add_days(to_date, 1)],
	]
	conditions += ticket_filters(filters)
	if roles.is_technician_only():
		# their own row, not those of tickets they may read for another reason (the pool)
		own = frappe.db.get_value("Service Technician", {"user": frappe.session.user}, "name")
		conditions.append(["assigned_technician", "=", own or ""])
	return frappe.get_list(
		"Service Ticket", filters=conditions, fields=TICKET_FIELDS, limit_page_length=0, order_by=None
	)


def hours(start, end) -> float | None:
	if not start or not end:
		return None
	return time_diff_in_hours(get_datetime(end), get_datetime(start))


def median_of(values) -> float | None:
	values = [v for v in values if v is not None]
	return flt(median(values), 1) if values else None


def share(part: int, whole: int) -> float:
	return flt(100.0 * part / whole, 1) if whole else 0.0


def common(tickets: list) -> dict:
	"""What technicians' and agents' rows share, from their closed tickets."""
	reopened = sum(1 for t in tickets if cint(t.reopen_count))
	return {
		"closed": len(tickets),
		"median_resolve_hours": median_of(
			hours(t.opened_on, t.sla_resolution_date or t.state_since) for t in tickets
		),
		"reopen_rate": share(reopened, len(tickets)),
		"urges": sum(cint(t.urge_count) for t in tickets),
		"escalations": sum(1 for t in tickets if cint(t.escalation_level)),
	}


# --- technicians ----------------------------------------------------------------------------------


def technician_rows(tickets: list, from_date, to_date) -> list[dict]:
	by_technician = defaultdict(list)
	for ticket in tickets:
		if ticket.assigned_technician:
			by_technician[ticket.assigned_technician].append(ticket)
	if not by_technician:
		return []
	technicians = sorted(by_technician)
	people = {
		row.name: row
		for row in frappe.get_all(
			"Service Technician",
			filters={"name": ("in", technicians)},
			fields=["name", "user", "technician_name"],
		)
	}
	users = {name: row.user for name, row in people.items()}
	satisfaction = survey_shares("technician", technicians, from_date, to_date)
	collected = collected_by({u for u in users.values() if u}, from_date, to_date)
	repeats = repeat_repairs(tickets)
	rates = piece_rates()
	rows = []
	for technician in technicians:
		own = by_technician[technician]
		first_time = [t for t in own if not cint(t.reopen_count)]
		answered, satisfied = satisfaction.get(technician, (0, 0))
		rows.append(
			frappe._dict(
				person=technician,
				person_name=people[technician].technician_name if technician in people else technician,
				**common(own),
				median_accept_hours=median_of(hours(t.opened_on, t.accepted_on) for t in own),
				first_time_fix=share(len(first_time), len(own)),
				repeat_repairs=sum(1 for t in own if t.name in repeats),
				surveys=answered,
				satisfaction=share(satisfied, answered) if answered else None,
				collected=flt(collected.get(users.get(technician), 0)),
				points=flt(sum(points_of(t, rates) for t in own), 2),
			)
		)
	return sorted(rows, key=lambda r: (-r.closed, r.person))


def survey_shares(field: str, people: list[str], from_date, to_date) -> dict:
	"""person → (answers, satisfied answers) of the surveys answered in the range."""
	survey = frappe.qb.DocType("Service Survey")
	rows = (
		frappe.qb.from_(survey)
		.select(
			survey[field],
			Count("*"),
			Sum(Case().when(survey.overall == "Satisfied", 1).else_(0)),
		)
		.where(
			(survey.status == "Answered")
			& survey[field].isin(people)
			& (survey.answered_on >= from_date)
			& (survey.answered_on < add_days(to_date, 1))
		)
		.groupby(survey[field])
		.run()
	)
	return {person: (cint(answered), cint(satisfied)) for person, answered, satisfied in rows}


def collected_by(users: set[str], from_date, to_date) -> dict:
	"""user → money they collected that finance confirmed in the range."""
	if not users:
		return {}
	payment = frappe.qb.DocType("Service Payment")
	rows = (
		frappe.qb.from_(payment)
		.select(payment.collected_by, Sum(payment.amount))
		.where(
			(payment.status == "Confirmed")
			& payment.collected_by.isin(list(users))
			& (payment.confirmed_on >= from_date)
			& (payment.confirmed_on < add_days(to_date, 1))
		)
		.groupby(payment.collected_by)
		.run()
	)
	return {user: flt(amount) for user, amount in rows}


def repeat_repairs(tickets: list) -> set[str]:
	"""The closed tickets whose serial number came back: another ticket opened within 30 days of the
	close (whoever took it)."""
	closed = [t for t in tickets if t.serial_no]
	if not closed:
		return set()
	later = frappe.get_all(
		"Service Ticket",
		filters={
			"serial_no": ("in", sorted({t.serial_no for t in closed})),
			"opened_on": (">=", min(get_datetime(t.state_since) for t in closed)),
		},
		fields=["name", "serial_no", "opened_on"],
	)
	by_serial = defaultdict(list)
	for row in later:
		by_serial[row.serial_no].append(row)
	repeats = set()
	for ticket in closed:
		closed_at = get_datetime(ticket.state_since)
		for other in by_serial[ticket.serial_no]:
			if (
				other.name != ticket.name
				and 0 <= (get_datetime(other.opened_on) - closed_at).days < REPEAT_DAYS
			):
				repeats.add(ticket.name)
				break
	return repeats


def piece_rates() -> dict:
	return {
		(row.ticket_type or None, row.outcome): flt(row.points)
		for row in frappe.get_cached_doc("After-Sales Settings").get("piece_rates") or []
	}


def points_of(ticket, rates: dict) -> float:
	outcome = AFTER_REOPENING if cint(ticket.reopen_count) else FIRST_TIME
	return rates.get((ticket.ticket_type, outcome), rates.get((None, outcome), 0.0))


# --- agents ---------------------------------------------------------------------------------------


def agent_rows(tickets: list, from_date, to_date) -> list[dict]:
	by_agent = defaultdict(list)
	for ticket in tickets:
		if ticket.responsible_agent:
			by_agent[ticket.responsible_agent].append(ticket)
	revisits = revisits_made(from_date, to_date)
	agents = sorted(set(by_agent) | set(revisits))
	if not agents:
		return []
	satisfaction = agent_survey_shares(agents, from_date, to_date)
	rows = []
	for agent in agents:
		own = by_agent.get(agent, [])
		made, on_time = revisits.get(agent, (0, 0))
		answered, satisfied = satisfaction.get(agent, (0, 0))
		rows.append(
			frappe._dict(
				person=agent,
				person_name=frappe.utils.get_fullname(agent),
				**common(own),
				surveys=answered,
				satisfaction=share(satisfied, answered) if answered else None,
				revisits=made,
				revisits_on_time=on_time,
			)
		)
	return sorted(rows, key=lambda r: (-r.closed, r.person))


def agent_survey_shares(agents: list[str], from_date, to_date) -> dict:
	survey, ticket = frappe.qb.DocType("Service Survey"), frappe.qb.DocType("Service Ticket")
	rows = (
		frappe.qb.from_(survey)
		.join(ticket)
		.on(ticket.name == survey.service_ticket)
		.select(
			ticket.responsible_agent,
			Count("*"),
			Sum(Case().when(survey.overall == "Satisfied", 1).else_(0)),
		)
		.where(
			(survey.status == "Answered")
			& ticket.responsible_agent.isin(agents)
			& (survey.answered_on >= from_date)
			& (survey.answered_on < add_days(to_date, 1))
		)
		.groupby(ticket.responsible_agent)
		.run()
	)
	return {agent: (cint(answered), cint(satisfied)) for agent, answered, satisfied in rows}


def revisits_made(from_date, to_date) -> dict:
	"""agent → (revisits made in the range, those made within Revisit Within (Days) of the ticket
	entering the revisit category: the last such entry before the call)."""
	revisit, log = frappe.qb.DocType("Service Revisit"), frappe.qb.DocType("Service Ticket Status Log")
	days = cint(frappe.get_cached_doc("After-Sales Settings").get("revisit_due_days")) or 3
	calls = (
		frappe.qb.from_(revisit)
		.select(revisit.agent, revisit.service_ticket, revisit.called_on)
		.where((revisit.called_on >= from_date) & (revisit.called_on < add_days(to_date, 1)))
		.run(as_dict=True)
	)
	if not calls:
		return {}
	entries = defaultdict(list)
	for ticket, changed_on in (
		frappe.qb.from_(log)
		.select(log.ticket, log.changed_on)
		.where(
			log.ticket.isin(sorted({c.service_ticket for c in calls}))
			& (log.to_category == status.AWAITING_REVISIT)
		)
		.run()
	):
		entries[ticket].append(get_datetime(changed_on))
	result = defaultdict(lambda: [0, 0])
	for call in calls:
		called = get_datetime(call.called_on)
		entered = max((e for e in entries[call.service_ticket] if e <= called), default=None)
		result[call.agent][0] += 1
		if entered and (called - entered).total_seconds() <= days * 86400:
			result[call.agent][1] += 1
	return {agent: tuple(counts) for agent, counts in result.items()}


# --- columns and chart ----------------------------------------------------------------------------


def one_decimal(columns: list[dict]) -> list[dict]:
	for col in columns:
		if col["fieldtype"] == "Float":
			col["precision"] = 1
	return columns


def technician_columns() -> list[dict]:
	return one_decimal(
		[
			column("person", "Technician", "Link", "Service Technician", 150),
			column("person_name", "Name", width=110),
			column("closed", "Closed", "Int", width=80),
			column("median_accept_hours", "Median Hours to Accept", "Float", width=120),
			column("median_resolve_hours", "Median Hours to Resolve", "Float", width=120),
			column("first_time_fix", "First-Time Fix (%)", "Percent", width=110),
			column("reopen_rate", "Reopened (%)", "Percent", width=100),
			column("repeat_repairs", "Repeat Repairs (30 Days)", "Int", width=120),
			column("surveys", "Survey Answers", "Int", width=100),
			column("satisfaction", "Satisfied (%)", "Percent", width=100),
			column("collected", "Collected", "Currency", width=120),
			column("urges", "Urges", "Int", width=70),
			column("escalations", "Escalations", "Int", width=90),
			column("points", "Points", "Float", width=80),
		]
	)


def agent_columns() -> list[dict]:
	return one_decimal(
		[
			column("person", "Agent", "Link", "User", 200),
			column("person_name", "Name", width=110),
			column("closed", "Closed", "Int", width=80),
			column("median_resolve_hours", "Median Hours to Resolve", "Float", width=120),
			column("reopen_rate", "Reopened (%)", "Percent", width=100),
			column("surveys", "Survey Answers", "Int", width=100),
			column("satisfaction", "Satisfied (%)", "Percent", width=100),
			column("revisits", "Revisits", "Int", width=80),
			column("revisits_on_time", "Revisits on Time", "Int", width=110),
			column("urges", "Urges", "Int", width=70),
			column("escalations", "Escalations", "Int", width=90),
		]
	)


def get_chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	return bar_chart(
		[row.person_name or row.person for row in rows], [("Closed", [r.closed for r in rows])], ["#449CF0"]
	)
