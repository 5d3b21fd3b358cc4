"""Sending one outbox row on its channel, with Frappe's own means: e-mail through the Email Queue
(Frappe retries SMTP itself), in-desk through a Notification Log, SMS through SMS Settings'
gateway, and group robots through their webhooks. Each raises when the channel refuses.

A row with sealed values (a one-time link, aftersales_app.notifications.secrets) is the customer's own: its
mail is sent at once and the Email Queue keeps the readable text (placeholder) instead of what was
sent; its SMS Log likewise. Frappe's Email Queue is System Manager's alone (its DocType's own
permissions; the app grants the after-sales roles nothing on it), and even there no link rests."""

import frappe
from frappe import _
from frappe.utils import now_datetime

from aftersales_app.notifications import robots, secrets
from aftersales_app.notifications.events import told_to_customer

EMAIL, SYSTEM, SMS, ROBOT = "Email", "System Notification", "SMS", "Robot"


class MailNotSent(Exception):
	"""The customer's mail with a one-time link was not sent now: the outbox tries again (the Email
	Queue row is not left to Frappe's retries, which would send the redacted copy)."""


def send(row, sealed: dict | None = None):
	sealed = sealed or {}
	if row.channel == EMAIL:
		send_mail(row, sealed)
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
		send_sms(row.recipient, secrets.reveal(row.message, sealed))
		if sealed:
			redact_sms_logs(row.message, sealed)
	elif row.channel == ROBOT:
		# a group chat never gets the customer's messages, whatever the robot was subscribed to
		if sealed or told_to_customer(row.event):
			raise robots.RobotAddressRefused(_("A group robot does not post messages to the customer"))
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


def send_mail(row, sealed: dict):
	"""Send the mail now, from the outbox's job (not at the scheduler's next flush of the Email
	Queue, minutes later). A mail that did not go out now is marked Error in the Email Queue
	(Frappe's flush would send it a second time, or the redacted copy of a sealed one) and the
	outbox tries again. Of a sealed mail (the customer's link) the Email Queue keeps only the
	readable text."""
	message_id = f"{frappe.generate_hash(length=24)}@{frappe.local.site}"
	error = None
	try:
		frappe.sendmail(
			recipients=[row.recipient],
			subject=secrets.reveal(row.subject, sealed),
			message=secrets.reveal(row.message, sealed),
			reference_doctype=row.reference_doctype,
			reference_name=row.reference_name,
			message_id=message_id,
			delayed=False,
		)
	except Exception as e:
		error = e
	queued = frappe.db.get_value("Email Queue", {"message_id": message_id}, ["name", "status"], as_dict=True)
	if queued:
		values = {"message": redacted_mail(queued.name, row, sealed)} if sealed else {}
		if queued.status != "Sent":
			values.update(status="Error", error=_("Not sent at once: the After-Sales Message is retried"))
		if values:
			frappe.db.set_value("Email Queue", queued.name, values, update_modified=False)
	if error:
		raise MailNotSent(secrets.conceal(f"{type(error).__name__}: {error}", sealed)) from None
	if not queued:
		raise MailNotSent(_("The e-mail was not queued (recipient unsubscribed or invalid)"))
	if queued.status != "Sent":
		raise MailNotSent(_("The e-mail was not sent now (outgoing e-mail muted or suspended?)"))


def redacted_mail(queue_name: str, row, sealed: dict) -> str:
	"""The Email Queue's copy of a sealed mail: its headers (values concealed) and the readable
	text of the outbox row as the body."""
	from email import message_from_string, policy
	from email.message import EmailMessage

	original = message_from_string(
		frappe.db.get_value("Email Queue", queue_name, "message") or "", policy=policy.default
	)
	copy = EmailMessage(policy=policy.SMTP)
	for key, value in original.items():
		if key.lower().startswith("content-") or key.lower() == "mime-version":
			continue
		try:
			copy[key] = secrets.conceal(str(value), sealed)
		except Exception:
			continue  # a header the copy cannot hold: the copy is a record, not the mail
	copy.set_content(secrets.conceal(row.message, sealed), subtype="html")
	return copy.as_string()


def redact_sms_logs(readable: str, sealed: dict):
	"""The SMS Log rows Frappe just wrote with the customer's link keep the readable text."""
	log = frappe.qb.DocType("SMS Log")
	for value in filter(None, map(str, sealed.values())):
		names = (
			frappe.qb.from_(log)
			.select(log.name)
			.where(log.message.like(f"%{value}%"))
			.where(log.creation >= frappe.utils.add_to_date(now_datetime(), minutes=-10))
			.run(pluck=True)
		)
		for name in names:
			frappe.db.set_value("SMS Log", name, "message", readable, update_modified=False)


def sms_configured() -> bool:
	return bool(frappe.db.get_single_value("SMS Settings", "sms_gateway_url"))


def send_sms(number: str, text: str):
	"""One SMS through Frappe's SMS Settings (its gateway, parameters and SMS Log); raises when the
	gateway answers with an error or cannot be reached."""
	from frappe.core.doctype.sms_settings.sms_settings import send_sms as frappe_send_sms

	if not sms_configured():
		raise RuntimeError("SMS Settings has no gateway")
	frappe_send_sms([number], text, success_msg=False)
