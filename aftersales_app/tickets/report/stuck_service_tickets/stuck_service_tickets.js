// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Stuck Service Tickets"] = {
	filters: [
		{ fieldname: "hours", label: __("Longer Than (Hours)"), fieldtype: "Int", default: 24, reqd: 1 },
		{
			fieldname: "workflow_state",
			label: __("Workflow State"),
			fieldtype: "Link",
			options: "Workflow State",
		},
		...aftersales.report_filters("company", "territory", "ticket_type", "technician"),
	],
};
