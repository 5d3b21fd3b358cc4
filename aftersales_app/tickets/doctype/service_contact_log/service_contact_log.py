# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from typing import ClassVar

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import format_datetime, get_datetime, get_fullname

from aftersales_app.core.app_fields import AppFieldsMixin
from aftersales_app.core.exceptions import ContactMismatchError
from aftersales_app.tickets.intake import is_linked


class ServiceContactLog(AppFieldsMixin, Document):
	computed_fields = ("customer", "logged_by")
	# a log stays with the ticket it was written on
	action_fields: ClassVar[dict] = {"ticket": None}
	create_fields = ("ticket",)

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		channel: DF.Literal["Phone", "Web Portal", "Email", "WeChat", "App", "Walk-in", "API", "Import"]
		contact: DF.Link | None
		contact_time: DF.Datetime
		customer: DF.Link | None
		direction: DF.Literal["Inbound", "Outbound"]
		logged_by: DF.Link | None
		next_follow_up: DF.Datetime | None
		summary: DF.SmallText
		ticket: DF.Link

	# end: auto-generated types
	def validate(self):
		self.guard_app_fields()
		if self.is_new():
			self.logged_by = frappe.session.user
		self.customer = frappe.db.get_value("Service Ticket", self.ticket, "customer")
		if self.contact and self.customer and not is_linked("Contact", self.contact, self.customer):
			frappe.throw(
				_("Contact {0} is not a contact of customer {1}").format(
					frappe.bold(self.contact), frappe.bold(self.customer)
				),
				ContactMismatchError,
			)
		if (
			self.next_follow_up
			and self.contact_time
			and get_datetime(self.next_follow_up) < get_datetime(self.contact_time)
		):
			frappe.throw(_("Next Follow-up cannot be before the Contact Time"))


def get_timeline_content(doctype: str, docname: str) -> list[dict]:
	"""Contact logs of a ticket as cards on the ticket's timeline (Frappe's
	`additional_timeline_content` hook; the form is already permission-checked). The card's
	template escapes every value."""
	logs = frappe.get_list(
		"Service Contact Log",
		filters={"ticket": docname},
		fields=[
			"name",
			"direction",
			"channel",
			"contact",
			"contact_time",
			"summary",
			"next_follow_up",
			"logged_by",
		],
		order_by="contact_time desc",
	)
	for log in logs:
		log.logged_by = get_fullname(log.logged_by) if log.logged_by else ""
		log.next_follow_up = format_datetime(log.next_follow_up) if log.next_follow_up else ""
	return [
		{
			"icon": "call" if log.channel == "Phone" else "mail",
			"is_card": True,
			"creation": log.contact_time,
			"content": frappe.render_template(
				"aftersales_app/templates/includes/contact_log_timeline.html", {"log": log}
			),
		}
		for log in logs
	]
