# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AfterSalesSettlementRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		balance_due_days: DF.Int
		customer_group: DF.Link | None
		deposit_percentage: DF.Percent
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		payment_terms_template: DF.Link | None
		settlement: DF.Literal["Pay on Site", "Invoice Terms", "Deposit and Balance"]
		ticket_type: DF.Link | None
	# end: auto-generated types
	pass
