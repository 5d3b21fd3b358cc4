# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ImportedCustomerAddress(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		address: DF.Link | None
		address_line1: DF.Data
		address_line2: DF.Data | None
		address_type: DF.Literal["Billing", "Shipping", "Office", "Personal", "Plant", "Service", "Other"]
		city: DF.Data
		country: DF.Link | None
		is_primary: DF.Check
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		phone: DF.Data | None
		pincode: DF.Data | None
		state: DF.Data | None
	# end: auto-generated types
	pass
