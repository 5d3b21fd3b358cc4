// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Service Payment"] = {
	add_fields: ["status", "currency"],
	get_indicator(doc) {
		const colours = { Unconfirmed: "orange", Confirmed: "green", Rejected: "red" };
		return [__(doc.status, null, "Service Payment"), colours[doc.status], `status,=,${doc.status}`];
	},
	onload(listview) {
		// finance's queue (财务确认): what waits for confirmation, oldest first
		const finance = aftersales.has_role("finance") && frappe.session.user !== "Administrator";
		if (finance && !frappe.route_options) {
			listview.filter_area.add([["Service Payment", "status", "=", "Unconfirmed"]]);
		}
	},
};
