# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Confirmed payments per period and mode of payment (index on status, confirmed_on)."""

import frappe
from frappe import _
from frappe.query_builder import CustomFunction, DocType
from frappe.query_builder.functions import Count, Date, Sum
from frappe.utils import add_days, add_months, flt, getdate, nowdate

from aftersales_app.core.reports import column

DateFormat = CustomFunction("DATE_FORMAT", ["date", "format"])
PERIOD_FORMATS = {"Daily": None, "Weekly": "%x-W%v", "Monthly": "%Y-%m", "Yearly": "%Y"}


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	filters.from_date = getdate(filters.from_date or add_months(nowdate(), -1))
	filters.to_date = getdate(filters.to_date or nowdate())
	filters.period = filters.period if filters.period in PERIOD_FORMATS else "Monthly"
	data = get_totals(filters)
	return get_columns(), data, None, get_chart(data)


def get_totals(filters) -> list:
	payment = DocType("Service Payment")
	fmt = PERIOD_FORMATS[filters.period]
	period = Date(payment.confirmed_on) if not fmt else DateFormat(payment.confirmed_on, fmt)
	query = (
		frappe.qb.from_(payment)
		.select(
			period.as_("period"),
			payment.mode_of_payment,
			Count(payment.name).as_("payments"),
			Sum(payment.amount).as_("amount"),
		)
		.where(payment.status == "Confirmed")
		.where(payment.confirmed_on >= filters.from_date)
		.where(payment.confirmed_on < add_days(filters.to_date, 1))
		.groupby(period, payment.mode_of_payment)
		.orderby(period)
		.orderby(payment.mode_of_payment)
	)
	if filters.mode_of_payment:
		query = query.where(payment.mode_of_payment == filters.mode_of_payment)
	rows = query.run(as_dict=True)
	for row in rows:
		row.period = str(row.period)
		row.amount = flt(row.amount)
	return rows


def get_chart(data: list) -> dict:
	periods = sorted({row.period for row in data})
	modes = sorted({row.mode_of_payment for row in data})
	values = {(row.period, row.mode_of_payment): row.amount for row in data}
	return {
		"data": {
			"labels": periods,
			"datasets": [
				{"name": _(mode), "values": [values.get((p, mode), 0) for p in periods]} for mode in modes
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def get_columns() -> list[dict]:
	return [
		column("period", "Period"),
		column("mode_of_payment", "Mode of Payment", "Link", "Mode of Payment", 140),
		column("payments", "Payments", "Int", width=100),
		column("amount", "Amount", "Currency", width=140),
	]
