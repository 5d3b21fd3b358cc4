"""What the app's reports share: the columns of a ticket they show alike (one definition each), a
column built in one line, the date range and the bar chart. Report filters shared on the desk:
aftersales.date_range_filters(), aftersales.report_filters(), aftersales.group_by_filter()."""

import frappe
from frappe import _
from frappe.utils import add_months, getdate, nowdate

# fieldname: label, fieldtype, options, width
TICKET_COLUMNS = {
	"name": ("Service Ticket", "Link", "Service Ticket", 170),
	"subject": ("Subject", "Data", None, 200),
	"customer_name": ("Customer Name", "Data", None, 180),
	"workflow_state": ("Workflow State", "Link", "Workflow State", 130),
	"responsible_agent": ("Responsible Agent", "Link", "User", 200),
	"assigned_technician": ("Assigned Technician", "Link", "Service Technician", 180),
	"state_since": ("In State Since", "Datetime", None, 160),
}


def column(
	fieldname: str,
	label: str,
	fieldtype: str = "Data",
	options: str | None = None,
	width: int = 120,
	context: str | None = None,
	**extra,
) -> dict:
	"""A report column; `label` is the English source, translated here (with the DocType whose
	form shows it as `context`, where the word differs there); `extra`: hidden and the like."""
	col = {
		"fieldname": fieldname,
		"label": _(label, context=context),
		"fieldtype": fieldtype,
		"options": options,
		"width": width,
		**extra,
	}
	return shown_links([col])[0]


def shown_links(columns: list[dict]) -> list[dict]:
	"""Link columns the reader may follow; the others show their value as text. Once a report has
	rows, Frappe refuses the whole report to a reader who may not select a link column's DocType
	(the manager's 待确认回款 said 无读取货币的权限 as soon as a payment waited)."""
	for col in columns:
		if col.get("fieldtype") == "Link" and col.get("options") and not may_follow(col["options"]):
			col["fieldtype"], col["options"] = "Data", None
	return columns


def may_follow(doctype: str) -> bool:
	from frappe.permissions import get_role_permissions

	rights = get_role_permissions(frappe.get_meta(doctype))
	return bool(rights.get("select") or rights.get("read"))


def ticket_columns(*fieldnames: str) -> list[dict]:
	return [column(name, *TICKET_COLUMNS[name]) for name in fieldnames]


def date_range(filters, months: int = 1) -> tuple:
	"""The report's From Date and To Date (the last `months` months by default)."""
	to_date = getdate(filters.get("to_date") or nowdate())
	from_date = getdate(filters.get("from_date") or add_months(to_date, -months))
	return from_date, to_date


def bar_chart(labels: list, datasets: list[tuple[str, list]], colors: list[str] | None, **options) -> dict:
	"""A report's bar chart; each dataset is (English name, values); no colours: Frappe's."""
	chart = {
		"data": {
			"labels": labels,
			"datasets": [{"name": _(name), "values": values} for name, values in datasets],
		},
		"type": "bar",
		**options,
	}
	if colors:
		chart["colors"] = colors
	return chart


# report filter → Service Ticket field
TICKET_FILTERS = {
	"company": "company",
	"territory": "territory",
	"ticket_type": "ticket_type",
	"technician": "assigned_technician",
}


def ticket_filters(filters) -> list[list]:
	"""The report's company, territory, ticket type and technician as `frappe.get_list` filters."""
	return [[field, "=", filters.get(key)] for key, field in TICKET_FILTERS.items() if filters.get(key)]


def with_technician(filters):
	"""Older reports name the technician filter `assigned_technician`: the same filter."""
	filters = frappe._dict(filters)
	filters.technician = filters.technician or filters.assigned_technician
	return filters
