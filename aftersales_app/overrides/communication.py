"""E-mail to ticket: Frappe's InboundMail creates the Service Ticket (append_to) from the subject and
sender; the mail's body arrives with the Communication right after (its content is complete once
InboundMail saves it with its inline images, hence on_update)."""

import frappe

from aftersales_app.core.text import DEFAULT_LIMITS, clean_html


def fill_ticket_from_email(communication, method=None):
	if (
		communication.reference_doctype != "Service Ticket"
		or not communication.reference_name
		or communication.communication_medium != "Email"
		or communication.sent_or_received != "Received"
	):
		return
	description = frappe.db.get_value("Service Ticket", communication.reference_name, "description")
	if not description and communication.content:
		# the ticket's own limit and cleaning, as its save would apply them (a mail is hostile text);
		# cleaned after the cut, so that a tag cut in half does not stay
		content = clean_html(communication.content[: DEFAULT_LIMITS["Text Editor"]])
		frappe.db.set_value("Service Ticket", communication.reference_name, "description", content)
