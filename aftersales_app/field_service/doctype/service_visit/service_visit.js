// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

const VISIT_API = "aftersales_app.api.visit.";

frappe.ui.form.on("Service Visit", {
	setup(frm) {
		frm.set_query("ticket", () => ({
			filters: { status: ["not in", aftersales.vocabulary().final] },
		}));
		frm.set_query("item_code", "parts", () => ({ filters: { disabled: 0 } }));
		frm.set_query("warehouse", "parts", () => ({
			filters: { is_group: 0, company: frappe.defaults.get_default("company") },
		}));
	},

	refresh(frm) {
		if (frm.is_new()) return;
		frm.trigger("return_slip_lock");
		const doc = frm.doc;
		if (!doc.check_in) {
			frm.add_custom_button(__("Check In", null, "Service Visit"), () => visit_action(frm, "check_in"));
		} else if (!doc.check_out) {
			frm.add_custom_button(__("Check Out", null, "Service Visit"), () =>
				visit_action(frm, "check_out")
			);
		}
		if (!doc.stock_entry && (doc.parts || []).some((p) => p.is_stock_item)) {
			frm.add_custom_button(__("Make Stock Entry", null, "Service Visit"), () =>
				frappe.confirm(__("Issue the stock parts of this visit from their warehouses?"), async () => {
					const r = await visit_action(frm, "make_stock_entry");
					frappe.show_alert({
						message: __("Stock Entry {0} issued the parts", [r.stock_entry]),
						indicator: "green",
					});
				})
			);
		}
		frm.trigger("add_return_slip_button");
	},

	return_slip_lock(frm) {
		// a filed return slip's visit is read-only (the server refuses changes: aftersales_app.field_service.visits)
		const onload = frm.doc.__onload || {};
		const meta = frappe.get_meta("Service Visit");
		for (const fieldname of onload.return_slip_fields || []) {
			const base = meta.fields.find((df) => df.fieldname === fieldname);
			frm.set_df_property(
				fieldname,
				"read_only",
				onload.return_slip_filed ? 1 : (base && base.read_only) || 0
			);
		}
	},

	async add_return_slip_button(frm) {
		// offered while the ticket is being worked on; the server checks again, and that this is
		// the ticket's last visit
		const { message } = await frappe.db.get_value("Service Ticket", frm.doc.ticket, "status");
		if (!message || message.status !== aftersales.category.IN_PROGRESS) return;
		frm.add_custom_button(__("File Return Slip"), () =>
			frappe.confirm(
				__(
					"File the return slip: copy the diagnosis, solution, parts and labour to ticket {0} and send it for the customer's confirmation?",
					[frm.doc.ticket]
				),
				async () => {
					const r = await visit_action(frm, "file_return_slip");
					frappe.show_alert({
						message: __("Ticket {0} is now {1}", [r.ticket, __(r.workflow_state)]),
						indicator: "green",
					});
				}
			)
		).addClass("btn-primary");
	},
});

frappe.ui.form.on("Service Visit Part", {
	qty(frm, cdt, cdn) {
		set_amount(frm, cdt, cdn);
	},
	rate(frm, cdt, cdn) {
		set_amount(frm, cdt, cdn);
	},
});

function set_amount(frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	// the chargeable amount follows the ticket's charge basis: the server sets it on save
	frappe.model.set_value(cdt, cdn, "amount", flt(row.qty) * flt(row.rate));
}

// frappe.xcall, not frm.call: frm.call copies every key of the answer into the document
async function visit_action(frm, method) {
	if (frm.is_dirty()) await frm.save();
	const answer = await frappe.xcall(VISIT_API + method, { visit: frm.doc.name });
	await frm.reload_doc();
	return answer;
}
