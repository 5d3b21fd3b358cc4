// An outbox message names its event by the event's label (工单已接单), not its key.
frappe.ui.form.on("After-Sales Message", {
	refresh(frm) {
		frm.set_df_property("event", "formatter", (value) => aftersales.event_label(value));
	},
});
