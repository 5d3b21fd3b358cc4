# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class ServiceSurvey(Document):
	"""A satisfaction survey (满意度回访) of a ticket: made, sent and answered by the app alone
	(aftersales_app.customer_care.surveys); staff read it."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		answered_by: DF.Data | None
		answered_on: DF.Datetime | None
		attitude: DF.Int
		comment: DF.SmallText | None
		complaint_ticket: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		cycle: DF.Int
		expires_on: DF.Datetime | None
		naming_series: DF.Literal["SS-.YYYY..MM..DD.-.###"]
		overall: DF.Literal["", "Satisfied", "Neutral", "Unsatisfied"]
		problem_solving: DF.Int
		recommend: DF.Int
		response_speed: DF.Int
		send_after: DF.Datetime | None
		sent_on: DF.Datetime | None
		service_ticket: DF.Link
		status: DF.Literal["Pending", "Sent", "Answered", "Expired"]
		technician: DF.Link | None
		territory: DF.Link | None
		ticket_type: DF.Link | None
		token_hash: DF.Data | None

	# end: auto-generated types
	def validate(self):
		if not self.flags.app_action:
			frappe.throw(
				_("Satisfaction surveys are made and answered through the app, not by hand"),
				frappe.PermissionError,
			)


def on_doctype_update():
	"""The sending job reads due surveys by (status, send_after); a ticket's survey by ticket."""
	frappe.db.add_index("Service Survey", ["status", "send_after"])
	frappe.db.add_index("Service Survey", ["service_ticket", "cycle"])
