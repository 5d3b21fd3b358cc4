// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

const REMINDER_COLOURS = { Offered: "orange", Accepted: "green", Declined: "gray", Expired: "red" };

frappe.ui.form.on("Maintenance Reminder", {
	refresh(frm) {
		const doc = frm.doc;
		frm.page.set_indicator(__(doc.status, null, "Maintenance Reminder"), REMINDER_COLOURS[doc.status]);
		if (doc.service_ticket) {
			frm.add_custom_button(__("Service Ticket"), () =>
				frappe.set_route("Form", "Service Ticket", doc.service_ticket)
			);
		}
		if (doc.status !== "Offered" || !aftersales.has_role("dispatchers")) return;
		const record = (accept) =>
			frappe
				.xcall("aftersales_app.api.care.record_check_up_answer", {
					reminder: doc.name,
					accept: accept ? 1 : 0,
				})
				.then(() => frm.reload_doc());
		frm.add_custom_button(__("Customer Accepts"), () => record(true), __("Customer's Answer"));
		frm.add_custom_button(__("Customer Declines"), () => record(false), __("Customer's Answer"));
	},
});
