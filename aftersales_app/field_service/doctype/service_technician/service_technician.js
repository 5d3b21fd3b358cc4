// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Service Technician", {
	setup(frm) {
		frm.set_query("user", () => ({ filters: { user_type: "System User", enabled: 1 } }));
		frm.set_query("employee", () => ({ filters: { status: "Active" } }));
	},
});
