"""The customer's mail as it went out: a message of the outbox sent through Frappe's own e-mail path
(Email Queue, sent at once), read back from what Frappe hands to SMTP (in tests Frappe keeps the
last mail built in `frappe.flags.sent_mail` instead of connecting to a server); a mail without a
link waits in the Email Queue, and is read there. A one-time link is
in that mail only: the outbox row shows a placeholder and seals the link until it is sent."""

import re
from contextlib import contextmanager
from email import message_from_bytes, message_from_string, policy

import frappe

from aftersales_app.notifications import outbox
from aftersales_app.tests import world

TOKEN = re.compile(r"token=([\w-]+)")
# mails read before in this run, by outbox row (a sent row keeps no link)
_SENT: dict[str, str] = {}


@contextmanager
def outgoing_account():
	"""An outgoing e-mail account for the mail being sent (never connected to), unless the site has
	one; goes with the test's rollback."""
	made = None
	if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		made = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"After-Sales Test Outbox {frappe.generate_hash(length=6)}",
				"email_id": f"service@{world.DOMAIN}",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"no_smtp_authentication": 1,
			}
		)
		made.flags.ignore_validate = True
		made.insert(ignore_permissions=True)
	try:
		yield
	finally:
		if hasattr(frappe.local, "outgoing_email_account"):
			del frappe.local.outgoing_email_account
		if made:
			frappe.db.delete("Email Account", {"name": made.name})


def mail_text(raw) -> str:
	"""The subject and every text part of a mail, decoded, the HTML first (Frappe's plain-text
	part escapes a link's `_` as markdown would)."""
	if isinstance(raw, bytes):
		mail = message_from_bytes(raw, policy=policy.default)
	else:
		mail = message_from_string(raw or "", policy=policy.default)
	parts = [
		part for part in mail.walk() if part.get_content_maintype() == "text" and not part.is_multipart()
	]
	parts.sort(key=lambda part: part.get_content_subtype() != "html")
	return "\n".join([str(mail["Subject"] or ""), *(part.get_content() for part in parts)])


def send_and_read(name: str) -> str:
	"""Send the outbox row `name` (an e-mail) now and return the mail as the customer got it. Frappe's
	Email Queue commits while it sends: here that commit is the test's rollback's to undo."""
	if name in _SENT:
		return _SENT[name]
	commit = frappe.db.commit
	frappe.db.commit = lambda *args, **kwargs: None
	frappe.flags.sent_mail = None
	try:
		with outgoing_account():
			status = outbox.deliver(name)
	finally:
		frappe.db.commit = commit
	assert status == "Sent", (status, frappe.db.get_value("After-Sales Message", name, "error"))
	raw = frappe.flags.sent_mail
	if not raw:  # a mail without a link waits in the Email Queue: what will go out is there
		row = frappe.db.get_value(
			"After-Sales Message", name, ["reference_doctype", "reference_name", "recipient"], as_dict=True
		)
		queue, recipient = frappe.qb.DocType("Email Queue"), frappe.qb.DocType("Email Queue Recipient")
		raw = (
			frappe.qb.from_(queue)
			.join(recipient)
			.on(recipient.parent == queue.name)
			.select(queue.message)
			.where(queue.reference_doctype == row.reference_doctype)
			.where(queue.reference_name == row.reference_name)
			.where(recipient.recipient == row.recipient)
			.orderby(queue.creation, order=frappe.qb.desc)
			.limit(1)
			.run(pluck=True)
		)
		raw = raw[0] if raw else None
	assert raw, "no mail went out"
	_SENT[name] = mail_text(raw)
	return _SENT[name]


def sent_token(reference_doctype: str, reference_name: str, event: str) -> str:
	"""The token of the one-time link in the e-mail the customer was sent for the event."""
	rows = frappe.get_all(
		"After-Sales Message",
		filters={
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"event": event,
			"channel": "Email",
		},
		pluck="name",
		order_by="creation",
	)
	assert rows, "no message was sent"
	found = TOKEN.search(send_and_read(rows[0]))
	assert found, "the mail carries no link"
	return found.group(1)
