// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Level Compliance"] = {
	filters: [
		...aftersales.date_range_filters(),
		aftersales.group_by_filter(["Priority", "Territory", "Technician", "Ticket Type"]),
		...aftersales.report_filters("company", "territory", "ticket_type", "technician"),
	],
};
