# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AfterSalesStateLimit(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		category: DF.Literal[
			"Open",
			"Pending Review",
			"Dispatching",
			"Awaiting Acceptance",
			"In Progress",
			"On Hold",
			"Awaiting Customer",
			"Awaiting Payment",
			"Payment Submitted",
			"Awaiting Revisit",
		]
		hours: DF.Float
		notify: DF.Literal["Assigned Technician", "Responsible Agent", "After-Sales Manager"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data

	# end: auto-generated types
	pass
