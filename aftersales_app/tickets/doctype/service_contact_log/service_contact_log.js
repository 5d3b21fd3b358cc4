// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Service Contact Log", {
	setup(frm) {
		frm.set_query("contact", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer },
		}));
	},
});
