// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Level Compliance"] = {
	filters: [
		...aftersales.date_range_filters(),
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Priority", label: __("Priority") },
				{ value: "Territory", label: __("Territory") },
				{ value: "Technician", label: __("Technician") },
				{ value: "Ticket Type", label: __("Ticket Type") },
			],
			default: "Priority",
		},
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{
			fieldname: "ticket_type",
			label: __("Ticket Type"),
			fieldtype: "Link",
			options: "Service Ticket Type",
		},
		{
			fieldname: "technician",
			label: __("Technician"),
			fieldtype: "Link",
			options: "Service Technician",
		},
	],
};
