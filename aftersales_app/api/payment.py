"""Whitelisted actions of charging and collecting: the ticket's charge invoice, and finance's
confirmation or rejection of a Service Payment. Each checks who may act before aftersales_app.billing.charging
or aftersales_app.billing.payments does the work."""

import frappe
from frappe import _

from aftersales_app.api import endpoint
from aftersales_app.billing import charging as billing
from aftersales_app.billing import payments
from aftersales_app.core import locks, roles
from aftersales_app.core.roles import only_for


@endpoint(methods=["POST"])
@only_for(roles.CHARGING, "Only customer service or finance makes charge invoices")
def make_charge_invoice(ticket: str) -> dict:
	"""Create the ticket's draft charge invoice from its return slip, or rebuild the draft's lines
	after the charging changed. Customer service and finance only. Serialised on the ticket's row:
	a double click makes one invoice (the second click rebuilds the first's draft)."""
	if not locks.lock("Service Ticket", ticket):
		frappe.throw(_("Service Ticket {0} not found").format(frappe.bold(ticket)), frappe.DoesNotExistError)
	doc = frappe.get_doc("Service Ticket", ticket)
	doc.check_permission("write")
	# the invoice is the ticket's consequence: who may make it was checked above (customer service
	# and finance, who may write the ticket), not their rights on ERPNext's Sales Invoice
	invoice = billing.make_charge_invoice(doc, ignore_permissions=True)
	if not invoice:
		frappe.throw(
			_("Ticket {0} is free of charge: there is nothing to invoice").format(frappe.bold(ticket))
		)
	return {"sales_invoice": invoice.name, "grand_total": invoice.grand_total}


@endpoint(methods=["POST"])
def confirm_payment(payment: str) -> dict:
	"""Finance confirms a collected payment: a submitted Payment Entry against the charge invoice."""
	doc = payments.confirm(payment)
	return _answer(doc)


@endpoint(methods=["POST"])
def reject_payment(payment: str, reason: str) -> dict:
	"""Finance sends a payment back to whoever collected it, with the reason."""
	doc = payments.reject(payment, reason)
	return _answer(doc)


@endpoint(methods=["POST"])
def resubmit_payment(payment: str) -> dict:
	"""The collector submits a corrected, rejected payment to finance again."""
	doc = payments.resubmit(payment)
	return _answer(doc)


@endpoint()
def charges(ticket: str) -> dict:
	"""What the ticket form shows about its money: amounts, the invoice's schedule, payments."""
	doc = frappe.get_doc("Service Ticket", ticket)
	doc.check_permission("read")
	values = billing.amounts(ticket)
	return {
		**values,
		"to_collect": payments.to_collect(ticket),
		"schedule": payments.schedule(values.charge_invoice),
		"payments": frappe.get_list(
			"Service Payment",
			filters={"service_ticket": ticket},
			fields=[
				"name",
				"installment_no",
				"amount",
				"mode_of_payment",
				"status",
				"collected_on",
				"collected_by",
			],
			order_by="installment_no asc",
		),
	}


def _answer(payment) -> dict:
	ticket = frappe.db.get_value(
		"Service Ticket",
		payment.service_ticket,
		["workflow_state", "status", "outstanding_amount"],
		as_dict=True,
	)
	return {
		"name": payment.name,
		"status": payment.status,
		"payment_entry": payment.payment_entry,
		"ticket": payment.service_ticket,
		"workflow_state": ticket.workflow_state,
		"outstanding_amount": ticket.outstanding_amount,
	}
