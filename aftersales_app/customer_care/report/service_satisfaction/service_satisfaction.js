// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Satisfaction"] = {
	filters: [
		...aftersales.date_range_filters(),
		aftersales.group_by_filter(["Technician", "Ticket Type", "Territory"]),
	],
};
