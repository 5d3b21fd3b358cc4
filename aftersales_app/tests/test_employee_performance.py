"""The Service Employee Performance report (员工绩效) on a known week of tickets: closed counts,
medians to accept and to resolve, first-time fix and reopen rates, repeat repairs within 30 days,
satisfaction, money confirmed, urges, escalations and piece-rate points for technicians; revisits
on time for agents; the range's edges; no data; a technician reads their own row only."""

from datetime import datetime

import pytest

import frappe

from aftersales_app.core.app_fields import app_action
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, make_ticket
from aftersales_app.tickets import status
from aftersales_app.tickets.report.service_employee_performance.service_employee_performance import execute

RANGE = {"from_date": "2026-04-06", "to_date": "2026-04-12"}  # a week no other test writes into


def closed_ticket(opened: datetime, closed: datetime, accepted: datetime | None = None, **values):
	ticket = make_ticket(
		ticket_type=values.pop("ticket_type", "Repair"), serial_no=values.pop("serial_no", None)
	)
	frappe.db.set_value(
		"Service Ticket",
		ticket.name,
		{
			"status": status.CLOSED,
			"workflow_state": status.states_of(status.CLOSED)[0],
			"opened_on": opened,
			"accepted_on": accepted,
			"state_since": closed,
			"responsible_agent": world.AGENT,
			**values,
		},
		update_modified=False,
	)
	return ticket.name


def insert_raw(doctype: str, **values):
	doc = frappe.get_doc({"doctype": doctype, **values})
	doc.name = frappe.generate_hash(length=12)
	doc.db_insert()
	return doc


def survey(ticket: str, technician: str, overall: str, answered_on: datetime):
	doc = frappe.get_doc(
		{
			"doctype": "Service Survey",
			"service_ticket": ticket,
			"customer": world.CUSTOMER,
			"technician": technician,
			"status": "Answered",
			"response_speed": 4,
			"problem_solving": 4,
			"attitude": 4,
			"overall": overall,
			"recommend": 8,
			"answered_on": answered_on,
		}
	)
	with app_action(doc):
		doc.insert(ignore_permissions=True)


@pytest.fixture
def week():
	tech = frappe.db.get_value("Service Technician", {"user": world.TECH})
	tech_b = frappe.db.get_value("Service Technician", {"user": world.TECH_B})
	a = closed_ticket(
		datetime(2026, 4, 6, 8),
		datetime(2026, 4, 7, 8),
		datetime(2026, 4, 6, 10),
		assigned_technician=tech,
		serial_no=world.SERIAL_IN,
		urge_count=1,
	)
	b = closed_ticket(
		datetime(2026, 4, 6, 8),
		datetime(2026, 4, 9, 8),
		datetime(2026, 4, 6, 12),
		assigned_technician=tech,
		ticket_type="Installation",
		reopen_count=1,
		escalation_level=1,
		sla_resolution_date=datetime(2026, 4, 8, 8),
	)
	c = closed_ticket(
		datetime(2026, 4, 7, 8), datetime(2026, 4, 12, 23), datetime(2026, 4, 7, 14), assigned_technician=tech
	)
	closed_ticket(datetime(2026, 4, 7, 8), datetime(2026, 4, 13, 0, 30), assigned_technician=tech)  # after
	closed_ticket(datetime(2026, 4, 1, 8), datetime(2026, 4, 5, 23, 59), assigned_technician=tech)  # before
	closed_ticket(
		datetime(2026, 4, 6, 8), datetime(2026, 4, 8, 8), datetime(2026, 4, 6, 9), assigned_technician=tech_b
	)
	# the serial number of ticket a comes back 20 days after its close
	again = make_ticket(serial_no=world.SERIAL_IN)
	frappe.db.set_value(
		"Service Ticket", again.name, "opened_on", datetime(2026, 4, 27, 8), update_modified=False
	)
	for overall, day in (("Satisfied", 8), ("Satisfied", 9), ("Unsatisfied", 10), ("Unsatisfied", 20)):
		survey(a, tech, overall, datetime(2026, 4, day, 10))
	for amount, state, day in (
		(300, "Confirmed", 8),
		(200, "Confirmed", 12),
		(1000, "Unconfirmed", 9),
		(700, "Confirmed", 14),
	):
		insert_raw(
			"Service Payment",
			service_ticket=a,
			customer=world.CUSTOMER,
			amount=amount,
			status=state,
			collected_by=world.TECH,
			collected_on=datetime(2026, 4, day).date(),
			confirmed_on=datetime(2026, 4, day, 15) if state == "Confirmed" else None,
		)
	# revisits: a's within three days of reaching the revisit, b's after four
	for ticket, entered, called in (
		(a, datetime(2026, 4, 6, 9), datetime(2026, 4, 8, 9)),
		(b, datetime(2026, 4, 6, 9), datetime(2026, 4, 10, 9)),
	):
		insert_raw(
			"Service Ticket Status Log",
			ticket=ticket,
			to_category=status.AWAITING_REVISIT,
			to_state=status.states_of(status.AWAITING_REVISIT)[0],
			changed_on=entered,
			changed_by=world.AGENT,
		)
		insert_raw(
			"Service Revisit",
			service_ticket=ticket,
			agent=world.AGENT,
			called_on=called,
			reached=1,
			problem_solved="Yes",
		)
	settings = frappe.get_single("After-Sales Settings")
	settings.piece_rates = []
	for ticket_type, outcome, points in (
		(None, "Closed First Time", 10),
		("Installation", "Closed First Time", 30),
		(None, "Closed After Reopening", 5),
	):
		settings.append("piece_rates", {"ticket_type": ticket_type, "outcome": outcome, "points": points})
	settings.save()
	return frappe._dict(tech=tech, tech_b=tech_b, tickets=(a, b, c))


def rows(user: str, **filters) -> dict:
	_columns, data, _message, _chart = as_user(user, execute, {**RANGE, **filters})
	return {row.person: row for row in data}


def test_technicians_numbers_on_a_known_week(week):
	mine = rows(world.MANAGER)[week.tech]
	assert mine.closed == 3  # the range's last evening counts, the next night and the day before do not
	assert mine.median_accept_hours == 4.0  # 2, 4 and 6 hours
	assert mine.median_resolve_hours == 48.0  # 24, 48 (ERPNext's resolution time) and 135 hours
	assert (mine.first_time_fix, mine.reopen_rate) == (66.7, 33.3)
	assert mine.repeat_repairs == 1
	assert (mine.surveys, mine.satisfaction) == (3, 66.7)
	assert mine.collected == 500
	assert (mine.urges, mine.escalations) == (1, 1)
	assert mine.points == 25  # 10 + 5 (an installation reopened: the general rate) + 10
	other = rows(world.MANAGER)[week.tech_b]
	assert (other.closed, other.first_time_fix, other.points) == (1, 100.0, 10)


def test_a_technician_reads_their_own_row_only(week):
	assert set(rows(world.TECH)) == {week.tech}
	with pytest.raises(frappe.PermissionError):
		rows(world.TECH, view="Agents")


def test_agents_revisits_on_time(week):
	agent = rows(world.MANAGER, view="Agents")[world.AGENT]
	assert agent.closed >= 4
	assert (agent.revisits, agent.revisits_on_time) == (2, 1)


def test_no_data_gives_no_rows_and_no_chart():
	_columns, data, _message, chart = as_user(
		world.MANAGER, execute, {"from_date": "2025-02-03", "to_date": "2025-02-09"}
	)
	assert data == [] and chart is None
