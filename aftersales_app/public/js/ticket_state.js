// Colour, icon and text of a ticket's workflow state, read from After-Sales Settings (boot).
// Text always stands beside the colour, so states are told apart without colour too.
frappe.provide("aftersales");

aftersales.CATEGORY_COLOURS = {
	Open: "red",
	"Pending Review": "orange",
	Dispatching: "yellow",
	"Awaiting Acceptance": "purple",
	"In Progress": "blue",
	"On Hold": "darkgrey",
	"Awaiting Customer": "cyan",
	"Awaiting Payment": "pink",
	"Payment Submitted": "light-blue",
	"Awaiting Revisit": "cyan",
	Closed: "green",
	Rejected: "red",
	Cancelled: "gray",
};

aftersales.state_indicator = function (doc) {
	const state = doc.workflow_state;
	if (!state) return [__(doc.status, null, "Service Ticket"), "gray", "status,=," + doc.status];
	const info = (frappe.boot.aftersales_states || {})[state] || {};
	const colour = info.color || aftersales.CATEGORY_COLOURS[info.category || doc.status] || "gray";
	const icon = info.icon ? frappe.utils.icon(info.icon, "xs") + " " : "";
	return [icon + frappe.utils.escape_html(__(state)), colour, "workflow_state,=," + state];
};
