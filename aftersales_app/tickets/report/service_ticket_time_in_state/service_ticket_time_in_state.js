// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Ticket Time in State"] = {
	filters: [
		...aftersales.date_range_filters(),
		{
			fieldname: "workflow_state",
			label: __("Workflow State"),
			fieldtype: "Link",
			options: "Workflow State",
		},
		...aftersales.report_filters("company", "territory", "ticket_type", "technician"),
	],
};
