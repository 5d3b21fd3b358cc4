// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Parts Used under Warranty"] = {
	filters: [
		...aftersales.date_range_filters(3),
		...aftersales.report_filters("company", "item_group", "territory", "technician"),
	],
};
