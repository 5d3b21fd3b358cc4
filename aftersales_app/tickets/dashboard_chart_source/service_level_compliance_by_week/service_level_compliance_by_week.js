// The After-Sales workspace's chart: aftersales_app.tickets.dashboards (per reader, never cached across readers).
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Service Level Compliance by Week"] = {
	method: "aftersales_app.tickets.dashboards.sla_compliance_by_week",
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -3),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
	],
};
