"""The customer's word on the work: confirm it, or dispute it with a reason."""

import frappe
from frappe import _

from aftersales_app.core.exceptions import WrongStateError
from aftersales_app.core.text import clean_plain, escape, trimmed
from aftersales_app.tickets.status import (
	AWAITING_CUSTOMER,
	CONFIRM_CATEGORIES,
	IN_PROGRESS,
	move_to_category,
	offered,
	require_category,
)


def resolution_moves(ticket) -> frappe._dict:
	"""The categories the session user's confirm and dispute lead to, found in the workflow's
	transitions open to them now (their roles and the transitions' conditions decide)."""
	if ticket.status != AWAITING_CUSTOMER:
		return frappe._dict()
	categories = offered(ticket)
	return frappe._dict(
		confirm=next((c for c in CONFIRM_CATEGORIES if c in categories), None),
		dispute=IN_PROGRESS if IN_PROGRESS in categories else None,
	)


def _as_customer(ticket):
	"""The Customer role reads tickets and may not write them; the workflow's own transitions for
	the Customer role are what let a customer move their ticket, and the caller checked the ticket
	is theirs. So the save that applies the transition skips the document write check."""
	ticket.flags.ignore_permissions = True
	return ticket


def confirm_resolution(ticket):
	"""The customer accepts the work: the ticket goes on to payment or to the revisit, whichever
	the workflow offers."""
	require_category(ticket, AWAITING_CUSTOMER)
	target = resolution_moves(ticket).confirm
	if not target:
		frappe.throw(_("This ticket cannot be confirmed now"), WrongStateError)
	ticket = move_to_category(_as_customer(ticket), target)
	# the survey issue plugs in here: once a confirmed ticket reaches the revisit, the customer is
	# offered the satisfaction survey (Service Survey) on this page.
	return ticket


def dispute_resolution(ticket, reason: str):
	"""The customer says the problem is not solved: the reason is kept on the ticket and the ticket
	returns to work (the workflow logs it as a reopening)."""
	# stored as plain text (it is shown on the desk form): without markup, as the ticket's own
	# cleaning would leave it (aftersales_app.core.text)
	reason = clean_plain(trimmed(reason))
	if not reason:
		frappe.throw(_("Tell us what is still wrong"))
	if len(reason) > 2000:
		frappe.throw(_("Please keep the reason under 2000 characters"))
	require_category(ticket, AWAITING_CUSTOMER)
	if not resolution_moves(ticket).dispute:
		frappe.throw(_("This ticket cannot be disputed now"), WrongStateError)
	frappe.db.savepoint("portal_dispute")
	try:
		# apply_workflow reloads the ticket from the database before it saves the new state, so
		# the reason goes in first, in the same transaction (rolled back below if the move fails)
		ticket.db_set("dispute_reason", reason, update_modified=False)
		ticket = move_to_category(_as_customer(ticket), IN_PROGRESS)
		ticket.add_comment("Info", _("The customer disputed the resolution: {0}").format(escape(reason)))
	except Exception:
		frappe.db.rollback(save_point="portal_dispute")
		raise
	return ticket
