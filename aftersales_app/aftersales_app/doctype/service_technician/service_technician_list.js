frappe.listview_settings["Service Technician"] = {
	add_fields: ["active", "away"],
	get_indicator(doc) {
		if (!doc.active) return [__("Inactive"), "gray", "active,=,0"];
		if (doc.away) return [__("Away"), "orange", "away,=,1"];
		return [__("Active"), "green", "active,=,1"];
	},
};
