"""The state reports' numbers on a known set of tickets moved at frozen times."""

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe
from frappe.model.workflow import apply_workflow

from aftersales_app.tests import world
from aftersales_app.tests.utils import act, make_ticket
from aftersales_app.tickets.report.service_ticket_status_summary import service_ticket_status_summary
from aftersales_app.tickets.report.service_ticket_time_in_state import service_ticket_time_in_state
from aftersales_app.tickets.report.stuck_service_tickets import stuck_service_tickets
from aftersales_app.tickets.status import states_of

START = datetime(2025, 3, 3, 9, 0, 0)
DAY = {"from_date": "2025-03-03", "to_date": "2025-03-03"}


def at(hours: float):
	return freeze_time(START + timedelta(hours=hours))


@pytest.fixture
def tickets():
	"""T1 reaches work, T2 waits for acceptance, T3 waits for dispatch, T4 is still under review."""
	agent, tech = world.AGENT, world.TECH
	with at(0):
		t = [make_ticket(subject=f"报表测试 {i}", assigned_technician=tech) for i in range(1, 5)]
	for ticket, approved in ((t[0], 2), (t[1], 4), (t[2], 6)):
		with at(approved):
			act(ticket, "审核通过", agent)
	with at(5):
		act(t[0], "派单", agent)
		act(t[1], "派单", agent)
	with at(5.5):
		act(t[0], "接单", tech)
	return t


def rows_by_state(data):
	return {row["workflow_state"]: row for row in data}


def test_status_summary_counts_and_shares(tickets):
	_columns, data, _message, chart = service_ticket_status_summary.execute(DAY)
	rows = rows_by_state(data)
	expected = {
		states_of("In Progress")[0]: 1,
		states_of("Awaiting Acceptance")[0]: 1,
		states_of("Dispatching")[0]: 1,
		states_of("Pending Review")[0]: 1,
	}
	assert {state: rows[state]["count"] for state in expected} == expected
	assert sum(r["count"] for r in data) == 4
	assert all(rows[state]["share"] == 25.0 for state in expected)
	assert chart["data"]["datasets"][0]["values"] == [r["count"] for r in data]
	# the workflow's own order, not the alphabet
	assert [r["workflow_state"] for r in data] == [s for s in workflow_states() if s in rows]


def workflow_states():
	return [row.state for row in frappe.get_doc("Workflow", "Service Ticket Workflow").states]


def test_time_in_state_average_median_and_90th_percentile(tickets):
	_columns, data, _message, _chart = service_ticket_time_in_state.execute(DAY)
	rows = rows_by_state(data)
	review = rows[states_of("Pending Review")[0]]  # stays of 2, 4 and 6 hours
	assert (review["stays"], review["average_hours"], review["median_hours"]) == (3, 4.0, 4.0)
	assert review["p90_hours"] == 5.6 and review["max_hours"] == 6.0
	dispatch = rows[states_of("Dispatching")[0]]  # 3 and 1 hours
	assert (
		dispatch["stays"],
		dispatch["average_hours"],
		dispatch["median_hours"],
		dispatch["p90_hours"],
	) == (
		2,
		2.0,
		2.0,
		2.8,
	)
	acceptance = rows[states_of("Awaiting Acceptance")[0]]  # half an hour, once
	assert (acceptance["stays"], acceptance["average_hours"]) == (1, 0.5)
	assert states_of("In Progress")[0] not in rows  # nobody has left it yet
	assert data[0]["workflow_state"] == review["workflow_state"]  # the bottleneck first


def test_time_in_state_outside_the_range_is_empty(tickets):
	assert service_ticket_time_in_state.execute({"from_date": "2025-03-04", "to_date": "2025-03-10"})[1] == []


def test_stuck_tickets_longer_than_n_hours(tickets):
	names = [t.name for t in tickets]
	with at(24):
		_columns, data = stuck_service_tickets.execute({"hours": 20})
		assert [r["name"] for r in data if r["name"] in names] == [names[3]]
		assert next(r for r in data if r["name"] == names[3])["hours_in_state"] == 24.0
		_columns, data = stuck_service_tickets.execute({"hours": 17})
		assert [r["name"] for r in data if r["name"] in names] == [names[3], names[1], names[0], names[2]]


def test_reports_read_the_indexes():
	def index_used(query) -> str:
		return " ".join(str(row.get("key") or "") for row in frappe.db.sql(f"explain {query}", as_dict=True))

	assert "state_since" in index_used(
		"select name from `tabService Ticket` where status not in ('Closed') and state_since < '2025-01-01'"
	)
	assert "changed_on" in index_used(
		"select from_state from `tabService Ticket Status Log` "
		"where changed_on >= '2025-03-03' and changed_on < '2025-03-04'"
	)
