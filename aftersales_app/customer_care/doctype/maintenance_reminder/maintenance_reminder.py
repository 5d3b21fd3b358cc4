# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class MaintenanceReminder(Document):
	"""A check-up offer (保养提醒) to a customer for one serial number, with a follow-up for their
	agent: made, sent and answered by the app alone (aftersales_app.customer_care.maintenance_reminders)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		answered_by: DF.Data | None
		answered_on: DF.Datetime | None
		contact: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		due_date: DF.Date | None
		expires_on: DF.Date | None
		item_code: DF.Link | None
		item_name: DF.Data | None
		maintenance_schedule: DF.Link | None
		naming_series: DF.Literal["MR-.YYYY..MM..DD.-.###"]
		offered_on: DF.Datetime | None
		reminder_key: DF.Data | None
		responsible_agent: DF.Link | None
		serial_no: DF.Link | None
		service_ticket: DF.Link | None
		source: DF.Literal["Service Period", "Maintenance Schedule"]
		status: DF.Literal["Offered", "Accepted", "Declined", "Expired"]
		token_hash: DF.Data | None
	# end: auto-generated types

	def validate(self):
		if not self.flags.app_action:
			frappe.throw(
				_("Maintenance reminders are made and answered through the app, not by hand"),
				frappe.PermissionError,
			)


def on_doctype_update():
	"""The expiry pass reads offers by (status, expires_on)."""
	frappe.db.add_index("Maintenance Reminder", ["status", "expires_on"])
