# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt
"""Service level compliance (服务级别达成): the tickets resolved in a date range within ERPNext's
resolution target and those resolved late, per priority, territory, technician or ticket type,
with the tickets still open past their target. Read through `frappe.get_list`, so a technician
sees their own tickets only; counted in the database; read-only, so a replica may serve it."""

import frappe
from frappe import _
from frappe.utils import add_days, flt, now_datetime

from aftersales_app.core.reports import bar_chart, column, date_range, ticket_filters
from aftersales_app.tickets import status

GROUPS = {
	"Priority": ("priority", "Issue Priority"),
	"Territory": ("territory", "Territory"),
	"Technician": ("assigned_technician", "Service Technician"),
	"Ticket Type": ("ticket_type", "Service Ticket Type"),
}


@frappe.read_only()
def execute(filters=None):
	filters = frappe._dict(filters or {})
	rows = get_rows(filters)
	return get_columns(filters), rows, None, get_chart(rows)


def get_rows(filters) -> list[dict]:
	group = GROUPS.get(filters.group_by or "Priority", GROUPS["Priority"])[0]
	from_date, to_date = date_range(filters)
	resolved = frappe.get_list(
		"Service Ticket",
		filters=[
			*ticket_filters(filters),
			["sla_resolution_by", "is", "set"],
			["sla_resolution_date", ">=", from_date],
			["sla_resolution_date", "<", add_days(to_date, 1)],
		],
		fields=[
			f"{group} as group_value",
			"count(*) as resolved",
			"sum(sla_resolution_date <= sla_resolution_by) as met",
		],
		group_by=group,
		order_by=None,
		limit_page_length=0,
	)
	late = frappe.get_list(
		"Service Ticket",
		filters=[
			*ticket_filters(filters),
			["status", "not in", list(status.FINAL_CATEGORIES)],
			["sla_resolution_date", "is", "not set"],
			["sla_resolution_by", "<", now_datetime()],
		],
		fields=[f"{group} as group_value", "count(*) as open_late"],
		group_by=group,
		order_by=None,
		limit_page_length=0,
	)
	rows = {}
	for row in resolved:
		met = int(row.met or 0)
		rows[row.group_value] = frappe._dict(
			group_value=row.group_value,
			resolved=row.resolved,
			met=met,
			breached=row.resolved - met,
			compliance=flt(100.0 * met / row.resolved, 1),
			open_late=0,
		)
	for row in late:
		rows.setdefault(
			row.group_value,
			frappe._dict(group_value=row.group_value, resolved=0, met=0, breached=0, compliance=None),
		).open_late = row.open_late
	result = sorted(rows.values(), key=lambda r: (-r.resolved, str(r.group_value or "")))
	for row in result:
		row.group_value = row.group_value or _("Not Set")
	return result


def get_columns(filters) -> list[dict]:
	group = filters.group_by if filters.group_by in GROUPS else "Priority"
	return [
		column("group_value", group, "Link", GROUPS[group][1], 200),
		column("resolved", "Resolved", "Int", width=100),
		column("met", "Within Target", "Int", width=110),
		column("breached", "Late", "Int", width=90),
		column("compliance", "Compliance (%)", "Percent", width=120),
		column("open_late", "Open Past Target", "Int", width=130),
	]


def get_chart(rows: list[dict]) -> dict | None:
	if not any(row.resolved for row in rows):
		return None
	return bar_chart(
		[row.group_value for row in rows],
		[("Within Target", [row.met for row in rows]), ("Late", [row.breached for row in rows])],
		["#29CD42", "#E24C4C"],
		barOptions={"stacked": 1},
	)
