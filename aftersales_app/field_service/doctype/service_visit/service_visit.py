# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from typing import ClassVar

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, get_datetime

from aftersales_app.billing import charging as billing
from aftersales_app.core import roles
from aftersales_app.core.app_fields import AppFieldsMixin
from aftersales_app.core.exceptions import (
	PartsIssuedError,
	SerialSwapError,
	VisitPartError,
	VisitScheduleError,
	VisitTimeError,
)
from aftersales_app.field_service import visits


class ServiceVisit(AppFieldsMixin, Document):
	computed_fields = ("customer", "customer_name", "warranty_status", "technician_name", "chargeable_amount")
	# the visit's own actions (aftersales_app.field_service.visits) stamp times and issue parts; whose visit it is
	# and of which ticket is decided when it is made
	action_fields: ClassVar[dict] = {
		"check_in": VisitTimeError,
		"check_out": VisitTimeError,
		"stock_entry": PartsIssuedError,
		"technician": None,
		"ticket": None,
	}
	create_fields = ("technician", "ticket")

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from aftersales_app.field_service.doctype.service_visit_part.service_visit_part import (
			ServiceVisitPart,
		)
		from aftersales_app.field_service.doctype.service_visit_photo.service_visit_photo import (
			ServiceVisitPhoto,
		)

		chargeable_amount: DF.Currency
		check_in: DF.Datetime | None
		check_out: DF.Datetime | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		diagnosis: DF.SmallText | None
		faulty_serial_no: DF.Link | None
		labour_hours: DF.Float
		labour_not_covered: DF.Check
		naming_series: DF.Literal["SV-.YYYY..MM..DD.-.###"]
		outcome: DF.Literal["", "Resolved", "Needs Another Visit", "Parts Ordered", "Customer Absent"]
		parts: DF.Table[ServiceVisitPart]
		photos: DF.Table[ServiceVisitPhoto]
		replacement_serial_no: DF.Link | None
		scheduled_end: DF.Datetime | None
		scheduled_start: DF.Datetime
		solution: DF.TextEditor | None
		stock_entry: DF.Link | None
		technician: DF.Link | None
		technician_name: DF.Data | None
		ticket: DF.Link
		warranty_status: DF.Literal["", "Under Warranty", "Out of Warranty", "Under AMC", "Out of AMC"]
		work_done: DF.TextEditor | None

	# end: auto-generated types
	def onload(self):
		# the desk form shows a filed return slip's visit read-only (aftersales_app.field_service.visits)
		self.set_onload("return_slip_filed", bool(visits.return_slip_of(self.name)))
		self.set_onload("return_slip_fields", [*visits.RETURN_SLIP_FIELDS, "parts"])

	def validate(self):
		# before the text cleaning: what the client sent is compared with what the slip filed
		visits.guard_filed_visit(self)
		self.guard_app_fields()
		self.set_ticket_details()
		self.validate_technician()
		self.validate_schedule()
		self.validate_times()
		self.validate_serial_swap()
		self.validate_parts()
		self.validate_issued_parts_unchanged()
		self.set_amounts()

	def on_trash(self):
		if self.stock_entry and frappe.db.get_value("Stock Entry", self.stock_entry, "docstatus") == 1:
			frappe.throw(
				_("Cancel Stock Entry {0} before deleting visit {1}").format(
					frappe.bold(self.stock_entry), frappe.bold(self.name)
				),
				PartsIssuedError,
			)

	def set_ticket_details(self):
		"""Customer from the ticket, and its assigned technician unless another was chosen."""
		ticket = frappe.db.get_value(
			"Service Ticket",
			self.ticket,
			["customer", "customer_name", "assigned_technician", "warranty_status"],
			as_dict=True,
		)
		self.customer, self.customer_name = ticket.customer, ticket.customer_name
		self.warranty_status = ticket.warranty_status
		if not self.technician:
			self.technician = ticket.assigned_technician
		if self.technician and (not self.technician_name or self.has_value_changed("technician")):
			self.technician_name = frappe.db.get_value(
				"Service Technician", self.technician, "technician_name"
			)

	def validate_technician(self):
		"""A field technician makes visits of their own tickets, as themselves."""
		if self.is_new() and roles.is_technician_only() and self.technician != frappe.session.user:
			frappe.throw(_("You make visits as yourself"), frappe.PermissionError)

	def validate_schedule(self):
		if (
			self.scheduled_start
			and self.scheduled_end
			and get_datetime(self.scheduled_end) <= get_datetime(self.scheduled_start)
		):
			frappe.throw(_("Scheduled End must be after Scheduled Start"), VisitScheduleError)

	def validate_times(self):
		if self.check_out and (
			not self.check_in or get_datetime(self.check_out) < get_datetime(self.check_in)
		):
			frappe.throw(_("Check out comes after check in"), VisitTimeError)

	def validate_serial_swap(self):
		if bool(self.faulty_serial_no) != bool(self.replacement_serial_no):
			frappe.throw(
				_("A serial number swap needs both the faulty and the replacement serial number"),
				SerialSwapError,
			)
		if self.faulty_serial_no and self.faulty_serial_no == self.replacement_serial_no:
			frappe.throw(_("The replacement serial number must differ from the faulty one"), SerialSwapError)

	def validate_parts(self):
		for row in self.parts:
			item = frappe.db.get_value(
				"Item", row.item_code, ["item_name", "stock_uom", "is_stock_item"], as_dict=True
			)
			row.item_name = row.item_name or item.item_name
			row.uom = item.stock_uom  # parts are counted in the item's stock unit
			row.is_stock_item = item.is_stock_item
			if flt(row.qty) <= 0:
				frappe.throw(
					_("Row {0}: the quantity of {1} must be greater than zero").format(
						row.idx, frappe.bold(row.item_code)
					),
					VisitPartError,
				)
			if not row.is_stock_item:
				continue
			if not row.warehouse:
				frappe.throw(
					_("Row {0}: pick the warehouse that stock item {1} comes from").format(
						row.idx, frappe.bold(row.item_code)
					),
					VisitPartError,
				)
			if frappe.db.get_value("Warehouse", row.warehouse, "is_group"):
				frappe.throw(
					_("Row {0}: {1} is a group warehouse; pick a warehouse that holds stock").format(
						row.idx, frappe.bold(row.warehouse)
					),
					VisitPartError,
				)

	def validate_issued_parts_unchanged(self):
		"""Parts already issued from stock stay as issued, so that stock stays true: cancel the
		Stock Entry first (which unlinks it) to change them."""
		before = self.get_doc_before_save()
		if not before or not self.stock_entry or self.stock_entry != before.stock_entry:
			return
		if frappe.db.get_value("Stock Entry", self.stock_entry, "docstatus") != 1:
			return
		if stock_parts_signature(before) != stock_parts_signature(self):
			frappe.throw(
				_("The parts were issued with Stock Entry {0}: cancel it before changing them").format(
					frappe.bold(self.stock_entry)
				),
				PartsIssuedError,
			)

	def set_amounts(self):
		"""Each part at the customer's rate (billing.part_rate), as the charge invoice bills it. A
		new part, or one whose item changed, is priced unless the user may set prices (the rate's
		permission level: agents and managers), whose entered rate is kept."""
		before = self.get_doc_before_save()
		items_before = {row.name: row.item_code for row in (before.parts if before else [])}
		sets_prices = self.flags.ignore_permissions or 1 in self.get_permlevel_access()
		customer = None
		for row in self.parts:
			kept = items_before.get(row.name) == row.item_code  # a stored row, same item
			if not flt(row.rate) or not (kept or sets_prices):
				customer = customer or frappe.db.get_value("Service Ticket", self.ticket, "customer")
				row.rate = billing.part_rate(row.item_code, customer, row.qty)
			row.amount = flt(flt(row.qty) * flt(row.rate), row.precision("amount"))
		basis = self.charge_basis()
		self.chargeable_amount = sum(
			flt(row.amount) for row in self.parts if billing.is_charged(basis, row.not_covered)
		)

	def charge_basis(self) -> str:
		ticket = frappe.db.get_value(
			"Service Ticket", self.ticket, ["charge_override", "ticket_type"], as_dict=True
		)
		policy = frappe.db.get_value("Service Ticket Type", ticket.ticket_type, "charge_policy")
		return billing.charge_basis(ticket.charge_override, policy, self.warranty_status)

	def stock_parts(self) -> list:
		return [row for row in self.parts if row.is_stock_item]


def stock_parts_signature(visit) -> list[tuple]:
	return sorted(
		(row.item_code, flt(row.qty), row.warehouse or "")
		for row in visit.parts
		if frappe.db.get_value("Item", row.item_code, "is_stock_item")
	)
