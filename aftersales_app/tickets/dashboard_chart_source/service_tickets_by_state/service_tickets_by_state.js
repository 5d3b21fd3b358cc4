// The After-Sales workspace's chart: aftersales_app.tickets.dashboards (per reader, never cached across readers).
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Service Tickets by State"] = {
	method: "aftersales_app.tickets.dashboards.tickets_by_state",
	filters: [],
};
