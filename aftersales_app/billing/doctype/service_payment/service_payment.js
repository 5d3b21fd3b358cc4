// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Service Payment", {
	setup(frm) {
		frm.set_query("service_ticket", () => ({ filters: { billable: 1, charge_invoice: ["is", "set"] } }));
	},

	onload(frm) {
		if (frm.is_new() && !frm.doc.collected_by) frm.set_value("collected_by", frappe.session.user);
		if (frm.is_new() && frm.doc.service_ticket && !frm.doc.amount) frm.trigger("service_ticket");
	},

	async service_ticket(frm) {
		// what is left to collect on the ticket, as a starting amount
		if (!frm.doc.service_ticket || frm.doc.amount) return;
		const charges = await frappe.xcall("aftersales_app.api.payment.charges", {
			ticket: frm.doc.service_ticket,
		});
		if (charges.to_collect > 0) frm.set_value("amount", charges.to_collect);
	},

	refresh(frm) {
		const doc = frm.doc;
		if (frm.is_new()) return;
		frm.page.set_indicator(__(doc.status, null, "Service Payment"), STATUS_COLOURS[doc.status]);
		const finance = aftersales.has_role("finance");
		const act = (method, args) =>
			frappe.xcall(`aftersales_app.api.payment.${method}`, { payment: doc.name, ...args }).then((r) => {
				frm.reload_doc();
				frappe.show_alert({
					message: __("Ticket {0} is now {1}", [r.ticket, __(r.workflow_state)]),
					indicator: "green",
				});
			});
		if (doc.status === "Unconfirmed" && finance) {
			frm.add_custom_button(__("Confirm Payment"), () =>
				frappe.confirm(
					__("Book {0} received by {1} with a Payment Entry against invoice {2}?", [
						format_currency(doc.amount, doc.currency),
						__(doc.mode_of_payment),
						doc.sales_invoice,
					]),
					() => act("confirm_payment")
				)
			).addClass("btn-primary");
			frm.add_custom_button(__("Reject Payment"), () =>
				frappe.prompt(
					[
						{
							fieldname: "reason",
							fieldtype: "Small Text",
							label: __("Rejection Reason", null, "Service Payment"),
							reqd: 1,
						},
					],
					(values) => act("reject_payment", values),
					__("Reject Payment"),
					__("Reject Payment")
				)
			);
		}
		if (doc.status === "Rejected" && frm.perm[0]?.write) {
			frm.add_custom_button(__("Submit Again"), () => act("resubmit_payment")).addClass("btn-primary");
		}
		if (doc.payment_entry) {
			frm.add_custom_button(__("Payment Entry"), () =>
				frappe.set_route("Form", "Payment Entry", doc.payment_entry)
			);
		}
	},
});

const STATUS_COLOURS = { Unconfirmed: "orange", Confirmed: "green", Rejected: "red" };
