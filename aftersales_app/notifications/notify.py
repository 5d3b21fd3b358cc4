"""The app speaks: `notify(doc, event, occurrence, **context)` is how every flow tells people what
happened. The texts, channels, conditions and extra recipients are Frappe Notification records
(aftersales_app.notifications.events ships one or more per event; admins edit them in the desk); the app
adds the event's own audience (the responsible agent, the qualified technicians, finance, the
customer on their preferred channel) and the group robots chosen for the notification. Messages
go through the outbox (aftersales_app.notifications.outbox): one per event, occurrence and recipient,
sent after the commit, retried, never blocking the change they tell about.

What only the customer may read (an event's `secrets`, the one-time link of a survey or check-up
offer) is in the texts as a placeholder and sealed on the customer's own message
(aftersales_app.notifications.secrets). Robots post staff events only, and the values people typed stand
in their texts quoted as inert text (aftersales_app.notifications.chat_text)."""

import frappe
from frappe.utils import cint, md_to_html, strip_html

from aftersales_app.notifications import channels, chat_text, outbox, secrets
from aftersales_app.notifications.events import EMAIL, EVENTS, ROBOT, SMS, SYSTEM, staff_of


def notify(doc, event: str, occurrence: str = "", **context) -> list[str]:
	"""Record the messages of `event` about `doc` and send them after the commit; returns the
	outbox rows made (none for an occurrence told before). Never raises: a notification that
	cannot be made is logged in the Error Log, and the change it tells about goes on."""
	frappe.db.savepoint("aftersales_notify")
	try:
		names = record(doc, EVENTS[event], occurrence, context)
	except Exception:
		frappe.db.rollback(save_point="aftersales_notify")
		frappe.log_error(title=f"After-Sales notification {event} of {doc.doctype} {doc.name}")
		return []
	outbox.send_after_commit(names)
	return names


CACHE_KEY = "aftersales_notifications"


def notifications_of(event) -> list[str]:
	"""The enabled Notifications of `event`, kept in Redis (as Frappe keeps a doctype's document
	notifications) until a Notification changes (clear_notification_cache)."""

	def read():
		return frappe.get_all(
			"Notification",
			filters={"enabled": 1, "document_type": event.doctype, "event": "Method", "method": event.method},
			pluck="name",
			order_by="name",
		)

	return frappe.cache.hget(CACHE_KEY, f"{event.doctype}|{event.method}", read)


def clear_notification_cache(doc=None, method=None):
	"""Notification on_update / on_trash (hooks.py): the lists of notifications_of are read anew,
	now and again once the change is committed or rolled back (another process may have cached the
	list the change had not yet replaced, or this one a change that is then undone)."""

	def clear():
		frappe.cache.delete_value(CACHE_KEY)

	clear()
	frappe.db.after_commit.add(clear)
	frappe.db.after_rollback.add(clear)


def record(doc, event, occurrence: str, extra: dict) -> list[str]:
	notifications = notifications_of(event)
	if not notifications:
		return []
	from frappe.email.doctype.notification.notification import get_context

	extra = dict(extra)
	sealed = {key: str(extra.pop(key)) for key in event.secrets if extra.get(key)}
	context = {**get_context(doc), **extra, **secrets.placeholders(event.secrets)}
	staff = staff_of(event, doc, context)
	customer = customer_of(doc) if event.customer else None
	# the customer's own addresses: the only ones a sealed value goes to
	own = {(EMAIL, customer.email), (SMS, customer.phone)} if customer else set()
	# a group chat is not the customer: customer events are never posted by robots
	robots = {} if (event.customer or event.secrets) else robots_for(notifications, doc)
	names = []
	posted = set()  # a robot posts one text per event, however many channels the event has
	for name in notifications:
		notification = frappe.get_cached_doc("Notification", name)
		if notification.condition and not frappe.safe_eval(notification.condition, None, context):
			continue
		subject = strip_html(frappe.render_template(notification.subject or "", context)).strip()
		message = frappe.render_template(notification.message or "", context)
		held = bool(cint(notification.get("aftersales_digest")))
		targets = recipients(notification, doc, context, staff, customer)
		for channel, recipient in targets:
			text = as_channel_text(channel, notification, message)
			names.append(
				outbox.add(
					doc,
					event.key,
					occurrence,
					name,
					channel,
					recipient,
					subject,
					text,
					held=held,
					sealed=secrets.used(sealed, subject, text) if (channel, recipient) in own else None,
				)
			)
		if unposted := [robot for robot in robots.get(name) or [] if robot not in posted]:
			posted.update(unposted)
			robot_subject, robot_text = robot_texts(notification, context)
			for robot in unposted:
				names.append(
					outbox.add(
						doc,
						event.key,
						occurrence,
						name,
						ROBOT,
						robot,
						robot_subject,
						robot_text,
						robot=robot,
						held=held,
					)
				)
	return [n for n in names if n]


def robot_texts(notification, context: dict) -> tuple[str, str]:
	"""Subject and text of a robot's message: the notification's templates read the values people
	typed quoted as inert text (aftersales_app.notifications.chat_text)."""
	quoted = chat_text.robot_context(context)
	subject = strip_html(frappe.render_template(notification.subject or "", quoted)).strip()
	message = frappe.render_template(notification.message or "", quoted)
	return subject, as_channel_text(ROBOT, notification, message)


def as_channel_text(channel: str, notification, message: str) -> str:
	if channel in (SMS, ROBOT):
		return strip_html(md_to_html(message) if notification.message_type == "Markdown" else message).strip()
	if notification.message_type == "Markdown":
		return md_to_html(message)
	return message


def recipients(notification, doc, context, staff: list[str], customer) -> list[tuple[str, str]]:
	"""(channel, recipient) pairs of a notification: the event's audience on the notification's
	channel, plus the recipients the admin set on the record (roles, document fields, cc)."""
	out: list[tuple[str, str]] = []
	channel = notification.channel
	if channel == EMAIL:
		out += [(EMAIL, e) for e in user_values(staff, "email")]
		if customer and customer_channel(customer) == EMAIL:
			out.append((EMAIL, customer.email))
		to, cc, bcc = notification.get_list_of_recipients(doc, context)
		out += [(EMAIL, e) for e in [*to, *cc, *bcc] if e]
	if channel == SYSTEM or (channel == EMAIL and notification.send_system_notification):
		out += [(SYSTEM, u) for u in desk_users(staff)]
		if channel == SYSTEM:
			to, cc, bcc = notification.get_list_of_recipients(doc, context)
			out += [(SYSTEM, u) for u in desk_users([*to, *cc, *bcc])]
	if channel == SMS and channels.sms_configured():
		out += [(SMS, m) for m in user_values(staff, "mobile_no")]
		if customer and customer_channel(customer) == SMS:
			out.append((SMS, customer.phone))
		out += [(SMS, m) for m in notification.get_receiver_list(doc, context) if m]
	seen, unique = set(), []
	for pair in out:
		if pair not in seen:
			seen.add(pair)
			unique.append(pair)
	return unique


def user_values(users: list[str], field: str) -> list[str]:
	if not users:
		return []
	return [
		v
		for v in frappe.get_all(
			"User", filters={"name": ("in", users), "enabled": 1}, pluck=field, order_by="name"
		)
		if v
	]


def desk_users(users: list[str]) -> list[str]:
	"""The enabled System Users among `users` (e-mail addresses are user names in Frappe)."""
	if not users:
		return []
	return frappe.get_all(
		"User",
		filters={"name": ("in", list(users)), "enabled": 1, "user_type": "System User"},
		pluck="name",
		order_by="name",
	)


def customer_of(doc) -> frappe._dict | None:
	"""The customer's contact (the ticket's, or the Contact itself): e-mail, mobile and preferred
	channel."""
	if doc.doctype == "Contact":
		return frappe._dict(
			email=doc.email_id, phone=doc.mobile_no or doc.phone, preferred=doc.get("preferred_channel")
		)
	ticket = ticket_of(doc)
	if not ticket:
		if not doc.get("contact"):
			return None
		# a document of the customer's own (a check-up offer): its contact
		contact = frappe.db.get_value(
			"Contact", doc.contact, ["email_id", "mobile_no", "phone", "preferred_channel"], as_dict=True
		)
		return (
			frappe._dict(
				email=contact.email_id,
				phone=contact.mobile_no or contact.phone,
				preferred=contact.preferred_channel,
			)
			if contact
			else None
		)
	contact = (
		frappe.db.get_value(
			"Contact", ticket.contact, ["email_id", "mobile_no", "phone", "preferred_channel"], as_dict=True
		)
		if ticket.contact
		else None
	) or frappe._dict()
	return frappe._dict(
		email=ticket.raised_by or contact.email_id,
		phone=ticket.contact_phone or contact.mobile_no or contact.phone,
		preferred=contact.preferred_channel,
	)


def customer_channel(customer) -> str | None:
	"""The customer's preferred channel where the app can use it: SMS for those who prefer SMS or a
	call (when SMS is set up), else e-mail, else SMS; None when the customer cannot be reached."""
	sms = bool(customer.phone) and channels.sms_configured()
	if customer.preferred in ("SMS", "Phone") and sms:
		return SMS
	if customer.email:
		return EMAIL
	return SMS if sms else None


def ticket_of(doc):
	if doc.doctype == "Service Ticket":
		return doc
	if doc.get("service_ticket"):
		return frappe.get_doc("Service Ticket", doc.service_ticket)
	return None


def robots_for(notifications: list[str], doc) -> dict[str, list[str]]:
	"""notification → the enabled robots chosen for it whose territory and ticket type (when set)
	match the ticket."""
	rows = frappe.get_all(
		"After-Sales Robot Notification",
		filters={"parenttype": "After-Sales Robot", "notification": ("in", notifications)},
		fields=["parent", "notification"],
	)
	if not rows:
		return {}
	robots = {
		r.name: r
		for r in frappe.get_all(
			"After-Sales Robot",
			filters={"enabled": 1, "name": ("in", list({r.parent for r in rows}))},
			fields=["name", "territory", "ticket_type"],
		)
	}
	ticket = ticket_of(doc)
	territories = set()
	if ticket and ticket.territory:
		from frappe.utils.nestedset import get_ancestors_of

		territories = {ticket.territory, *get_ancestors_of("Territory", ticket.territory)}
	out: dict[str, list[str]] = {}
	for row in rows:
		robot = robots.get(row.parent)
		if not robot:
			continue
		if robot.territory and robot.territory not in territories:
			continue
		if robot.ticket_type and (not ticket or robot.ticket_type != ticket.ticket_type):
			continue
		out.setdefault(row.notification, []).append(robot.name)
	return out
