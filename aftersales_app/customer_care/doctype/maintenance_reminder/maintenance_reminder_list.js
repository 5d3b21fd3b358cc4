// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Maintenance Reminder"] = {
	get_indicator(doc) {
		const colours = { Offered: "orange", Accepted: "green", Declined: "gray", Expired: "red" };
		return [__(doc.status, null, "Maintenance Reminder"), colours[doc.status], `status,=,${doc.status}`];
	},
};
