// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Cost"] = {
	filters: [
		...aftersales.date_range_filters(),
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
