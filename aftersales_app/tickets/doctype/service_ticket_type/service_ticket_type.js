// A ticket type's name is its ID (Repair): a shipped type reads in the user's language (维修), as
// every link to it does.
frappe.ui.form.on("Service Ticket Type", {
	refresh(frm) {
		frm.set_df_property("type_name", "formatter", (value) => frappe.utils.escape_html(__(value || "")));
	},
});
