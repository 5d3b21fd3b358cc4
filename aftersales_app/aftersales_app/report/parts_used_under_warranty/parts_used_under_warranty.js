// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Parts Used under Warranty"] = {
	filters: [
		...aftersales.date_range_filters(3),
		{ fieldname: "item_group", label: __("Item Group"), fieldtype: "Link", options: "Item Group" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{
			fieldname: "technician",
			label: __("Technician"),
			fieldtype: "Link",
			options: "Service Technician",
		},
	],
};
