# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from typing import ClassVar

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, fmt_money, getdate

from aftersales_app.billing import payments
from aftersales_app.core import roles
from aftersales_app.core.app_fields import AppFieldsMixin
from aftersales_app.core.exceptions import PaymentAmountError, PaymentStateError
from aftersales_app.tickets import status as ticket_status


class ServicePayment(AppFieldsMixin, Document):
	computed_fields = ("customer", "customer_name", "sales_invoice", "currency", "installment_no")
	# finance's confirmation and rejection (aftersales_app.billing.payments) set these; the ticket and the
	# collector are chosen when the payment is recorded
	action_fields: ClassVar[dict] = {
		"status": PaymentStateError,
		"payment_entry": PaymentStateError,
		"confirmed_by": PaymentStateError,
		"confirmed_on": PaymentStateError,
		"rejection_reason": PaymentStateError,
		"rejected_by": PaymentStateError,
		"service_ticket": None,
		"collected_by": None,
	}
	create_fields = ("service_ticket", "collected_by")

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		collected_by: DF.Link | None
		collected_on: DF.Date
		confirmed_by: DF.Link | None
		confirmed_on: DF.Datetime | None
		currency: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		installment_no: DF.Int
		mode_of_payment: DF.Link
		naming_series: DF.Literal["SP-.YYYY..MM..DD.-.###"]
		payment_entry: DF.Link | None
		proof: DF.AttachImage | None
		reference_no: DF.Data | None
		rejected_by: DF.Link | None
		rejection_reason: DF.SmallText | None
		remarks: DF.SmallText | None
		sales_invoice: DF.Link | None
		service_ticket: DF.Link
		status: DF.Literal["Unconfirmed", "Confirmed", "Rejected"]

	# end: auto-generated types
	def validate(self):
		if not self.flags.app_action:
			payments.lock_ticket(self.service_ticket)  # one collector after the other
		self.guard_app_fields()
		self.validate_not_confirmed()
		self.set_ticket_details()
		self.validate_amount()
		self.validate_collected_on()

	def on_update(self):
		if not self.flags.money_followed_by_caller:
			payments.follow_money(self.service_ticket)

	def after_insert(self):
		if self.status == "Unconfirmed":
			payments.tell_finance(self, "submitted")

	def on_trash(self):
		if self.status == "Confirmed":
			frappe.throw(
				_("Payment {0} is confirmed: cancel Payment Entry {1} first").format(
					frappe.bold(self.name), frappe.bold(self.payment_entry)
				),
				PaymentStateError,
			)

	def after_delete(self):
		frappe.db.delete(
			"After-Sales Message", {"reference_doctype": self.doctype, "reference_name": self.name}
		)
		payments.follow_money(self.service_ticket)

	def validate_not_confirmed(self):
		"""A confirmed payment is in the books and changes only by cancelling its Payment Entry."""
		before = self.get_doc_before_save()
		if not self.flags.app_action and before and before.status == "Confirmed":
			frappe.throw(
				_("Payment {0} is confirmed: cancel Payment Entry {1} to change it").format(
					frappe.bold(self.name), frappe.bold(self.payment_entry)
				),
				PaymentStateError,
			)

	def set_ticket_details(self):
		ticket = frappe.db.get_value(
			"Service Ticket",
			self.service_ticket,
			["customer", "customer_name", "charge_invoice", "billable", "status", "workflow_state"],
			as_dict=True,
		)
		if ticket.status in (ticket_status.REJECTED, ticket_status.CANCELLED):
			frappe.throw(
				_("Ticket {0} is {1}: no payment is collected for it").format(
					frappe.bold(self.service_ticket), frappe.bold(_(ticket.workflow_state))
				),
				PaymentStateError,
			)
		if not ticket.charge_invoice:
			frappe.throw(
				_("Ticket {0} has no charge invoice: there is nothing to collect yet").format(
					frappe.bold(self.service_ticket)
				),
				PaymentStateError,
			)
		self.customer, self.customer_name = ticket.customer, ticket.customer_name
		if not self.payment_entry:
			self.sales_invoice = ticket.charge_invoice
		self.currency = frappe.db.get_value("Sales Invoice", self.sales_invoice, "currency")
		self.collected_by = self.collected_by or frappe.session.user
		if self.is_new() and roles.is_technician_only() and self.collected_by != frappe.session.user:
			frappe.throw(_("You record the payments you collected yourself"), frappe.PermissionError)
		if not self.installment_no:
			# under the ticket's lock (validate took it): two collectors get two numbers
			self.installment_no = payments.next_installment(self.service_ticket)

	def validate_amount(self):
		if flt(self.amount) <= 0:
			frappe.throw(_("The amount collected must be greater than zero"), PaymentAmountError)
		if self.status != "Unconfirmed":
			return
		# locking reads: the latest rows even when the transaction wrote before the lock
		left = payments.to_collect(
			self.service_ticket, exclude=None if self.is_new() else self.name, for_update=True
		)
		if flt(self.amount) > left + 0.005:
			frappe.throw(
				_("The amount {0} is more than the {1} still to collect on ticket {2}").format(
					fmt_money(self.amount, currency=self.currency),
					fmt_money(max(left, 0), currency=self.currency),
					frappe.bold(self.service_ticket),
				),
				PaymentAmountError,
			)

	def validate_collected_on(self):
		if self.collected_on and getdate(self.collected_on) > getdate():
			frappe.throw(_("Collected On cannot be in the future"), PaymentAmountError)


def on_doctype_update():
	# finance's queue by age, confirmed payments by period, a ticket's payments by status
	frappe.db.add_index("Service Payment", ["status", "creation"])
	frappe.db.add_index("Service Payment", ["status", "confirmed_on"])
	frappe.db.add_index("Service Payment", ["service_ticket", "status"])
