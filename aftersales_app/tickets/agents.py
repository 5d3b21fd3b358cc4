"""The responsible agent (负责客服) of a ticket: the customer-service agent who hears about its
timeouts, disputes, urges and escalations. A ticket type's handler group, where an admin set one,
gives its tickets their agent; otherwise the agent who registers a ticket in the desk is its
responsible agent, and tickets that arrive by the portal, e-mail, import or an integration go round
robin among the agents. Agents change it on the ticket like any field of theirs.

A handler group is Frappe's Assignment Rule on Service Ticket (ticket templates, seed 003): its
Assign Condition names the ticket type, its users are the group, its rule picks one of them
(Round Robin, Load Balancing, Based on Field), by priority and on its days. The app applies it to
the responsible agent, not as Frappe's ToDo: a ticket's one ToDo is its technician's
(aftersales_app.overrides.assignment_rule keeps Frappe's own application away from tickets)."""

import frappe
from frappe import _
from frappe.automation.doctype.assignment_rule.assignment_rule import AssignmentRule
from frappe.cache_manager import get_doctype_map
from frappe.query_builder.functions import Count

from aftersales_app.core import roles
from aftersales_app.tickets.status import OPEN_CATEGORIES

ROTATION_KEY = "aftersales:responsible_agent_rotation"


def set_responsible_agent(ticket):
	"""On a new ticket without one: from the handler group of its type, unless the registering
	agent belongs to it; else the registering agent; else the next agent in the rotation."""
	if ticket.responsible_agent:
		return
	user = frappe.session.user
	registering = (
		user
		if user not in ("Administrator", "Guest")
		and not frappe.flags.in_import
		and roles.RESPONSIBLE & roles.roles_of(user)
		else None
	)
	rule, group = handler_group(ticket)
	agent = None
	if rule and registering not in group:
		agent = pick_from_group(rule, group, ticket)
	agent = agent or registering or next_agent()
	ticket.responsible_agent = agent
	if agent != registering:
		ticket.flags.agent_from_rotation = agent  # an enabled agent: checked


def handler_group(ticket) -> tuple:
	"""(the Assignment Rule, its enabled agents) of the first rule on Service Ticket, highest
	priority first, that applies today and whose Assign Condition holds for the ticket and that has
	an enabled agent; (None, []) when none does."""
	rules = get_doctype_map(
		"Assignment Rule",
		"Service Ticket",
		filters={"document_type": "Service Ticket", "disabled": 0},
		order_by="priority desc",
	)
	if not rules:
		return None, []
	values = None
	for row in rules:
		rule = frappe.get_cached_doc("Assignment Rule", row.get("name"))
		# the rule's Assignment Days as Frappe reads them (to Frappe's own apply the app's override
		# says "not today" for every rule on tickets)
		if AssignmentRule.is_rule_not_applicable_today(rule) or (
			not rule.users and rule.rule != "Based on Field"
		):
			continue
		values = values or ticket.as_dict()
		if not rule.safe_eval("assign_condition", values):
			continue
		enabled = set(roles.users_with(roles.RESPONSIBLE))
		group = [member.user for member in rule.users if member.user in enabled]
		if group or rule.rule == "Based on Field":
			return rule, group
	return None, []


def pick_from_group(rule, group: list[str], ticket) -> str | None:
	"""One agent of the group by the rule's own method. The rule's row is locked for the rest of the
	transaction, so tickets arriving at once take their turns one after the other."""
	if rule.rule == "Based on Field":
		agent = ticket.get(rule.field)
		return agent if agent and agent in set(roles.users_with(roles.RESPONSIBLE)) else None
	if not group:
		return None
	last_user = frappe.db.get_value("Assignment Rule", rule.name, "last_user", for_update=True)
	if rule.rule == "Load Balancing":
		agent = least_loaded(group)
	else:  # Round Robin: the one after the last, in the rule's order
		agent = group[(group.index(last_user) + 1) % len(group)] if last_user in group else group[0]
	frappe.db.set_value("Assignment Rule", rule.name, "last_user", agent, update_modified=False)
	return agent


def least_loaded(group: list[str]) -> str:
	"""The agent responsible for the fewest open tickets (the first of the rule's order among
	equals): Frappe's Load Balancing counts ToDos, which agents do not get for tickets."""
	ticket = frappe.qb.DocType("Service Ticket")
	loads = dict(
		frappe.qb.from_(ticket)
		.select(ticket.responsible_agent, Count("*"))
		.where(ticket.responsible_agent.isin(group) & ticket.status.isin(OPEN_CATEGORIES))
		.groupby(ticket.responsible_agent)
		.run()
	)
	return min(group, key=lambda agent: (loads.get(agent, 0), group.index(agent)))


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
