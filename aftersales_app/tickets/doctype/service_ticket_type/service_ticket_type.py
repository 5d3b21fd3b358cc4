# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ServiceTicketType(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		charge_policy: DF.Literal["Follow Warranty", "Always Free", "Always Charged"]
		default_dispatch_mode: DF.Literal["Direct", "Pool", "Auto"]
		default_priority: DF.Link | None
		description: DF.SmallText | None
		disabled: DF.Check
		required_skill: DF.Link | None
		type_name: DF.Data
	# end: auto-generated types
	pass
