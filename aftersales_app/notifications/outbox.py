"""The outbox: every message the app sends is first a row of After-Sales Message, keyed by its
reference, event, occurrence, notification, channel and recipient, so an event recorded twice (a
job run again, a request retried) makes no second message. Rows are written in the transaction of
the change they tell about and sent after its commit by a background job; a scheduler job sends
what is due (retries, and rows whose job was lost). A failing channel never fails the change:
its row is retried with a growing pause and, after the last attempt, stays Failed in the desk.

Values only the customer may read (a one-time link) are sealed on the customer's row and dropped
once it is sent, digested or failed for good (aftersales_app.notifications.secrets); the error kept on a
row is a short status, never what a remote server answered."""

import hashlib
from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import add_to_date, escape_html, now_datetime

from aftersales_app.notifications import channels, robots, secrets

# minutes to wait before attempt 2, 3, 4, 5; after the fifth failure the row stays Failed
RETRY_MINUTES = (1, 5, 30, 120)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
DUE_BATCH = 200
# the longest error kept on a row: a status, not a copy of what a server answered
ERROR_LENGTH = 200
# a sealed mail is sent at once, and Frappe's Email Queue commits while it sends: the row is
# put this far ahead first, so that no other job finds it due meanwhile
SENDING_MINUTES = 15


def forget(reference_doctype: str, names: list[str]):
	"""The messages told about documents that are deleted go with them."""
	frappe.db.delete(
		"After-Sales Message", {"reference_doctype": reference_doctype, "reference_name": ("in", names)}
	)


def forget_document(doc, method=None):
	"""on_trash of a document the app tells about (hooks.py)."""
	forget(doc.doctype, [doc.name])


def key_of(*parts) -> str:
	return hashlib.sha1("\x1f".join(str(p or "") for p in parts).encode()).hexdigest()


def add(
	doc,
	event: str,
	occurrence: str,
	notification: str,
	channel: str,
	recipient: str,
	subject: str,
	message: str,
	robot: str | None = None,
	held: bool = False,
	sealed: dict | None = None,
) -> str | None:
	"""The row of one message; None when the same message was recorded before. `sealed`: the
	values only this recipient may read, put in place of their placeholders when it is sent."""
	key = key_of(doc.doctype, doc.name, event, occurrence, notification, channel, recipient)
	return insert(
		key,
		event=event,
		notification=notification,
		channel=channel,
		recipient=recipient,
		robot=robot,
		reference_doctype=doc.doctype,
		reference_name=doc.name,
		subject=subject,
		message=message,
		status="Held" if held else "Queued",
		sealed=secrets.seal(sealed),
	)


def insert(key: str, **values) -> str | None:
	"""One outbox row under `key`, unless a row has it already (None then)."""
	if frappe.db.exists("After-Sales Message", {"key": key}):
		return None
	values["subject"] = (values.get("subject") or "")[:140]
	row = frappe.get_doc(
		{"doctype": "After-Sales Message", "key": key, "next_attempt": now_datetime(), **values}
	)
	row.flags.app_action = True
	frappe.db.savepoint("aftersales_message")
	try:
		row.insert(ignore_permissions=True)
	except frappe.UniqueValidationError:
		# recorded by a concurrent run of the same event in the meantime
		frappe.db.rollback(save_point="aftersales_message")
		return None
	return row.name


def send_after_commit(names: list[str]):
	"""Send the rows in a background job once the transaction that wrote them commits."""
	if names:
		frappe.enqueue(
			"aftersales_app.notifications.outbox.deliver_job",
			queue="short",
			names=names,
			enqueue_after_commit=True,
		)


def deliver_job(names: list[str]):
	"""Background job: send the rows, committing after each so that a row sent is never sent
	again when the job dies later."""
	for name in names:
		deliver(name)
		frappe.db.commit()  # one message at a time: what was sent stays sent


def deliver_due():
	"""Scheduler job (every minute): send the rows that are due, by (status, next_attempt)."""
	for name in due_query().run(pluck=True):
		deliver(name)
		frappe.db.commit()  # one message at a time: what was sent stays sent


def due_query(now=None):
	message = frappe.qb.DocType("After-Sales Message")
	return (
		frappe.qb.from_(message)
		.select(message.name)
		.where((message.status == "Queued") & (message.next_attempt <= (now or now_datetime())))
		.orderby(message.next_attempt)
		.limit(DUE_BATCH)
	)


def deliver(name: str) -> str | None:
	"""Send one row unless it is sent, failed or not yet due; returns its status after. The row is
	locked while it is sent, so two jobs never send it both."""
	message = frappe.qb.DocType("After-Sales Message")
	rows = frappe.qb.from_(message).select("*").where(message.name == name).for_update().run(as_dict=True)
	if not rows:
		return None
	row = rows[0]
	if row.status != "Queued" or (row.next_attempt and row.next_attempt > now_datetime()):
		return row.status
	values = {"attempts": (row.attempts or 0) + 1}
	sealed = {}
	try:
		sealed = secrets.unseal(name) if row.sealed else {}
		if sealed and row.channel == channels.EMAIL:
			frappe.db.set_value(
				"After-Sales Message",
				name,
				"next_attempt",
				add_to_date(now_datetime(), minutes=SENDING_MINUTES),
				update_modified=False,
			)
		channels.send(row, sealed)
	except Exception as e:
		error = secrets.conceal(f"{type(e).__name__}: {e}", sealed)[:ERROR_LENGTH]
		values["error"] = error
		if values["attempts"] >= MAX_ATTEMPTS or isinstance(e, robots.RobotAddressRefused):
			values["status"] = "Failed"
			frappe.log_error(title=f"After-Sales Message {name} failed", message=error)
		else:
			values["next_attempt"] = add_to_date(
				now_datetime(), minutes=RETRY_MINUTES[values["attempts"] - 1]
			)
	else:
		values.update(status="Sent", sent_on=now_datetime(), error=None)
	frappe.db.set_value("After-Sales Message", name, values, update_modified=False)
	if row.sealed and values.get("status") in ("Sent", "Failed"):
		secrets.drop(name)
	return values.get("status", "Queued")


def send_digests():
	"""Scheduler job (hourly): the messages of notifications marked *Hourly Digest* were held;
	each recipient gets one message per channel listing them, and the held rows are marked
	Digested (in the same transaction, so a second run finds nothing to send)."""
	held = frappe.get_all(
		"After-Sales Message",
		filters={"status": "Held"},
		fields=["name", "channel", "recipient", "robot", "subject"],
		order_by="creation",
		limit=DIGEST_BATCH,
	)
	groups = defaultdict(list)
	for row in held:
		groups[(row.channel, row.recipient, row.robot)].append(row)
	names = []
	for (channel, recipient, robot), rows in groups.items():
		lines = [row.subject for row in rows]
		name = insert(
			key_of("digest", channel, recipient, rows[0].name),
			event="digest",
			channel=channel,
			recipient=recipient,
			robot=robot,
			subject=_("After-sales digest: {0} messages").format(len(rows)),
			message="\n".join(lines)
			if channel in ("SMS", "Robot")
			else "<br>".join(escape_html(line) for line in lines),
			status="Queued",
		)
		for row in rows:
			frappe.db.set_value("After-Sales Message", row.name, "status", "Digested", update_modified=False)
			secrets.drop(row.name)  # a digest lists subjects: what was sealed is not sent
		names.append(name)
	send_after_commit([n for n in names if n])


DIGEST_BATCH = 5000
