// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Repeat Repairs"] = {
	filters: [
		...aftersales.date_range_filters(12),
		aftersales.group_by_filter(["Serial No", "Customer"]),
		{ fieldname: "min_tickets", label: __("At Least (Tickets)"), fieldtype: "Int", default: 2 },
		...aftersales.report_filters("company", "item_group", "territory"),
	],
};
