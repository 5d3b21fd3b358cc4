# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Returns and exchanges (退换货) authorised in a date range: each return with its reason, where it
stands, the day of each step and the days it took, what was refunded or which unit replaced it,
and the ERPNext documents behind it; a chart of returns by reason. Read through frappe.get_list,
so each reader sees the returns their permissions allow (a technician, those of their tickets).
Read-only, so a replica may serve it."""

from collections import Counter

import frappe
from frappe import _
from frappe.utils import add_days, date_diff, flt

from aftersales_app.core.reports import bar_chart, column, date_range

FIELDS = [
	"name",
	"service_ticket",
	"customer_name",
	"item_code",
	"serial_no",
	"return_type",
	"reason",
	"status",
	"authorised_on",
	"received_on",
	"inspection_result",
	"inspected_on",
	"refund_amount",
	"credit_note",
	"refund_entry",
	"refunded_on",
	"replacement_serial_no",
	"replacement_delivery",
	"exchanged_on",
	"sent_back_on",
	"carrier",
	"tracking_no",
	"modified",
]
ENDED_ON = ("refunded_on", "exchanged_on", "sent_back_on")


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	from_date, to_date = date_range(filters, months=3)
	conditions = [
		["authorised_on", ">=", from_date],
		["authorised_on", "<", add_days(to_date, 1)],
	]
	for key in ("return_type", "status", "customer", "item_code"):
		if filters.get(key):
			conditions.append([key, "=", filters.get(key)])
	rows = frappe.get_list(
		"Service Return",
		filters=conditions,
		fields=FIELDS,
		order_by="authorised_on desc",
		limit_page_length=0,
	)
	for row in rows:
		ended = next((row[f] for f in ENDED_ON if row.get(f)), None)
		row.days_to_receive = date_diff(row.received_on, row.authorised_on) if row.received_on else None
		row.days_to_close = date_diff(ended, row.authorised_on) if ended else None
		row.status_label = _(row.status, context="Service Return")
		row.reason_label = _(row.reason, context="Service Return")
		row.type_label = _(row.return_type, context="Service Return")
		row.inspection_label = (
			_(row.inspection_result, context="Service Return") if row.inspection_result else None
		)
		row.refund_amount = flt(row.refund_amount) if row.status == "Refunded" else None
	return rows


def get_columns() -> list[dict]:
	return [
		column("name", "Service Return", "Link", "Service Return", 150),
		column("service_ticket", "Service Ticket", "Link", "Service Ticket", 160),
		column("customer_name", "Customer Name", width=170),
		column("item_code", "Item", "Link", "Item", 130),
		column("serial_no", "Serial No", "Link", "Serial No", 130),
		column("type_label", "Return Type", width=90),
		column("reason_label", "Reason", width=110),
		column("status_label", "Status", width=100),
		column("authorised_on", "Authorised On", "Datetime", width=150),
		column("received_on", "Goods Received On", "Datetime", width=150),
		column("days_to_receive", "Days to Receive", "Int", width=90),
		column("inspection_label", "Inspection Result", width=90),
		column("refund_amount", "Refund Amount", "Currency", width=110),
		column("credit_note", "Refund Credit Note", "Link", "Sales Invoice", 150),
		column("refund_entry", "Refund Payment Entry", "Link", "Payment Entry", 150),
		column("replacement_serial_no", "Replacement Serial No", "Link", "Serial No", 140),
		column("replacement_delivery", "Replacement Delivery Note", "Link", "Delivery Note", 150),
		column("days_to_close", "Days to Close", "Int", width=90),
		column("tracking_no", "Tracking Number", width=140),
	]


def get_chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	by_reason = Counter(row.reason_label for row in rows)
	labels = [reason for reason, _count in by_reason.most_common()]
	return bar_chart(labels, [("Returns and Exchanges", [by_reason[label] for label in labels])], ["#F39C12"])
