// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Satisfaction"] = {
	filters: [
		...aftersales.date_range_filters(),
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Technician", label: __("Technician") },
				{ value: "Ticket Type", label: __("Ticket Type") },
				{ value: "Territory", label: __("Territory") },
			],
			default: "Technician",
		},
	],
};
