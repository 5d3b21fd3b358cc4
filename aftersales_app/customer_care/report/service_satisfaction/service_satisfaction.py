# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Satisfaction survey answers (满意度) by technician, ticket type or territory over a date range:
the average scores, the share satisfied and the Net Promoter Score (promoters 9-10 minus
detractors 0-6, in percent of the answers), aggregated by the database."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Avg, Count, Sum
from frappe.utils import add_days, flt

from aftersales_app.core.reports import bar_chart, column, date_range

GROUPS = {"Technician": "technician", "Ticket Type": "ticket_type", "Territory": "territory"}


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(filters), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	group = GROUPS.get(filters.group_by or "Technician", "technician")
	survey = frappe.qb.DocType("Service Survey")
	column = survey[group]
	from_date, to_date = date_range(filters)

	def share(condition):
		return Sum(Case().when(condition, 1).else_(0))

	rows = (
		frappe.qb.from_(survey)
		.select(
			column.as_("group_value"),
			Count(survey.name).as_("answers"),
			Avg(survey.response_speed).as_("response_speed"),
			Avg(survey.problem_solving).as_("problem_solving"),
			Avg(survey.attitude).as_("attitude"),
			share(survey.overall == "Satisfied").as_("satisfied"),
			share(survey.recommend >= 9).as_("promoters"),
			share(survey.recommend <= 6).as_("detractors"),
		)
		.where(
			(survey.status == "Answered")
			& (survey.answered_on >= from_date)
			& (survey.answered_on < add_days(to_date, 1))
		)
		.groupby(column)
		.orderby(Count(survey.name), order=frappe.qb.desc)
		.run(as_dict=True)
	)
	for row in rows:
		answers = row.answers or 1
		row.group_value = row.group_value or _("Not Set")
		for field in ("response_speed", "problem_solving", "attitude"):
			row[field] = flt(row[field], 2)
		row.satisfied_share = flt(100 * flt(row.satisfied) / answers, 1)
		row.nps = flt(100 * (flt(row.promoters) - flt(row.detractors)) / answers, 1)
	return rows


def get_columns(filters) -> list[dict]:
	group = filters.group_by or "Technician"
	options = {
		"Technician": "Service Technician",
		"Ticket Type": "Service Ticket Type",
		"Territory": "Territory",
	}
	return [
		column("group_value", group, "Link", options.get(group), 200),
		column("answers", "Answers", "Int", width=90),
		column("response_speed", "Response speed", "Float", width=110),
		column("problem_solving", "Problem solving", "Float", width=110),
		column("attitude", "Attitude", "Float", width=110),
		column("satisfied_share", "Satisfied (%)", "Percent", width=110),
		column("nps", "NPS", "Float", width=90),
	]


def get_chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	return bar_chart([row.group_value for row in rows], [("NPS", [row.nps for row in rows])], ["#2490ef"])
