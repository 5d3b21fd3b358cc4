frappe.listview_settings["Service Ticket"] = {
	add_fields: ["status", "warranty_status", "customer_name", "priority"],
	get_indicator(doc) {
		const colours = {
			Open: "red",
			"Pending Review": "orange",
			Dispatching: "yellow",
			"Awaiting Acceptance": "purple",
			"In Progress": "blue",
			"On Hold": "gray",
			"Awaiting Customer": "cyan",
			"Awaiting Payment": "pink",
			"Payment Submitted": "pink",
			"Awaiting Revisit": "light-blue",
			Closed: "green",
			Rejected: "darkgrey",
			Cancelled: "darkgrey",
		};
		return [__(doc.status, null, "Service Ticket"), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
