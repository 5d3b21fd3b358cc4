// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Overdue Revisits"] = {
	filters: [
		{
			fieldname: "responsible_agent",
			label: __("Responsible Agent"),
			fieldtype: "Link",
			options: "User",
		},
		...aftersales.report_filters("company", "territory", "ticket_type", "technician"),
	],
};
