"""Sending one outbox row on its channel, with Frappe's own means: e-mail through the Email Queue
(Frappe retries SMTP itself), in-desk through a Notification Log, SMS through SMS Settings'
gateway, and group robots through their webhooks. Each raises when the channel refuses."""

import frappe
from frappe import _

from aftersales_app.notify import robots

EMAIL, SYSTEM, SMS, ROBOT = "Email", "System Notification", "SMS", "Robot"


def send(row):
	if row.channel == EMAIL:
		frappe.sendmail(
			recipients=[row.recipient],
			subject=row.subject,
			message=row.message,
			reference_doctype=row.reference_doctype,
			reference_name=row.reference_name,
			delayed=True,
		)
	elif row.channel == SYSTEM:
		log = frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": row.recipient,
				"type": "Alert",
				"document_type": row.reference_doctype,
				"document_name": row.reference_name,
				"subject": row.subject,
				"email_content": row.message,
			}
		)
		log.insert(ignore_permissions=True)
	elif row.channel == SMS:
		send_sms(row.recipient, row.message)
	elif row.channel == ROBOT:
		robot = frappe.get_doc("After-Sales Robot", row.robot)
		if not robot.enabled:
			raise robots.RobotRefused(_("Robot {0} is disabled").format(robot.name))
		robots.send(
			robot.platform,
			robot.webhook_url,
			robot.get_password("secret", raise_exception=False),
			"\n".join(filter(None, [row.subject, row.message])),
		)
	else:
		raise ValueError(f"unknown channel {row.channel!r}")


def sms_configured() -> bool:
	return bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url"))


def send_sms(number: str, text: str):
	"""One SMS through Frappe's SMS Settings (its gateway, parameters and SMS Log); raises when the
	gateway answers with an error or cannot be reached."""
	from frappe.core.doctype.sms_settings.sms_settings import send_sms as frappe_send_sms

	if not sms_configured():
		raise RuntimeError("SMS Settings has no gateway")
	frappe_send_sms([number], text, success_msg=False)
