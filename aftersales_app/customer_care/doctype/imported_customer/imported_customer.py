# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from aftersales_app.customer_care import customer_import


class ImportedCustomer(Document):
	"""One customer brought in from another system (客户导入) with their contacts, addresses and
	serial numbers, usually a row group of a Data Import file: inserting it makes all of them in
	one transaction (aftersales_app.customer_care.customer_import), so a bad row leaves nothing behind."""

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from aftersales_app.customer_care.doctype.imported_customer_address.imported_customer_address import (
			ImportedCustomerAddress,
		)
		from aftersales_app.customer_care.doctype.imported_customer_contact.imported_customer_contact import (
			ImportedCustomerContact,
		)
		from aftersales_app.customer_care.doctype.imported_customer_serial.imported_customer_serial import (
			ImportedCustomerSerial,
		)

		addresses: DF.Table[ImportedCustomerAddress]
		contacts: DF.Table[ImportedCustomerContact]
		customer: DF.Link | None
		customer_group: DF.Link | None
		customer_name: DF.Data
		customer_type: DF.Literal["Company", "Individual", "Partnership"]
		legacy_id: DF.Data | None
		serial_nos: DF.Table[ImportedCustomerSerial]
		territory: DF.Link | None
	# end: auto-generated types

	def validate(self):
		if not self.is_new():
			frappe.throw(
				_("An imported customer is not edited: edit the customer itself"), frappe.ValidationError
			)
		customer_import.validate(self)

	def after_insert(self):
		customer_import.make_records(self)
