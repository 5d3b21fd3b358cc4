# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ServiceSkill(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		skill_name: DF.Data
	# end: auto-generated types
	pass
