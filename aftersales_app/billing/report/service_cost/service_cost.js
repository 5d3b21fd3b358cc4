// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Cost"] = {
	filters: [
		...aftersales.date_range_filters(),
		...aftersales.report_filters("company", "territory", "ticket_type", "technician"),
	],
};
