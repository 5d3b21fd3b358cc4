# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from aftersales_app.notifications import robots
from aftersales_app.notifications.events import event_of_method


class CustomerNotificationError(frappe.ValidationError):
	pass


class AfterSalesRobot(Document):
	"""A group robot of WeCom, Feishu or DingTalk that posts the chosen notifications
	(aftersales_app.notifications.robots signs and sends)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from aftersales_app.notifications.doctype.after_sales_robot_notification.after_sales_robot_notification import (
			AfterSalesRobotNotification,
		)

		enabled: DF.Check
		notifications: DF.TableMultiSelect[AfterSalesRobotNotification]
		platform: DF.Literal["WeCom", "Feishu", "DingTalk"]
		robot_name: DF.Data
		secret: DF.Password | None
		territory: DF.Link | None
		ticket_type: DF.Link | None
		webhook_url: DF.Data

	# end: auto-generated types
	def validate(self):
		self.webhook_url = (self.webhook_url or "").strip()
		try:
			robots.check_url(self.platform, self.webhook_url, at_save=True)
		except robots.RobotAddressRefused as e:
			frappe.throw(str(e), robots.RobotAddressRefused, title=_("Webhook Address Not Allowed"))
		self.refuse_customer_notifications()

	def refuse_customer_notifications(self):
		"""A group chat is staff: it never posts what the app tells the customer (their ticket's
		news, their survey or check-up link)."""
		for row in self.notifications:
			method = frappe.db.get_value("Notification", row.notification, "method")
			event = event_of_method(method)
			if event and (event.customer or event.secrets):
				frappe.throw(
					_(
						"Notification {0} is a message to the customer: a group robot cannot post it. Choose notifications to staff."
					).format(frappe.bold(row.notification)),
					CustomerNotificationError,
					title=_("Customer Notification"),
				)
