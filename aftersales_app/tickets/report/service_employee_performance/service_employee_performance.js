// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Service Employee Performance"] = {
	filters: [
		...aftersales.date_range_filters(),
		{
			fieldname: "view",
			label: __("People"),
			fieldtype: "Select",
			options: [
				{ value: "Technicians", label: __("Technicians") },
				{ value: "Agents", label: __("Customer Service Agents") },
			],
			default: "Technicians",
		},
		...aftersales.report_filters("company", "territory", "ticket_type", "technician"),
	],
};
