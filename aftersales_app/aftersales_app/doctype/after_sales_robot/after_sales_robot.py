# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import validate_url


class AfterSalesRobot(Document):
	"""A group robot of WeCom, Feishu or DingTalk that posts the chosen notifications
	(aftersales_app.notify.robots signs and sends)."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from aftersales_app.aftersales_app.doctype.after_sales_robot_notification.after_sales_robot_notification import (
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
		if not validate_url(self.webhook_url, valid_schemes=["http", "https"]):
			frappe.throw(
				_("The webhook URL must be an http or https address"), title=_("Invalid Webhook URL")
			)
