"""Revisits (回访) as records: the call closes a solved ticket or sends an unsolved one back to the
same technician; no record, no closing; only customer service records them, once, never edited;
tickets waiting too long for their call are listed by responsible agent."""

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe
from frappe.model.workflow import WorkflowTransitionError

from aftersales_app.tests import world
from aftersales_app.tests.utils import act, as_user, force_state, make_ticket, record_revisit

START = datetime(2026, 11, 20, 2, 0, 0)


def awaiting_revisit(**values):
	ticket = force_state(
		as_user(
			world.AGENT,
			make_ticket,
			serial_no=world.SERIAL_IN,  # under warranty: free, no payment step
			assigned_technician=world.TECH,
			resolution="<p>已修复</p>",
			**values,
		),
		"Awaiting Customer",
	)
	act(ticket, "确认解决", world.AGENT)  # on to the revisit
	ticket.reload()
	assert ticket.status == "Awaiting Revisit"
	return ticket


def test_a_solved_revisit_closes_the_ticket_and_keeps_the_call():
	ticket = awaiting_revisit()
	revisit = record_revisit(ticket, world.AGENT, customer_words="空调已经正常了")
	ticket.reload()
	assert (ticket.status, ticket.revisit_result) == ("Closed", "Solved")
	assert (revisit.agent, revisit.satisfaction, revisit.problem_solved) == (world.AGENT, 5, "Yes")
	assert revisit.called_on and revisit.customer_words == "空调已经正常了"


def test_an_unsolved_revisit_sends_the_ticket_back_to_its_technician():
	ticket = awaiting_revisit()
	record_revisit(ticket, world.AGENT, solved=False, customer_words="还是有噪音")
	ticket.reload()
	assert (ticket.status, ticket.assigned_technician, ticket.reopen_count) == ("In Progress", world.TECH, 1)
	last = frappe.get_all(
		"Service Ticket Status Log",
		filters={"ticket": ticket.name},
		fields=["to_category", "is_reopen", "changed_by"],
		order_by="creation desc",
		limit=1,
	)[0]
	assert (last.to_category, last.is_reopen, last.changed_by) == ("In Progress", 1, world.AGENT)
	# solved again and confirmed: a new revisit decides, the old answer does not
	ticket = force_state(ticket, "Awaiting Customer")
	act(ticket, "确认解决", world.AGENT)
	ticket.reload()
	assert ticket.status == "Awaiting Revisit" and not ticket.revisit_result
	with pytest.raises(WorkflowTransitionError):
		act(ticket, "回访未解决", world.AGENT)
	record_revisit(ticket, world.AGENT)
	assert frappe.db.get_value("Service Ticket", ticket.name, "status") == "Closed"


def test_a_call_that_did_not_reach_the_customer_changes_nothing():
	ticket = awaiting_revisit()
	revisit = record_revisit(ticket, world.AGENT, reached=False, customer_words="无人接听")
	assert (revisit.problem_solved, revisit.satisfaction) == ("", 0)
	assert frappe.db.get_value("Service Ticket", ticket.name, ["status", "revisit_result"]) == (
		"Awaiting Revisit",
		None,
	)
	with pytest.raises(WorkflowTransitionError):  # the close action asks for a solved revisit
		act(ticket, "回访完成", world.AGENT)


def test_only_customer_service_records_a_revisit_once_and_never_edits_it():
	ticket = awaiting_revisit()
	for user in (world.TECH, world.FINANCE, world.PORTAL_USER):
		with pytest.raises(frappe.PermissionError):
			record_revisit(ticket, user)
	with pytest.raises(frappe.MandatoryError):
		record_revisit(ticket, world.AGENT, problem_solved="")
	with pytest.raises(frappe.ValidationError):
		record_revisit(ticket, world.AGENT, satisfaction=6)
	assert frappe.db.get_value("Service Ticket", ticket.name, "status") == "Awaiting Revisit"
	assert not frappe.db.exists("Service Revisit", {"service_ticket": ticket.name})
	revisit = record_revisit(ticket, world.AGENT)

	def edit():
		doc = frappe.get_doc("Service Revisit", revisit.name)
		doc.customer_words = "改过的记录"
		doc.save()

	with pytest.raises(frappe.PermissionError):
		as_user(world.MANAGER, edit)
	with pytest.raises(frappe.PermissionError):
		as_user(world.MANAGER, frappe.delete_doc, "Service Revisit", revisit.name)
	# a closed ticket is not revisited again
	with pytest.raises(frappe.ValidationError):
		record_revisit(ticket, world.AGENT)


def test_overdue_revisits_are_listed_by_responsible_agent():
	from aftersales_app.customer_care.report.overdue_revisits.overdue_revisits import execute

	with freeze_time(START, tick=True):
		late = awaiting_revisit()
	with freeze_time(START + timedelta(days=3), tick=True):
		fresh = awaiting_revisit()
	with freeze_time(START + timedelta(days=4), tick=True):
		columns, data, _message, chart = execute({"responsible_agent": world.AGENT})
	names = [row["name"] for row in data]
	assert late.name in names and fresh.name not in names
	row = next(r for r in data if r["name"] == late.name)
	assert row["responsible_agent"] == world.AGENT and 3.9 <= row["days_waiting"] <= 4.1
	assert chart["data"]["labels"] == [world.AGENT]
