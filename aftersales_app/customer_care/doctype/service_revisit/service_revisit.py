# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, now_datetime

from aftersales_app.core import roles
from aftersales_app.customer_care.revisits import follow_revisit
from aftersales_app.tickets.status import AWAITING_REVISIT


class ServiceRevisit(Document):
	"""A revisit call (回访) of a ticket waiting for it: who called, when, whether the customer was
	reached, their words, a satisfaction score and whether the problem is solved. A solved answer
	closes the ticket; an unsolved one sends it back to its technician (aftersales_app.customer_care.revisits).
	A record: written once, never edited."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		agent: DF.Link | None
		called_on: DF.Datetime | None
		customer_name: DF.Data | None
		customer_words: DF.SmallText | None
		naming_series: DF.Literal["RV-.YYYY..MM..DD.-.###"]
		problem_solved: DF.Literal["", "Yes", "No"]
		reached: DF.Check
		satisfaction: DF.Int
		service_ticket: DF.Link

	# end: auto-generated types
	def validate(self):
		if not self.is_new():
			frappe.throw(_("A revisit is a record of a call: add a new one instead"), frappe.PermissionError)
		roles.require(roles.RESPONSIBLE, _("Only customer service records revisits"))
		self.agent, self.called_on = frappe.session.user, now_datetime()
		status = frappe.db.get_value("Service Ticket", self.service_ticket, "status")
		if status != AWAITING_REVISIT:
			frappe.throw(
				_("Ticket {0} is not waiting for a revisit").format(frappe.bold(self.service_ticket)),
				frappe.ValidationError,
			)
		if cint(self.reached):
			if self.problem_solved not in ("Yes", "No"):
				frappe.throw(_("Say whether the customer's problem is solved"), frappe.MandatoryError)
			if not 1 <= cint(self.satisfaction) <= 5:
				frappe.throw(_("Give the customer's satisfaction from 1 to 5"), frappe.ValidationError)
		else:
			self.problem_solved, self.satisfaction = "", 0

	def after_insert(self):
		follow_revisit(self)

	def on_trash(self):
		if not frappe.flags.in_uninstall and frappe.session.user != "Administrator":
			frappe.throw(_("A revisit is a record of a call: it is not deleted"), frappe.PermissionError)


def on_doctype_update():
	frappe.db.add_index("Service Revisit", ["service_ticket", "creation"])
