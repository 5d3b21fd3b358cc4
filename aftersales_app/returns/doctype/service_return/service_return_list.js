// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Service Return"] = {
	add_fields: ["status", "return_type"],
	get_indicator(doc) {
		const colours = {
			Authorised: "orange",
			Received: "blue",
			Inspected: "purple",
			"Refund Requested": "pink",
			Refunded: "green",
			Exchanged: "green",
			"Sent Back": "darkgrey",
			Cancelled: "red",
		};
		return [__(doc.status), colours[doc.status] || "grey", `status,=,${doc.status}`];
	},
};
