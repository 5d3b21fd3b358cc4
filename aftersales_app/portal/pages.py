"""The portal pages' own plumbing: the login redirect, the status filter and the texts their
scripts show."""

import frappe
from frappe import _

from aftersales_app.tickets.status import CATEGORIES, state_map


def require_login(path: str):
	"""Portal pages send guests to the login page and back here afterwards."""
	if frappe.session.user == "Guest":
		from urllib.parse import quote

		frappe.local.flags.redirect_location = f"/login?redirect-to={quote(path)}"
		raise frappe.Redirect(302)


def status_options() -> list[frappe._dict]:
	"""The status filter of the list: the categories of the workflow's states, in workflow order."""
	used = {row.category for row in state_map().values()}
	return [frappe._dict(value=c, label=_(c, context="Service Ticket")) for c in CATEGORIES if c in used]


def js_messages() -> dict:
	"""Texts the portal's scripts show, translated for the reader."""
	return {
		"failed": _("Something went wrong: please try again"),
		"offline": _("Cannot reach the server: please check your connection"),
		"too_many": _("Too many lookups: please wait a minute and try again"),
		"confirmed": _("Thank you: the resolution is confirmed"),
		"disputed": _("Thank you: we will look into it again"),
		"need_reason": _("Tell us what is still wrong"),
		"urged": _("We have told the team: someone will get back to you soon"),
		"need_answers": _("Please answer every question"),
		"need_fields": _("Give the request a subject and describe the problem"),
		"uploading": _("Uploading photos…"),
		"uploaded": _("The file is attached"),
		"submitted": _("Your request is submitted"),
		"upload_failed": _("The request is submitted, but a photo could not be attached: {0}"),
		"not_found": _("No ticket matches this number and phone"),
		"technician": _("Technician"),
		"next_step": _("Next step"),
		"timeline": _("Progress"),
		"status": _("Status"),
		"pickup_requested": _("The courier pickup is requested"),
		"shipment_recorded": _("Thank you: the shipment is recorded"),
		# the knowledge base (public/js/portal_knowledge.js)
		"kb_solved": _("This solved my problem"),
		"kb_read": _("Read the article"),
		"kb_counted": _("Thank you for telling us"),
		"kb_thanks": _("Glad it helped! No request was filed: come back any time if the problem returns."),
	}
