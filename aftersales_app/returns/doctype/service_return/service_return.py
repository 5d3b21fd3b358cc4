# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from typing import ClassVar

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from aftersales_app.core.app_fields import AppFieldsMixin
from aftersales_app.core.exceptions import ReturnStepError
from aftersales_app.returns import steps as returns

# what the authorisation may correct while the goods are not back yet
AUTHORISATION_FIELDS = (
	"return_type",
	"item_code",
	"serial_no",
	"qty",
	"original_delivery_note",
	"original_sales_invoice",
)


class ServiceReturn(AppFieldsMixin, Document):
	computed_fields = ("customer", "customer_name", "item_name")
	# every step's result is written by aftersales_app.returns.steps alone
	action_fields: ClassVar[dict] = dict.fromkeys(
		(
			"service_ticket",
			"status",
			"authorised_on",
			"authorised_by",
			*AUTHORISATION_FIELDS,
			"pickup_requested",
			"pickup_address",
			"pickup_date",
			"carrier",
			"tracking_no",
			"returns_warehouse",
			"receipt_doctype",
			"receipt_document",
			"received_on",
			"received_by",
			"inspection_result",
			"condition_found",
			"inspection_notes",
			"inspected_on",
			"inspected_by",
			"refund_amount",
			"credit_note",
			"refund_entry",
			"refund_mode_of_payment",
			"refunded_on",
			"refund_confirmed_by",
			"replacement_serial_no",
			"replacement_delivery",
			"exchanged_on",
			"send_back_delivery",
			"sent_back_on",
		),
		ReturnStepError,
	)

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from aftersales_app.returns.doctype.service_return_step.service_return_step import ServiceReturnStep

		authorised_by: DF.Link | None
		authorised_on: DF.Datetime | None
		carrier: DF.Data | None
		condition_expected: DF.Literal["Unopened", "Like New", "Used", "Damaged"]
		condition_found: DF.Literal["", "Unopened", "Like New", "Used", "Damaged"]
		credit_note: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		exchanged_on: DF.Datetime | None
		inspected_by: DF.Link | None
		inspected_on: DF.Datetime | None
		inspection_notes: DF.SmallText | None
		inspection_result: DF.Literal["", "Passed", "Failed"]
		item_code: DF.Link
		item_name: DF.Data | None
		naming_series: DF.Literal["RMA-.YYYY.-.#####"]
		original_delivery_note: DF.Link | None
		original_sales_invoice: DF.Link | None
		pickup_address: DF.SmallText | None
		pickup_date: DF.Date | None
		pickup_requested: DF.Check
		qty: DF.Float
		reason: DF.Literal[
			"Quality Problem",
			"Damaged in Transit",
			"Wrong Item Delivered",
			"Not as Described",
			"No Longer Needed",
			"Other",
		]
		reason_detail: DF.SmallText | None
		received_by: DF.Link | None
		received_on: DF.Datetime | None
		receipt_doctype: DF.Link | None
		receipt_document: DF.DynamicLink | None
		refund_amount: DF.Currency
		refund_confirmed_by: DF.Link | None
		refund_entry: DF.Link | None
		refund_mode_of_payment: DF.Link | None
		refunded_on: DF.Datetime | None
		replacement_delivery: DF.Link | None
		replacement_serial_no: DF.Link | None
		return_type: DF.Literal["Refund", "Exchange"]
		returns_warehouse: DF.Link | None
		send_back_delivery: DF.Link | None
		sent_back_on: DF.Datetime | None
		serial_no: DF.Link | None
		service_ticket: DF.Link
		status: DF.Literal[
			"Authorised",
			"Received",
			"Inspected",
			"Refund Requested",
			"Refunded",
			"Exchanged",
			"Sent Back",
			"Cancelled",
		]
		steps: DF.Table[ServiceReturnStep]
		tracking_no: DF.Data | None
	# end: auto-generated types

	def validate(self):
		if self.is_new() and not self.flags.app_action:
			frappe.throw(_("Authorise a return from its Service Ticket (Make Return)"), ReturnStepError)
		self.guard_app_fields()
		self.guard_steps()
		self.guard_reason()
		self.set_details()
		self.validate_goods()
		self.validate_originals()

	def may_change(self, fieldname: str) -> bool:
		"""Customer service corrects the authorisation until the goods are received."""
		return fieldname in AUTHORISATION_FIELDS and self.stored_status() == returns.AUTHORISED

	def stored_status(self) -> str | None:
		before = self.get_doc_before_save()
		return before.status if before else None

	def guard_steps(self):
		"""The step log is the app's: a client's rows are replaced by the stored ones."""
		if self.flags.app_action or self.is_new():
			return
		before = self.get_doc_before_save()
		self.set("steps", [row.as_dict() for row in before.steps] if before else [])

	def guard_reason(self):
		before = self.get_doc_before_save()
		if self.flags.app_action or not before or before.status == returns.AUTHORISED:
			return
		for fieldname in ("reason", "condition_expected", "reason_detail"):
			if (before.get(fieldname) or "") != (self.get(fieldname) or ""):
				frappe.throw(
					_("The reason of return {0} is kept as authorised once the goods are received").format(
						self.name
					),
					ReturnStepError,
				)

	def set_details(self):
		customer = frappe.db.get_value("Service Ticket", self.service_ticket, "customer")
		self.customer = customer
		self.customer_name = frappe.db.get_value("Customer", customer, "customer_name") if customer else None
		self.item_name = frappe.db.get_value("Item", self.item_code, "item_name") if self.item_code else None

	def validate_goods(self):
		if not frappe.db.get_value("Item", self.item_code, "is_stock_item"):
			frappe.throw(
				_("{0} is not a stock item: only goods are returned").format(frappe.bold(self.item_code)),
				ReturnStepError,
			)
		if self.serial_no:
			if frappe.db.get_value("Serial No", self.serial_no, "item_code") != self.item_code:
				frappe.throw(
					_("Serial number {0} is not a {1}").format(
						frappe.bold(self.serial_no), frappe.bold(self.item_code)
					),
					ReturnStepError,
				)
			self.qty = 1
		if flt(self.qty) <= 0:
			frappe.throw(_("The quantity returned must be more than zero"), ReturnStepError)

	def validate_originals(self):
		"""The original delivery and invoice are the customer's, submitted, and carry the item."""
		for doctype, fieldname, child in (
			("Delivery Note", "original_delivery_note", "Delivery Note Item"),
			("Sales Invoice", "original_sales_invoice", "Sales Invoice Item"),
		):
			name = self.get(fieldname)
			if not name:
				continue
			row = frappe.db.get_value(doctype, name, ["customer", "docstatus", "is_return"], as_dict=True)
			if (
				not row
				or row.docstatus != 1
				or row.is_return
				or row.customer != self.customer
				or not frappe.db.exists(child, {"parent": name, "item_code": self.item_code})
			):
				frappe.throw(
					_("{0} {1} is not a submitted sale of {2} to {3}").format(
						_(doctype), frappe.bold(name), frappe.bold(self.item_code), frappe.bold(self.customer)
					),
					ReturnStepError,
				)

	def on_trash(self):
		if self.receipt_document:
			frappe.throw(
				_("Return {0} received goods: it stays on record").format(self.name), ReturnStepError
			)
