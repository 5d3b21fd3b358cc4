import re

import frappe
from frappe.utils.password import set_encrypted_password

from aftersales_app.notifications import secrets
from aftersales_app.notifications.events import EVENTS

# a one-time link as the outbox wrote it before (the survey's or the check-up offer's)
LINK = re.compile(r"https?://[^\s<>\"']*?/(?:survey|check-up)\?token=[A-Za-z0-9_\-%]+")
SECRET_REFERENCES = ("Service Survey", "Maintenance Reminder")


def execute():
	"""Sites that ran before one-time links were sealed and robots kept to staff events:
	- robots lose the customer notifications they were subscribed to (a group chat is not the
	  customer);
	- outbox rows keep no link in their readable fields: a row still to send seals its link, every
	  other loses it; a robot's unsent copy of a customer message fails without being posted;
	- Frappe's copies of what went out (Email Queue rows already sent, SMS Log, Notification Log)
	  lose the tokens they show.
	Running it twice changes nothing."""
	remove_customer_notifications_from_robots()
	seal_outbox_links()
	scrub_sent_copies()


def remove_customer_notifications_from_robots():
	customer_methods = [e.method for e in EVENTS.values() if e.customer or e.secrets]
	notifications = frappe.get_all("Notification", filters={"method": ("in", customer_methods)}, pluck="name")
	if notifications:
		frappe.db.delete(
			"After-Sales Robot Notification",
			{"parenttype": "After-Sales Robot", "notification": ("in", notifications)},
		)


def seal_outbox_links():
	message = frappe.qb.DocType("After-Sales Message")
	rows = (
		frappe.qb.from_(message)
		.select(
			message.name,
			message.event,
			message.channel,
			message.status,
			message.subject,
			message.message,
			message.error,
		)
		.where(
			message.message.like("%token=%")
			| message.subject.like("%token=%")
			| message.error.like("%token=%")
		)
		.run(as_dict=True)
	)
	customer_events = {key for key, e in EVENTS.items() if e.customer or e.secrets}
	for row in rows:
		values = {field: scrub(row[field]) for field in ("subject", "message", "error") if row[field]}
		links = LINK.findall(row.message or "") or LINK.findall(row.subject or "")
		if row.channel == "Robot" and row.event in customer_events:
			if row.status in ("Queued", "Held"):
				values.update(status="Failed", error="Customer message: not posted to a group robot")
		elif links and row.status in ("Queued", "Held"):
			sealed = secrets.seal({"link": links[0]})
			set_encrypted_password("After-Sales Message", row.name, sealed, secrets.FIELD)
			values[secrets.FIELD] = "*" * len(sealed)
		if values:
			frappe.db.set_value("After-Sales Message", row.name, values, update_modified=False)
	# robots' unsent copies of customer messages without a link (ticket news) fail too
	frappe.db.set_value(
		"After-Sales Message",
		{"channel": "Robot", "event": ("in", list(customer_events)), "status": ("in", ["Queued", "Held"])},
		{"status": "Failed", "error": "Customer message: not posted to a group robot"},
		update_modified=False,
	)


def scrub_sent_copies():
	from email import message_from_string, policy

	for row in frappe.get_all(
		"Email Queue",
		filters={
			"reference_doctype": ("in", SECRET_REFERENCES),
			"status": ("not in", ["Not Sent", "Sending", "Partially Sent"]),
		},
		fields=["name", "message"],
	):
		mail = message_from_string(row.message or "", policy=policy.default)
		changed = False
		for part in mail.walk():
			if part.get_content_maintype() != "text" or part.is_multipart():
				continue
			try:
				text = part.get_content()
			except (LookupError, ValueError):
				continue
			scrubbed = scrub(text)
			if scrubbed != text:
				part.set_content(scrubbed, subtype=part.get_content_subtype())
				changed = True
		if changed:
			frappe.db.set_value("Email Queue", row.name, "message", mail.as_string(), update_modified=False)
	for doctype, fields in (("SMS Log", ("message",)), ("Notification Log", ("subject", "email_content"))):
		if not frappe.db.table_exists(doctype):
			continue
		for field in fields:
			for name, value in frappe.get_all(
				doctype, filters={field: ("like", "%?token=%")}, fields=["name", field], as_list=True
			):
				if scrub(value) != value:
					frappe.db.set_value(doctype, name, field, scrub(value), update_modified=False)


def scrub(text: str) -> str:
	return LINK.sub(secrets.placeholder("link"), text or "")
