# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class AfterSalesMessage(Document):
	"""One message of the outbox (aftersales_app.notifications.notify): written and sent by the app alone."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		channel: DF.Literal["Email", "System Notification", "SMS", "Robot"]
		error: DF.Code | None
		event: DF.Data | None
		key: DF.Data | None
		message: DF.LongText | None
		next_attempt: DF.Datetime | None
		notification: DF.Link | None
		recipient: DF.Data | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		robot: DF.Link | None
		sealed: DF.Password | None
		sent_on: DF.Datetime | None
		status: DF.Literal["Queued", "Sent", "Failed", "Held", "Digested"]
		subject: DF.Data | None

	# end: auto-generated types
	def validate(self):
		if not self.flags.app_action:
			frappe.throw(
				_("Messages are written by the app's notifications, not by hand"), frappe.PermissionError
			)


def on_doctype_update():
	"""The delivery job reads due messages by (status, next_attempt)."""
	frappe.db.add_index("After-Sales Message", ["status", "next_attempt"])
