"""The Notification records the app ships (aftersales_app.notifications.events), created once in the
site's language: at install and by a patch for events added later. From then on they are the
admin's: nothing here updates or re-creates a record the admin changed, disabled or deleted."""

import frappe
from frappe import _

from aftersales_app.notifications.events import EVENTS
from aftersales_app.setup.language import site_language


def make_notifications(events=None):
	"""Create the shipped notifications of `events` (all by default) that were never made; a
	record is known by its event (method) and channel, whatever the admin renamed it to."""
	lang = site_language()
	for event in events or EVENTS.values():
		for shipped in event.shipped:
			if frappe.db.exists(
				"Notification",
				{"document_type": event.doctype, "method": event.method, "channel": shipped.channel},
			):
				continue
			doc = frappe.get_doc(
				{
					"doctype": "Notification",
					"name": _(shipped.name, lang=lang),
					"subject": _(shipped.subject, lang=lang)
					if shipped.subject
					else _(shipped.name, lang=lang),
					"document_type": event.doctype,
					"event": "Method",
					"method": event.method,
					"channel": shipped.channel,
					"condition": shipped.condition,
					"message": _(shipped.message, lang=lang),
					"message_type": "Plain Text" if shipped.channel != "Email" else "HTML",
					"enabled": 1,
					"is_standard": 0,
				}
			)
			doc.insert(ignore_permissions=True, ignore_if_duplicate=True)


def remove_notifications():
	"""Uninstall: the app's Notifications (its events' methods) would point at DocTypes and
	methods that are gone."""
	for name in frappe.get_all(
		"Notification", filters={"event": "Method", "method": ("like", "aftersales\\_%")}, pluck="name"
	):
		frappe.delete_doc("Notification", name, force=True, ignore_permissions=True)
