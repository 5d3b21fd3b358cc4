// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Frequent Faults"] = {
	filters: [
		...aftersales.date_range_filters(3),
		aftersales.group_by_filter(["Item", "Item Group"]),
		...aftersales.report_filters("company", "item_group", "territory", "ticket_type"),
	],
};
