# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ServiceVisitPart(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		is_stock_item: DF.Check
		item_code: DF.Link
		item_name: DF.Data | None
		not_covered: DF.Check
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		qty: DF.Float
		rate: DF.Currency
		uom: DF.Link | None
		warehouse: DF.Link | None
	# end: auto-generated types
	pass
