// The outbox in the desk: each message's delivery state in colour.
const AFTERSALES_MESSAGE_COLOURS = {
	Queued: "orange",
	Sent: "green",
	Failed: "red",
	Held: "blue",
	Digested: "gray",
};

frappe.listview_settings["After-Sales Message"] = {
	add_fields: ["status", "channel"],
	formatters: { event: (value) => aftersales.event_label(value) },
	get_indicator(doc) {
		return [
			__(doc.status, null, "After-Sales Message"),
			AFTERSALES_MESSAGE_COLOURS[doc.status] || "gray",
			"status,=," + doc.status,
		];
	},
};
