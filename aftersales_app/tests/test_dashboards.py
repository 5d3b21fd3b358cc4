"""The After-Sales workspace's number cards and charts on known data (a month of their own, frozen
in time): a manager counts every ticket, a technician only what they may read (their own; of the
pool, what they may grab); overdue means past ERPNext's resolution target; satisfaction is this month's share of satisfied answers; the charts count per
day and per week in the database and are not shared between readers."""

from datetime import datetime

import pytest
from freezegun import freeze_time

import frappe
from frappe.desk.doctype.number_card.number_card import get_result

from aftersales_app.core.app_fields import app_action
from aftersales_app.field_service.dispatch import pool_tickets_for
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, force_state, make_customer, make_ticket
from aftersales_app.tickets import dashboards, status

DAY = datetime(2026, 2, 10, 3, 0)  # a month no other test writes into


def card(name: str, user: str):
	doc = frappe.get_doc("Number Card", name)
	if doc.type == "Custom":
		return as_user(user, frappe.get_attr(doc.method))["value"]
	return as_user(user, get_result, doc, doc.filters_json)  # what the workspace widget sends


def tickets_on(day: datetime, count: int, **values) -> list:
	with freeze_time(day, tick=True):
		return [make_ticket(**values) for _ in range(count)]


def test_number_cards_count_what_each_reader_may_see():
	names = [
		"Open Service Tickets",
		"Service Tickets Awaiting Acceptance",
		"Service Tickets in the Pool",
		"Overdue Service Tickets",
		"New Service Tickets Today",
	]
	with freeze_time(DAY, tick=True):
		before = {(n, u): card(n, u) for n in names for u in (world.MANAGER, world.TECH_D)}
		mine = make_ticket(assigned_technician=world.TECH_D)
		force_state(mine, status.AWAITING_ACCEPTANCE)
		late = make_ticket(assigned_technician=world.TECH_D)
		frappe.db.set_value("Service Ticket", late.name, "sla_resolution_by", datetime(2026, 2, 9, 0, 0))
		pool = make_ticket(in_pool=1)
		others = make_ticket()
		frappe.db.set_value("Service Ticket", others.name, "sla_resolution_by", datetime(2026, 2, 1, 0, 0))
		after = {(n, u): card(n, u) for n in names for u in (world.MANAGER, world.TECH_D)}
		grabbable = pool.name in pool_tickets_for(world.TECH_D)
	delta = {key: after[key] - before[key] for key in after}
	assert delta[("Open Service Tickets", world.MANAGER)] == 4
	# their own two, not another's nor the pool's (the pool is on its own page and card)
	assert delta[("Open Service Tickets", world.TECH_D)] == 2
	assert delta[("Service Tickets in the Pool", world.TECH_D)] == int(grabbable)
	assert delta[("Service Tickets Awaiting Acceptance", world.MANAGER)] == 1
	assert delta[("Service Tickets Awaiting Acceptance", world.TECH_D)] == 1
	assert delta[("Service Tickets in the Pool", world.MANAGER)] == 1
	assert delta[("Overdue Service Tickets", world.MANAGER)] == 2
	assert delta[("Overdue Service Tickets", world.TECH_D)] == 1
	assert delta[("New Service Tickets Today", world.MANAGER)] == 4
	assert pool.name and mine.name


def test_closed_today_counts_closings_from_the_status_log():
	with freeze_time(DAY, tick=True):
		before = card("Service Tickets Closed Today", world.MANAGER)
		ticket = make_ticket()
		log = frappe.get_doc(
			{
				"doctype": "Service Ticket Status Log",
				"ticket": ticket.name,
				"from_state": status.states_of(status.AWAITING_REVISIT)[0],
				"to_state": status.states_of(status.CLOSED)[0],
				"from_category": status.AWAITING_REVISIT,
				"to_category": status.CLOSED,
				"changed_by": world.AGENT,
				"changed_on": frappe.utils.now_datetime(),
			}
		)
		log.name = frappe.generate_hash(length=10)
		log.db_insert()  # the row the app's workflow hook writes when a ticket closes
		assert card("Service Tickets Closed Today", world.MANAGER) == before + 1


def answered(ticket, overall: str):
	survey = frappe.get_doc(
		{
			"doctype": "Service Survey",
			"service_ticket": ticket.name,
			"customer": ticket.customer,
			"technician": ticket.assigned_technician,
			"status": "Answered",
			"response_speed": 4,
			"problem_solving": 4,
			"attitude": 4,
			"overall": overall,
			"recommend": 8,
			"answered_on": frappe.utils.now_datetime(),
		}
	)
	with app_action(survey):
		survey.insert(ignore_permissions=True)


def test_satisfaction_this_month_for_the_manager_and_for_a_technician():
	with freeze_time(DAY, tick=True):
		technician = frappe.db.get_value("Service Technician", {"user": world.TECH_D})
		for overall in ("Satisfied", "Satisfied", "Satisfied", "Unsatisfied"):
			answered(make_ticket(assigned_technician=world.TECH_D), overall)
		answered(make_ticket(assigned_technician=world.TECH), "Unsatisfied")
		assert card("Satisfaction This Month", world.TECH_D) == 75.0
		assert card("Satisfaction This Month", world.MANAGER) == 60.0
		assert technician


def test_new_and_closed_per_day_and_sla_compliance_per_week():
	customer = make_customer("看板客户")
	tickets_on(datetime(2026, 2, 2, 3, 0), 2, customer=customer)
	tickets_on(datetime(2026, 2, 4, 3, 0), 1, customer=customer, assigned_technician=world.TECH_D)
	filters = {"from_date": "2026-02-01", "to_date": "2026-02-07"}
	chart = as_user(world.MANAGER, dashboards.new_and_closed, filters=filters)
	[new, closed] = chart["datasets"]
	assert len(chart["labels"]) == 7
	assert new["values"][1] >= 2 and new["values"][3] >= 1
	mine = as_user(world.TECH_D, dashboards.new_and_closed, filters=filters)
	assert mine["datasets"][0]["values"][1] == 0  # not their tickets
	assert mine["datasets"][0]["values"][3] >= 1
	assert closed["values"][4] == 0
	# a ticket of the customer's closes on 5 February: the manager counts it, TECH_D (not theirs) does not
	ticket = tickets_on(datetime(2026, 2, 3, 3, 0), 1, customer=customer)[0]
	log = frappe.get_doc(
		{
			"doctype": "Service Ticket Status Log",
			"ticket": ticket.name,
			"to_state": status.states_of(status.CLOSED)[0],
			"to_category": status.CLOSED,
			"changed_by": world.AGENT,
			"changed_on": datetime(2026, 2, 5, 10, 0),
		}
	)
	log.name = frappe.generate_hash(length=10)
	log.db_insert()
	assert as_user(world.MANAGER, dashboards.new_and_closed, filters=filters)["datasets"][1]["values"][4] == 1
	assert as_user(world.TECH_D, dashboards.new_and_closed, filters=filters)["datasets"][1]["values"][4] == 0

	# resolved within the target in the week of 9 February, one late in the week of 16 February
	resolved = tickets_on(datetime(2026, 2, 9, 3, 0), 3, customer=customer)
	for ticket, (by, on) in zip(
		resolved,
		[
			(datetime(2026, 2, 11), datetime(2026, 2, 10)),
			(datetime(2026, 2, 12), datetime(2026, 2, 12)),
			(datetime(2026, 2, 16), datetime(2026, 2, 17)),
		],
		strict=True,
	):
		frappe.db.set_value(
			"Service Ticket", ticket.name, {"sla_resolution_by": by, "sla_resolution_date": on}
		)
	weeks = as_user(
		world.MANAGER,
		dashboards.sla_compliance_by_week,
		filters={"from_date": "2026-02-09", "to_date": "2026-02-22"},
	)
	assert len(weeks["labels"]) == 2
	[met, breached] = weeks["datasets"]
	assert (met["values"], breached["values"]) == ([2, 0], [0, 1])
	# a technician sees none of them: not theirs
	theirs = as_user(
		world.TECH_D,
		dashboards.sla_compliance_by_week,
		filters={"from_date": "2026-02-09", "to_date": "2026-02-22"},
	)
	assert theirs["datasets"][0]["values"] == [0, 0]


def test_tickets_by_state_in_the_workflows_order():
	before = as_user(world.MANAGER, dashboards.tickets_by_state)
	ticket = make_ticket()
	force_state(ticket, status.IN_PROGRESS)
	after = as_user(world.MANAGER, dashboards.tickets_by_state)
	label = frappe._(ticket.workflow_state)
	counts = lambda chart: dict(zip(chart["labels"], chart["datasets"][0]["values"], strict=True))  # noqa: E731
	assert counts(after)[label] == counts(before).get(label, 0) + 1
	order = [frappe._(s) for s in status.state_map()]
	assert after["labels"] == sorted(after["labels"], key=lambda s: order.index(s) if s in order else 99)


@pytest.mark.parametrize(
	"name",
	[
		"Open Service Tickets",
		"Overdue Service Tickets",
		"Satisfaction This Month",
		"Service Tickets Closed Today",
	],
)
def test_the_workspace_shows_the_cards_and_charts(name):
	workspace = frappe.get_doc("Workspace", "After-Sales")
	assert name in [c.number_card_name for c in workspace.number_cards]
	assert {c.chart_name for c in workspace.charts} == {
		"Service Tickets by State",
		"New and Closed Service Tickets",
		"Service Level Compliance by Week",
	}
