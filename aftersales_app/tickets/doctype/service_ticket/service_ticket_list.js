frappe.listview_settings["Service Ticket"] = {
	add_fields: ["status", "workflow_state", "warranty_status", "customer_name", "priority"],
	get_indicator(doc) {
		return aftersales.state_indicator(doc);
	},
};
