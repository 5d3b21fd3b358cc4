"""The responsible agent (负责客服) of a ticket: the customer-service agent who hears about its
timeouts, disputes, urges and escalations. The agent who registers a ticket in the desk is its
responsible agent; tickets that arrive by the portal, e-mail, import or an integration go round
robin among the agents. Agents change it on the ticket like any field of theirs."""

import frappe
from frappe import _

from aftersales_app import roles

ROTATION_KEY = "aftersales:responsible_agent_rotation"


def set_responsible_agent(ticket):
	"""On a new ticket without one: the registering agent, else the next agent in the rotation."""
	if ticket.responsible_agent:
		return
	user = frappe.session.user
	if (
		user not in ("Administrator", "Guest")
		and not frappe.flags.in_import
		and roles.RESPONSIBLE & roles.roles_of(user)
	):
		ticket.responsible_agent = user
	else:
		ticket.responsible_agent = next_agent()
		ticket.flags.agent_from_rotation = ticket.responsible_agent  # an enabled agent: checked


def next_agent() -> str | None:
	"""The next agent in a round robin over the enabled agents (managers when there is no agent).
	The turn is an atomic counter in Redis, so tickets arriving at once go to different agents."""
	agents = roles.users_with({roles.AGENT}) or roles.users_with({roles.MANAGER})
	if not agents:
		return None
	turn = frappe.cache.incr(frappe.cache.make_key(ROTATION_KEY))
	return agents[(turn - 1) % len(agents)]


def validate_responsible_agent(ticket):
	agent = ticket.responsible_agent
	if not agent or not ticket.has_value_changed("responsible_agent"):
		return
	if agent == ticket.flags.agent_from_rotation:  # next_agent chose among enabled agents
		return
	if not (
		frappe.db.get_value("User", agent, "enabled") and roles.RESPONSIBLE & roles.roles_of(agent)
	) or agent in ("Administrator", "Guest"):
		frappe.throw(
			_(
				"{0} is not an after-sales agent: only an enabled Service Agent or After-Sales Manager can be responsible for a ticket"
			).format(frappe.bold(agent)),
			title=_("Not an Agent"),
		)
