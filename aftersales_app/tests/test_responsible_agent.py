"""The responsible agent (负责客服): the registering agent, or the next agent in turn for tickets
that arrive by the portal, e-mail or an integration; changed by agents only, never to someone who
is not an agent; the one who hears the acceptance timeout of a portal ticket."""

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe

from aftersales_app.api import portal as portal_api
from aftersales_app.core import roles
from aftersales_app.field_service import dispatch
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, deliver_messages, force_state, make_ticket, make_user


def test_the_agent_who_registers_a_ticket_is_responsible_for_it():
	ticket = as_user(world.AGENT, make_ticket)
	assert ticket.responsible_agent == world.AGENT
	manager = as_user(world.MANAGER, make_ticket)
	assert manager.responsible_agent == world.MANAGER


def test_portal_tickets_go_round_robin_among_the_agents():
	for i in range(2):
		make_user(f"rotation{i}@{world.DOMAIN}", [roles.AGENT])
	agents = roles.users_with({roles.AGENT})
	assert world.AGENT in agents and len(agents) >= 3
	given = [
		as_user(
			world.PORTAL_USER, portal_api.submit_request, f"轮流 {i}", "外机响", serial_no=world.SERIAL_IN
		)
		for i in range(len(agents))
	]
	responsible = [frappe.db.get_value("Service Ticket", t["name"], "responsible_agent") for t in given]
	assert sorted(responsible) == agents  # each agent once in a full turn
	# tickets an administrator or an integration makes go round too
	assert make_ticket().responsible_agent in agents


def test_agents_change_the_responsible_agent_and_only_to_an_agent():
	ticket = as_user(world.AGENT, make_ticket)
	other = make_user(f"rotation0@{world.DOMAIN}", [roles.AGENT])

	def set_agent(user, agent):
		doc = frappe.get_doc("Service Ticket", ticket.name)
		doc.responsible_agent = agent
		doc.save()

	as_user(world.MANAGER, set_agent, world.MANAGER, other)
	assert frappe.db.get_value("Service Ticket", ticket.name, "responsible_agent") == other
	for not_an_agent in (world.TECH, world.PORTAL_USER, world.FINANCE, "Administrator"):
		with pytest.raises(frappe.ValidationError, match="not an after-sales agent|不是售后客服"):
			as_user(world.AGENT, set_agent, world.AGENT, not_an_agent)
		assert frappe.db.get_value("Service Ticket", ticket.name, "responsible_agent") == other


def test_a_technician_cannot_change_the_responsible_agent():
	ticket = as_user(world.AGENT, make_ticket, assigned_technician=world.TECH)
	force_state(ticket, "In Progress")

	def claim():
		doc = frappe.get_doc("Service Ticket", ticket.name)
		doc.responsible_agent = world.MANAGER
		doc.save()

	try:
		as_user(world.TECH, claim)
	except frappe.PermissionError:
		pass
	assert frappe.db.get_value("Service Ticket", ticket.name, "responsible_agent") == world.AGENT


@pytest.mark.usefixtures("jobs_do_not_commit")
def test_the_responsible_agent_hears_the_acceptance_timeout_of_a_portal_ticket():
	start = datetime(2026, 11, 20, 2, 0, 0, 1000)
	with freeze_time(start, tick=True):
		made = as_user(
			world.PORTAL_USER, portal_api.submit_request, "没人接单", "外机响", serial_no=world.SERIAL_IN
		)
		ticket = force_state(frappe.get_doc("Service Ticket", made["name"]), "Dispatching")
		dispatch.assign(ticket, world.TECH)
	with freeze_time(start + timedelta(minutes=6), tick=True):
		dispatch.release_overdue_acceptances()
	ticket.reload()
	deliver_messages(ticket)
	assert ticket.owner == world.PORTAL_USER and ticket.responsible_agent in roles.users_with({roles.AGENT})
	assert frappe.db.exists(
		"Notification Log", {"document_name": ticket.name, "for_user": ticket.responsible_agent}
	)
	assert not frappe.db.exists(
		"Notification Log", {"document_name": ticket.name, "for_user": world.PORTAL_USER}
	)
