// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Repeat Repairs"] = {
	filters: [
		...aftersales.date_range_filters(12),
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Serial No", label: __("Serial No") },
				{ value: "Customer", label: __("Customer") },
			],
			default: "Serial No",
		},
		{ fieldname: "min_tickets", label: __("At Least (Tickets)"), fieldtype: "Int", default: 2 },
		{ fieldname: "item_group", label: __("Item Group"), fieldtype: "Link", options: "Item Group" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
	],
};
