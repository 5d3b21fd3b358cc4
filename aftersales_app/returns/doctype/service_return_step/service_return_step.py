# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ServiceReturnStep(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		by: DF.Link | None
		document: DF.DynamicLink | None
		document_type: DF.Link | None
		note: DF.SmallText | None
		on: DF.Datetime
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		step: DF.Literal[
			"Authorised",
			"Pickup Requested",
			"Shipped",
			"Received",
			"Inspected",
			"Refund Requested",
			"Refunded",
			"Exchanged",
			"Sent Back",
			"Cancelled",
		]
	# end: auto-generated types

	pass
