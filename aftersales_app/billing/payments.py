"""Collecting (回款) and finance confirmation (财务确认).

A technician or an agent records money collected as a Service Payment: it is not money in the
books. Finance confirms it, which creates and submits an ERPNext Payment Entry against the charge
invoice (exactly once, however many clicks), or rejects it with a reason. The ticket follows the
money through its workflow: payments waiting for finance → Payment Submitted; nothing waiting and
the invoice paid → Awaiting Revisit; otherwise → Awaiting Payment. A cancelled Payment Entry puts
its payment back to unconfirmed and the ticket back to awaiting payment.
"""

import frappe
from frappe import _
from frappe.utils import flt, fmt_money, getdate, now_datetime

from aftersales_app.billing import charging as billing
from aftersales_app.core import locks, roles
from aftersales_app.core.app_fields import save_as_app
from aftersales_app.core.exceptions import PaymentStateError, WrongStateError
from aftersales_app.notifications.events import fullname
from aftersales_app.notifications.notify import notify
from aftersales_app.tickets.status import (
	AWAITING_PAYMENT,
	AWAITING_REVISIT,
	CLOSED,
	MONEY_CATEGORIES,
	PAYMENT_SUBMITTED,
	move_to_category,
	transition_to,
)

# where a ticket goes on its way when no single action reaches the target
VIA = {
	(AWAITING_PAYMENT, AWAITING_REVISIT): PAYMENT_SUBMITTED,
	(AWAITING_REVISIT, PAYMENT_SUBMITTED): AWAITING_PAYMENT,
	(CLOSED, PAYMENT_SUBMITTED): AWAITING_PAYMENT,
}
# --- confirming and rejecting --------------------------------------------------------------------


def confirm(name: str) -> "frappe.Document":
	"""Confirm a payment: submit the draft charge invoice if need be, create and submit the Payment
	Entry, and move the ticket on. Serialised on the ticket's row, so that two confirmations of one
	payment (a double click, two finance users) create one Payment Entry: the second finds the
	payment confirmed and is refused."""
	payment = _locked(name)
	_require_finance(payment)
	_require_unconfirmed(payment)
	# the ticket's current charge invoice (a cancelled one may have been made again since)
	payment.sales_invoice = (
		frappe.db.get_value("Service Ticket", payment.service_ticket, "charge_invoice")
		or payment.sales_invoice
	)
	invoice = frappe.get_doc("Sales Invoice", payment.sales_invoice)
	if invoice.docstatus == 0:
		billing.submit_charge_invoice(invoice)  # finance books the charge with its first payment
	elif invoice.docstatus == 2:
		frappe.throw(
			_("Charge invoice {0} is cancelled: make a new one before confirming").format(
				frappe.bold(invoice.name)
			),
			PaymentStateError,
		)
	if flt(payment.amount) > flt(invoice.outstanding_amount) + 0.005:
		frappe.throw(
			_("Payment {0} of {1} is more than the {2} outstanding on invoice {3}").format(
				frappe.bold(payment.name),
				fmt_money(payment.amount, currency=payment.currency),
				fmt_money(invoice.outstanding_amount, currency=invoice.currency),
				frappe.bold(invoice.name),
			),
			PaymentStateError,
		)
	entry = make_payment_entry(payment, invoice)
	payment.update(
		{
			"status": "Confirmed",
			"payment_entry": entry.name,
			"confirmed_by": frappe.session.user,
			"confirmed_on": now_datetime(),
			"rejection_reason": None,
			"rejected_by": None,
		}
	)
	_save(payment)
	follow_money(payment.service_ticket)
	return payment


def make_payment_entry(payment, invoice) -> "frappe.Document":
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import get_bank_cash_account

	account = get_bank_cash_account(payment.mode_of_payment, invoice.company)["account"]
	entry = get_payment_entry(
		"Sales Invoice", invoice.name, party_amount=flt(payment.amount), bank_account=account
	)
	entry.mode_of_payment = payment.mode_of_payment
	entry.posting_date = payment.collected_on
	entry.reference_no = payment.reference_no or payment.name
	entry.reference_date = payment.collected_on
	entry.service_payment = payment.name
	entry.remarks = _("Service payment {0} of ticket {1}, installment {2}, collected by {3}").format(
		payment.name, payment.service_ticket, payment.installment_no, payment.collected_by
	)
	entry.paid_amount = entry.received_amount = flt(payment.amount)
	_allocate(entry, flt(payment.amount))
	entry.insert()
	entry.submit()
	return entry


def _allocate(entry, amount: float):
	"""Allocate the payment to the invoice's references in order (one per payment term when the
	terms allocate by term), never more than each one's outstanding."""
	left = amount
	for ref in entry.references:
		ref.allocated_amount = min(flt(ref.outstanding_amount), left)
		left -= ref.allocated_amount
	entry.set("references", [ref for ref in entry.references if flt(ref.allocated_amount) > 0])
	entry.set_amounts()


def reject(name: str, reason: str) -> "frappe.Document":
	reason = (reason or "").strip()
	if not reason:
		frappe.throw(_("Give the reason for rejecting the payment"), frappe.MandatoryError)
	payment = _locked(name)
	_require_finance(payment)
	_require_unconfirmed(payment)
	payment.update({"status": "Rejected", "rejection_reason": reason, "rejected_by": frappe.session.user})
	_save(payment)
	follow_money(payment.service_ticket)
	notify(
		payment,
		"payment_rejected",
		f"rejected|{frappe.utils.now()}",
		amount=fmt_money(payment.amount, currency=payment.currency),
	)
	return payment


def resubmit(name: str) -> "frappe.Document":
	"""A rejected payment, corrected by whoever collected it, goes back to finance."""
	payment = _locked(name)
	payment.check_permission("write")
	if payment.status != "Rejected":
		frappe.throw(
			_("Only a rejected payment is submitted again; {0} is {1}").format(
				frappe.bold(payment.name), frappe.bold(_(payment.status, context="Service Payment"))
			),
			PaymentStateError,
		)
	payment.status = "Unconfirmed"
	_save(payment)
	follow_money(payment.service_ticket)
	tell_finance(payment, f"resubmitted|{frappe.utils.now()}")
	return payment


def tell_finance(payment, occurrence: str):
	"""Finance hears of a payment waiting for its confirmation."""
	notify(
		payment,
		"payment_submitted",
		occurrence,
		amount=fmt_money(payment.amount, currency=payment.currency),
		collector_name=fullname(payment.collected_by or payment.owner),
	)


def on_payment_entry_cancel(doc, method=None):
	"""Payment Entry on_cancel: the money is not in the books any more. Its Service Payment goes
	back to unconfirmed (finance sees it again) and the ticket back to awaiting payment."""
	for name in frappe.get_all("Service Payment", filters={"payment_entry": doc.name}, pluck="name"):
		payment = frappe.get_doc("Service Payment", name)
		payment.update(
			{"status": "Unconfirmed", "payment_entry": None, "confirmed_by": None, "confirmed_on": None}
		)
		payment.flags.money_followed_by_caller = True
		_save(payment)
		follow_money(payment.service_ticket, reversed=True)


def on_payment_entry_submit(doc, method=None):
	"""Payment Entry on_submit: money finance booked straight in ERPNext against a charge invoice
	(a bank receipt, not a Service Payment) counts too: the ticket moves on when it is paid."""
	if doc.get("service_payment"):
		return  # the app's own confirmation moves the ticket itself
	for ticket in _tickets_paid_by(doc):
		follow_money(ticket)


def on_direct_payment_entry_cancel(doc, method=None):
	if doc.get("service_payment"):
		return
	for ticket in _tickets_paid_by(doc):
		follow_money(ticket, reversed=True)


def _tickets_paid_by(entry) -> list[str]:
	invoices = [ref.reference_name for ref in entry.references if ref.reference_doctype == "Sales Invoice"]
	if not invoices:
		return []
	return frappe.get_all(
		"Service Ticket", filters={"charge_invoice": ("in", invoices)}, pluck="name", order_by="name"
	)


def lock_ticket(ticket: str):
	"""Serialise every change to a ticket's money on the ticket's row (aftersales_app.core.locks)."""
	locks.lock("Service Ticket", ticket)


def _locked(name: str) -> "frappe.Document":
	"""The payment, read after locking its ticket's row."""
	ticket = frappe.db.get_value("Service Payment", name, "service_ticket")
	if not ticket:
		frappe.throw(_("Service Payment {0} not found").format(frappe.bold(name)), frappe.DoesNotExistError)
	lock_ticket(ticket)
	return frappe.get_doc("Service Payment", name, for_update=True)


def _require_finance(payment):
	if not roles.has_any(roles.FINANCE) or not payment.has_permission("write"):
		frappe.throw(_("Only finance (Accounts User) confirms or rejects payments"), frappe.PermissionError)


def _require_unconfirmed(payment):
	"""Finance decides once: a confirmed or rejected payment is not decided again."""
	if payment.status != "Unconfirmed":
		frappe.throw(
			_("Payment {0} is already {1}").format(
				frappe.bold(payment.name), frappe.bold(_(payment.status, context="Service Payment"))
			),
			PaymentStateError,
		)


def _save(payment):
	save_as_app(payment, ignore_permissions=True)


# --- the ticket follows the money ----------------------------------------------------------------


def money_target(ticket, reversed: bool = False) -> str | None:
	values = billing.amounts(ticket.name, for_update=True)
	if reversed:
		return AWAITING_PAYMENT
	if values.unconfirmed_amount > 0:
		return PAYMENT_SUBMITTED
	if values.charge_invoice and values.outstanding_amount <= 0:
		return AWAITING_REVISIT
	return AWAITING_PAYMENT


def follow_money(ticket_name: str, reversed: bool = False):
	"""Refresh the ticket's amounts and move it to where its money says, through the workflow's own
	transitions (their conditions hold) on behalf of the user who moved the money. A ticket still
	being worked on, or already past the money (revisit, closed), stays where it is unless a
	payment was reversed."""
	# locking reads throughout: the latest amounts and ticket, whatever the transaction read before
	billing.refresh_amounts(ticket_name, for_update=True)
	ticket = frappe.get_doc("Service Ticket", ticket_name, for_update=True)
	current = ticket.status
	if current not in MONEY_CATEGORIES:
		return ticket
	target = money_target(ticket, reversed)
	if current in (AWAITING_REVISIT, CLOSED) and not reversed:
		return ticket
	if reversed and current in (AWAITING_PAYMENT, PAYMENT_SUBMITTED):
		return ticket  # still collecting: the reversed payment waits for finance with the others
	for _step in range(3):
		if ticket.status == target:
			break
		step = target if transition_to(ticket, target, any_role=True) else VIA.get((ticket.status, target))
		if not step or not transition_to(ticket, step, any_role=True):
			frappe.throw(
				_("The workflow has no way from {0} to {1} for ticket {2}").format(
					frappe.bold(_(ticket.workflow_state)),
					frappe.bold(_(target, context="Service Ticket")),
					frappe.bold(ticket.name),
				),
				WrongStateError,
			)
		# money moves the ticket, whoever's role: the people moving the money had their own checks
		ticket = move_to_category(ticket, step, any_role=True)
	return ticket


# --- what the desk and the portal show -----------------------------------------------------------


def next_installment(ticket: str) -> int:
	"""The number of the ticket's next payment. A locking read: the latest rows, whatever snapshot
	the transaction holds (a new payment's name was drawn, a write, before its ticket was locked)."""
	payment = frappe.qb.DocType("Service Payment")
	rows = (
		frappe.qb.from_(payment)
		.select(payment.name)
		.where((payment.service_ticket == ticket) & (payment.status != "Rejected"))
		.for_update()
		.run()
	)
	return len(rows) + 1


def to_collect(ticket: str, exclude: str | None = None, for_update: bool = False) -> float:
	"""What is left to collect: outstanding minus payments waiting for finance (other than
	`exclude`, the payment being edited). `for_update` locks what it reads, so that two collectors
	recording at once are served one after the other."""
	values = billing.amounts(ticket, for_update)
	waiting = values.unconfirmed_amount
	if exclude:
		waiting -= flt(
			frappe.db.get_value("Service Payment", {"name": exclude, "status": "Unconfirmed"}, "amount")
		)
	return flt(values.outstanding_amount - waiting, 2)


def schedule(invoice: str | None) -> list[frappe._dict]:
	"""The invoice's payment schedule (deposit and balance, or its payment terms)."""
	if not invoice:
		return []
	return frappe.get_all(
		"Payment Schedule",
		filters={"parenttype": "Sales Invoice", "parent": invoice},
		fields=["description", "due_date", "invoice_portion", "payment_amount", "outstanding", "paid_amount"],
		order_by="idx",
	)


def overdue(row) -> bool:
	return flt(row.outstanding) > 0 and getdate(row.due_date) < getdate()
