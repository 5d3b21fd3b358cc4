"""Whitelisted steps of returns and exchanges (aftersales_app.returns.steps). Each checks who may take
the step before the flow does the work: customer service authorises, asks for refunds and
cancels; customer service or the stock team receives, exchanges and sends back; customer service or
the ticket's technician inspects; finance confirms refunds; the ticket's customer (portal) or
customer service asks for a courier pickup and records the shipment."""

import frappe
from frappe import _

from aftersales_app.api import endpoint
from aftersales_app.core import permissions, roles
from aftersales_app.core.roles import only_for
from aftersales_app.returns import steps as returns


def _readable(name: str):
	"""The return, after the caller's read permission on it (and so on its ticket) is checked."""
	if not frappe.db.exists(returns.DOCTYPE, name):
		frappe.throw(_("Return {0} not found").format(name), frappe.DoesNotExistError)
	frappe.has_permission(returns.DOCTYPE, "read", name, throw=True)
	return name


def _answer(doc) -> dict:
	return {"name": doc.name, "status": doc.status}


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, "Only customer service authorises returns")
def authorise(
	ticket: str,
	reason: str,
	condition_expected: str,
	return_type: str | None = None,
	reason_detail: str | None = None,
	item_code: str | None = None,
	serial_no: str | None = None,
	qty: float | None = None,
	original_delivery_note: str | None = None,
	original_sales_invoice: str | None = None,
) -> dict:
	"""Authorise the return or exchange of the ticket's product (the RMA number is the return's)."""
	frappe.has_permission("Service Ticket", "write", ticket, throw=True)
	doc = returns.authorise(
		ticket,
		return_type,
		reason,
		condition_expected,
		reason_detail=reason_detail,
		item_code=item_code,
		serial_no=serial_no,
		qty=qty,
		original_delivery_note=original_delivery_note,
		original_sales_invoice=original_sales_invoice,
	)
	return _answer(doc)


def _customer_or_staff(name: str):
	"""Customer service, or a portal user of the return's customer."""
	if roles.has_any(roles.DISPATCHERS):
		return _readable(name)
	customer = frappe.db.get_value(returns.DOCTYPE, name, "customer")
	if not customer or customer not in permissions.portal_customers():
		frappe.throw(_("Return {0} not found").format(name), frappe.DoesNotExistError)
	return name


@endpoint(methods=["POST"])
def request_pickup(name: str, address: str, pickup_date: str) -> dict:
	"""Ask for a courier to collect the returned goods."""
	return _answer(returns.request_pickup(_customer_or_staff(name), address, pickup_date))


@endpoint(methods=["POST"])
def record_shipment(name: str, carrier: str, tracking_no: str) -> dict:
	"""The carrier and tracking number of the goods sent back by the customer."""
	return _answer(returns.record_shipment(_customer_or_staff(name), carrier, tracking_no))


@endpoint(methods=["POST"])
@only_for(roles.RETURNS_STOCK, "Only customer service or the stock team receives returned goods")
def receive(name: str) -> dict:
	"""The goods are back: received into the returns warehouse."""
	return _answer(returns.receive(_readable(name)))


@endpoint(methods=["POST"])
def inspect(name: str, result: str, condition_found: str | None = None, notes: str | None = None) -> dict:
	"""The inspection's result: Passed or Failed, with the condition found and notes."""
	_readable(name)
	if not roles.has_any(roles.DISPATCHERS):
		ticket = frappe.db.get_value(returns.DOCTYPE, name, "service_ticket")
		if permissions.ticket_assignee(ticket) != frappe.session.user:
			frappe.throw(
				_("Only customer service or the ticket's technician inspects returned goods"),
				frappe.PermissionError,
			)
	return _answer(returns.inspect(name, result, condition_found, notes))


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, "Only customer service asks for refunds")
def request_refund(name: str) -> dict:
	"""A draft credit note against the original invoice, for finance to confirm."""
	doc = returns.request_refund(_readable(name))
	return {**_answer(doc), "credit_note": doc.credit_note, "refund_amount": doc.refund_amount}


@endpoint(methods=["POST"])
@only_for(roles.FINANCE, "Only finance confirms refunds")
def confirm_refund(name: str, mode_of_payment: str) -> dict:
	"""Finance submits the credit note and pays the refund out."""
	doc = returns.confirm_refund(_readable(name), mode_of_payment)
	return {**_answer(doc), "refund_entry": doc.refund_entry}


@endpoint(methods=["POST"])
@only_for(roles.RETURNS_STOCK, "Only customer service or the stock team delivers replacements")
def exchange(name: str, replacement_serial_no: str | None = None, warehouse: str | None = None) -> dict:
	"""Deliver the replacement for the returned goods."""
	doc = returns.exchange(_readable(name), replacement_serial_no, warehouse)
	return {**_answer(doc), "replacement_delivery": doc.replacement_delivery}


@endpoint(methods=["POST"])
@only_for(roles.RETURNS_STOCK, "Only customer service or the stock team sends goods back")
def send_back(name: str) -> dict:
	"""Send goods that failed inspection back to the customer."""
	return _answer(returns.send_back(_readable(name)))


@endpoint(methods=["POST"])
@only_for(roles.DISPATCHERS, "Only customer service cancels returns")
def cancel(name: str, note: str | None = None) -> dict:
	"""Withdraw the authorisation before the goods are received."""
	return _answer(returns.cancel(_readable(name), note))
