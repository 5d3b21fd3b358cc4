# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Finance's queue (财务确认): payments collected and not yet confirmed, oldest first, with how long
each has waited (index on status, creation)."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import flt, get_datetime, now_datetime

from aftersales_app.reports import shown_links


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	now = now_datetime()
	data = []
	for row in get_waiting(filters):
		hours = (now - get_datetime(row.creation)).total_seconds() / 3600
		data.append({**row, "waiting_hours": flt(hours, 1), "age": age_bucket(hours)})
	return get_columns(), data, None, get_chart(data)


def get_waiting(filters) -> list:
	payment = DocType("Service Payment")
	query = (
		frappe.qb.from_(payment)
		.select(
			payment.name,
			payment.service_ticket,
			payment.customer_name,
			payment.installment_no,
			payment.amount,
			payment.currency,
			payment.mode_of_payment,
			payment.reference_no,
			payment.collected_by,
			payment.collected_on,
			payment.creation,
		)
		.where(payment.status == "Unconfirmed")
		.orderby(payment.creation)
	)
	for field in ("mode_of_payment", "collected_by", "customer"):
		if filters.get(field):
			query = query.where(payment[field] == filters.get(field))
	return query.run(as_dict=True)


AGE_BUCKETS = ((24, "Within a day"), (72, "1-3 days"), (168, "3-7 days"))


def age_bucket(hours: float) -> str:
	for limit, label in AGE_BUCKETS:
		if hours < limit:
			return _(label)
	return _("Over a week")


def get_chart(data: list) -> dict:
	labels = [_(label) for _limit, label in AGE_BUCKETS] + [_("Over a week")]
	totals = dict.fromkeys(labels, 0.0)
	for row in data:
		totals[row["age"]] += flt(row["amount"])
	return {
		"data": {"labels": labels, "datasets": [{"name": _("Amount"), "values": list(totals.values())}]},
		"type": "bar",
		"colors": ["#f39c12"],
	}


def get_columns() -> list[dict]:
	return shown_links(
		[
			{
				"fieldname": "name",
				"label": _("Service Payment"),
				"fieldtype": "Link",
				"options": "Service Payment",
				"width": 170,
			},
			{
				"fieldname": "service_ticket",
				"label": _("Service Ticket"),
				"fieldtype": "Link",
				"options": "Service Ticket",
				"width": 170,
			},
			{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 170},
			{
				"fieldname": "installment_no",
				"label": _("Installment", context="Service Payment"),
				"fieldtype": "Int",
				"width": 70,
			},
			{
				"fieldname": "amount",
				"label": _("Amount"),
				"fieldtype": "Currency",
				"options": "currency",
				"width": 110,
			},
			{
				"fieldname": "mode_of_payment",
				"label": _("Mode of Payment"),
				"fieldtype": "Link",
				"options": "Mode of Payment",
				"width": 110,
			},
			{"fieldname": "reference_no", "label": _("Reference No"), "fieldtype": "Data", "width": 150},
			{
				"fieldname": "collected_by",
				"label": _("Collected By", context="Service Payment"),
				"fieldtype": "Link",
				"options": "User",
				"width": 170,
			},
			{
				"fieldname": "collected_on",
				"label": _("Collected On", context="Service Payment"),
				"fieldtype": "Date",
				"width": 100,
			},
			{"fieldname": "waiting_hours", "label": _("Waiting (Hours)"), "fieldtype": "Float", "width": 110},
			{"fieldname": "age", "label": _("Waiting Time"), "fieldtype": "Data", "width": 100},
			{
				"fieldname": "currency",
				"label": _("Currency"),
				"fieldtype": "Link",
				"options": "Currency",
				"hidden": 1,
			},
		]
	)
