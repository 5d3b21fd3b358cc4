frappe.listview_settings["Service Technician"] = {
	add_fields: ["active", "away"],
	get_indicator(doc) {
		if (!doc.active) return [__("Inactive", null, "Service Technician"), "gray", "active,=,0"];
		if (doc.away) return [__("Away", null, "Service Technician"), "orange", "away,=,1"];
		return [__("Active", null, "Service Technician"), "green", "active,=,1"];
	},
};
