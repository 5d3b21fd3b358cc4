// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Cash Held by Technician"] = {
	filters: [
		{
			fieldname: "collected_by",
			label: __("Collected By", null, "Service Payment"),
			fieldtype: "Link",
			options: "User",
		},
		{
			fieldname: "mode_of_payment",
			label: __("Mode of Payment"),
			fieldtype: "Link",
			options: "Mode of Payment",
			description: __("Empty: every cash mode"),
		},
	],
};
