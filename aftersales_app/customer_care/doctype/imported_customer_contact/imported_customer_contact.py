# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ImportedCustomerContact(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		birthday: DF.Date | None
		contact: DF.Link | None
		email_id: DF.Data | None
		first_name: DF.Data
		is_primary: DF.Check
		last_name: DF.Data | None
		mobile_no: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		preferred_channel: DF.Literal["", "Phone", "WeChat", "WeCom", "Email", "SMS"]
		wechat_id: DF.Data | None
	# end: auto-generated types
	pass
