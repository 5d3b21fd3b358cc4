# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AfterSalesEscalationLevel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		notify: DF.Literal["Assigned Technician", "Responsible Agent", "After-Sales Manager"]
		percent: DF.Int
		reassign: DF.Check
		territory: DF.Link | None
		ticket_type: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data

	# end: auto-generated types
	pass
