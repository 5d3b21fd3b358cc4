// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Returns and Exchanges"] = {
	filters: [
		...aftersales.date_range_filters(3),
		{
			fieldname: "return_type",
			label: __("Return Type"),
			fieldtype: "Select",
			options: [
				{ value: "", label: "" },
				{ value: "Refund", label: __("Refund") },
				{ value: "Exchange", label: __("Exchange") },
			],
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: [
				"",
				"Authorised",
				"Received",
				"Inspected",
				"Refund Requested",
				"Refunded",
				"Exchanged",
				"Sent Back",
				"Cancelled",
			].map((value) => ({ value, label: value ? __(value) : "" })),
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "item_code", label: __("Item"), fieldtype: "Link", options: "Item" },
	],
};
