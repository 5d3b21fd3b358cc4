// The type's name reads in the user's language, as its ID column and every link to it do.
frappe.listview_settings["Service Ticket Type"] = {
	formatters: { type_name: (value) => frappe.utils.escape_html(__(value || "")) },
};
