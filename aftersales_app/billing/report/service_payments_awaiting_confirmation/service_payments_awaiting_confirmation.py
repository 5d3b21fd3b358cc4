# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Finance's queue (财务确认): payments collected and not yet confirmed, oldest first, with how long
each has waited (index on status, creation)."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import flt, get_datetime, now_datetime

from aftersales_app.core.reports import column


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
	return [
		column("name", "Service Payment", "Link", "Service Payment", 170),
		column("service_ticket", "Service Ticket", "Link", "Service Ticket", 170),
		column("customer_name", "Customer Name", width=170),
		column("installment_no", "Installment", "Int", width=70, context="Service Payment"),
		column("amount", "Amount", "Currency", "currency", 110),
		column("mode_of_payment", "Mode of Payment", "Link", "Mode of Payment", 110),
		column("reference_no", "Reference No", width=150),
		column("collected_by", "Collected By", "Link", "User", 170, context="Service Payment"),
		column("collected_on", "Collected On", "Date", width=100, context="Service Payment"),
		column("waiting_hours", "Waiting (Hours)", "Float", width=110),
		column("age", "Waiting Time", width=100),
		column("currency", "Currency", "Link", "Currency", hidden=1),
	]
