# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Cash each collector holds (现金未缴): cash payments they recorded that finance has not confirmed
(waiting, or rejected and not yet put right), with the oldest one's date."""

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Min, Sum
from frappe.utils import flt

from aftersales_app.core.reports import column


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_held(filters)


def cash_modes() -> list[str]:
	return frappe.get_all("Mode of Payment", filters={"type": "Cash"}, pluck="name")


def get_held(filters) -> list:
	modes = [filters.mode_of_payment] if filters.mode_of_payment else cash_modes()
	if not modes:
		return []
	payment = DocType("Service Payment")
	technician = DocType("Service Technician")
	waiting = payment.status == "Unconfirmed"
	query = (
		frappe.qb.from_(payment)
		.left_join(technician)
		.on(technician.user == payment.collected_by)
		.select(
			payment.collected_by,
			technician.technician_name,
			Count(payment.name).as_("payments"),
			Sum(Case().when(waiting, payment.amount).else_(0)).as_("unconfirmed_amount"),
			Sum(Case().when(payment.status == "Rejected", payment.amount).else_(0)).as_("rejected_amount"),
			Sum(payment.amount).as_("outstanding_amount"),
			Min(payment.collected_on).as_("oldest"),
		)
		.where(payment.status.isin(["Unconfirmed", "Rejected"]))
		.where(payment.mode_of_payment.isin(modes))
		.groupby(payment.collected_by, technician.technician_name)
		.orderby(Sum(payment.amount), order=frappe.qb.desc)
	)
	if filters.collected_by:
		query = query.where(payment.collected_by == filters.collected_by)
	rows = query.run(as_dict=True)
	for row in rows:
		for field in ("unconfirmed_amount", "rejected_amount", "outstanding_amount"):
			row[field] = flt(row[field])
	return rows


def get_columns() -> list[dict]:
	return [
		column("collected_by", "Collected By", "Link", "User", 200, context="Service Payment"),
		column("technician_name", "Technician Name"),
		column("payments", "Payments", "Int", width=90),
		column("unconfirmed_amount", "Unconfirmed Amount", "Currency", width=140),
		column("rejected_amount", "Rejected Amount", "Currency", width=130),
		column("outstanding_amount", "Cash Held", "Currency", width=130),
		column("oldest", "Oldest Collection", "Date"),
	]
