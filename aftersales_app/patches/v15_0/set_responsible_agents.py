"""Every ticket gets a responsible agent: the agent who registered it, else the next agent in the
round robin (aftersales_app.tickets.agents). Tickets that have one keep it; running it again changes nothing."""

import frappe

from aftersales_app.core import roles
from aftersales_app.tickets import agents


def execute():
	ticket = frappe.qb.DocType("Service Ticket")
	rows = (
		frappe.qb.from_(ticket)
		.select(ticket.name, ticket.owner)
		.where(ticket.responsible_agent.isnull() | (ticket.responsible_agent == ""))
		.run(as_dict=True)
	)
	if not rows:
		return
	eligible = set(roles.users_with(roles.RESPONSIBLE))
	for row in rows:
		agent = row.owner if row.owner in eligible else agents.next_agent()
		if agent:
			frappe.db.set_value("Service Ticket", row.name, "responsible_agent", agent, update_modified=False)
