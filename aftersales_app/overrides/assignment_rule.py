"""Frappe's Assignment Rule, where a rule on Service Ticket names a ticket type's handler group.

An admin sets a type's handlers the Frappe way: an Assignment Rule on Service Ticket whose Assign
Condition names the type (`ticket_type == "Installation"`), with its users, its rule (Round Robin,
Load Balancing, Based on Field), priority and days. The app applies it itself
(aftersales_app.tickets.agents): one of the users becomes the ticket's responsible agent (负责客服).

Frappe's own application (a doc event on every document) must not touch tickets: it would open a
ToDo for the agent, clear the technician's ToDo to reassign, and reopen closed ToDos on every save,
while a ticket has one open ToDo, its technician's (aftersales_app.invariants). Frappe asks
`is_rule_not_applicable_today` before each of its steps (assign, unassign, close, reopen); for a
rule on Service Ticket the answer is always "not today", and the app reads the rule's days itself."""

import frappe
from frappe import _
from frappe.automation.doctype.assignment_rule.assignment_rule import AssignmentRule

from aftersales_app.core import roles

TICKET = "Service Ticket"


class AfterSalesAssignmentRule(AssignmentRule):
	def validate(self):
		super().validate()
		if self.document_type == TICKET:
			self.validate_handlers()

	def validate_handlers(self):
		"""A ticket's handler group is its responsible agents: agents and managers only."""
		for row in self.users or []:
			if row.user == "Administrator" or not roles.has_any(roles.RESPONSIBLE, row.user):
				frappe.throw(
					_(
						"{0} is not an after-sales agent: the users of an assignment rule on Service Ticket become tickets' responsible agents, so each must be a Service Agent or After-Sales Manager"
					).format(frappe.bold(row.user)),
					title=_("Not an Agent"),
				)

	def is_rule_not_applicable_today(self):
		if self.document_type == TICKET:
			return True  # to Frappe's own apply; see the module's docstring
		return super().is_rule_not_applicable_today()
