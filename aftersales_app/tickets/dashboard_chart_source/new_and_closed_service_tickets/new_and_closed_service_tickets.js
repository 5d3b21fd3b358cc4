// The After-Sales workspace's chart: aftersales_app.tickets.dashboards (per reader, never cached across readers).
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["New and Closed Service Tickets"] = {
	method: "aftersales_app.tickets.dashboards.new_and_closed",
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -1),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
	],
};
