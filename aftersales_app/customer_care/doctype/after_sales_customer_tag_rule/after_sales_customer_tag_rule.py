# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AfterSalesCustomerTagRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		months: DF.Int
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		rule: DF.Literal["Frequent Repairs", "Churn Risk", "High Value"]
		tag: DF.Link
		threshold: DF.Float
		ticket_type: DF.Link | None
	# end: auto-generated types
	pass
