// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Ticket Status Summary"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date" },
		{
			fieldname: "ticket_type",
			label: __("Ticket Type"),
			fieldtype: "Link",
			options: "Service Ticket Type",
		},
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{
			fieldname: "assigned_technician",
			label: __("Assigned Technician"),
			fieldtype: "Link",
			options: "Service Technician",
		},
	],
};
