// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Returns and Exchanges"] = {
	filters: [
		...aftersales.date_range_filters(3),
		aftersales.select_filter("Service Return", "return_type"),
		aftersales.select_filter("Service Return", "status"),
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "item_code", label: __("Item"), fieldtype: "Link", options: "Item" },
	],
};
