"""The Service Level Compliance report (服务级别达成) on known tickets: resolved within or past
ERPNext's resolution target per priority, territory, technician or ticket type; the range's edges
(the last second of the end day counts, the next day does not); no data; open tickets past their
target; a technician's report shows their own tickets only."""

from datetime import datetime

import pytest

import frappe

from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, make_ticket
from aftersales_app.tickets.report.service_level_compliance.service_level_compliance import execute

RANGE = {"from_date": "2026-03-02", "to_date": "2026-03-08"}  # a week no other test writes into


def resolved(by: datetime, on: datetime | None, **values):
	ticket = make_ticket(**values)
	frappe.db.set_value("Service Ticket", ticket.name, {"sla_resolution_by": by, "sla_resolution_date": on})
	return ticket


def rows_of(user: str, **filters) -> dict:
	columns, rows, _message, chart = as_user(user, execute, {**RANGE, **filters})
	return {row["group_value"]: row for row in rows}, chart


def priorities() -> tuple[str, str]:
	names = frappe.get_all("Issue Priority", pluck="name", order_by="name")
	return names[0], names[1]


def test_met_and_late_per_priority_with_the_ranges_edges():
	high, low = priorities()
	resolved(datetime(2026, 3, 3, 12), datetime(2026, 3, 3, 10), priority=high)  # met
	resolved(datetime(2026, 3, 4, 12), datetime(2026, 3, 5, 9), priority=high)  # late
	resolved(datetime(2026, 3, 9, 0), datetime(2026, 3, 8, 23, 59, 59), priority=low)  # met, last second
	resolved(datetime(2026, 3, 10), datetime(2026, 3, 9, 0, 0, 0), priority=low)  # the next day: outside
	resolved(datetime(2026, 3, 1), datetime(2026, 3, 1, 23), priority=low)  # the day before: outside
	rows, chart = rows_of(world.MANAGER, group_by="Priority")
	assert (rows[high].resolved, rows[high].met, rows[high].breached, rows[high].compliance) == (
		2,
		1,
		1,
		50.0,
	)
	assert (rows[low].resolved, rows[low].met, rows[low].breached, rows[low].compliance) == (1, 1, 0, 100.0)
	assert chart["data"]["datasets"][0]["name"] and len(chart["data"]["labels"]) == len(rows)


def test_no_data_gives_no_rows_and_no_chart():
	columns, rows, _message, chart = as_user(
		world.MANAGER, execute, {"from_date": "2025-01-06", "to_date": "2025-01-12"}
	)
	assert all(row.resolved == 0 for row in rows)  # only open tickets past their target, if any
	assert chart is None
	assert [c["fieldname"] for c in columns][:3] == ["group_value", "resolved", "met"]


def test_per_technician_and_a_technicians_own_rows_only():
	resolved(datetime(2026, 3, 3, 12), datetime(2026, 3, 3, 11), assigned_technician=world.TECH)
	resolved(datetime(2026, 3, 3, 12), datetime(2026, 3, 4, 11), assigned_technician=world.TECH)
	resolved(datetime(2026, 3, 3, 12), datetime(2026, 3, 3, 9), assigned_technician=world.TECH_B)
	tech = frappe.db.get_value("Service Technician", {"user": world.TECH})
	tech_b = frappe.db.get_value("Service Technician", {"user": world.TECH_B})
	rows, _chart = rows_of(world.MANAGER, group_by="Technician")
	assert (rows[tech].resolved, rows[tech].met) == (2, 1)
	assert (rows[tech_b].resolved, rows[tech_b].met) == (1, 1)
	own, _chart = rows_of(world.TECH, group_by="Technician")
	assert set(own) == {tech}
	# the filter narrows to one technician for a manager
	narrowed, _chart = rows_of(world.MANAGER, group_by="Technician", technician=tech_b)
	assert set(narrowed) == {tech_b}


def test_open_tickets_past_their_target_are_counted_apart():
	high, _low = priorities()
	before, _chart = rows_of(world.MANAGER, group_by="Priority")
	late = make_ticket(priority=high)
	frappe.db.set_value("Service Ticket", late.name, "sla_resolution_by", datetime(2026, 1, 1))
	after, _chart = rows_of(world.MANAGER, group_by="Priority")
	assert after[high].open_late == (before[high].open_late if high in before else 0) + 1


def test_tickets_carry_their_company_and_the_reports_filter_by_it():
	company = frappe.defaults.get_global_default("company")
	high, _low = priorities()
	ticket = resolved(datetime(2026, 3, 3, 12), datetime(2026, 3, 3, 10), priority=high)
	assert frappe.db.get_value("Service Ticket", ticket.name, "company") == company
	mine, _chart = rows_of(world.MANAGER, group_by="Priority", company=company)
	everyone, _chart = rows_of(world.MANAGER, group_by="Priority")
	assert mine[high].resolved == everyone[high].resolved >= 1
	other, _chart = rows_of(world.MANAGER, group_by="Priority", company="另一家公司")
	assert all(row.resolved == 0 for row in other.values())
	# the company is set once: a later change is refused
	doc = frappe.get_doc("Service Ticket", ticket.name)
	doc.company = "另一家公司"
	with pytest.raises(frappe.ValidationError):
		doc.save()


@pytest.mark.parametrize(
	"doctype, field",
	[
		("Service Ticket", "sla_resolution_date"),  # Service Level Compliance
		("Service Ticket", "state_since"),  # Employee Performance, Service Cost
		("Service Ticket", "opened_on"),  # Repeat Repairs, Frequent Faults
		("Service Visit", "check_out"),  # Parts Used under Warranty
	],
)
def test_the_reports_read_their_date_ranges_by_index(doctype, field):
	table = frappe.qb.DocType(doctype)
	sql = (
		frappe.qb.from_(table)
		.select(table.name)
		.where((table[field] >= "2026-03-02") & (table[field] < "2026-03-09"))
		.get_sql()
	)
	plan = frappe.db.sql(f"explain {sql}", as_dict=True)
	assert field in (plan[0].get("possible_keys") or ""), plan


def test_the_older_reports_filter_by_company_territory_type_and_technician_too():
	from aftersales_app.customer_care.report.overdue_revisits import overdue_revisits
	from aftersales_app.tickets.report.service_ticket_status_summary import service_ticket_status_summary
	from aftersales_app.tickets.report.service_ticket_time_in_state import service_ticket_time_in_state
	from aftersales_app.tickets.report.stuck_service_tickets import stuck_service_tickets

	make_ticket(assigned_technician=world.TECH)
	company = frappe.defaults.get_global_default("company")
	tech = frappe.db.get_value("Service Technician", {"user": world.TECH})
	for module in (
		service_ticket_status_summary,
		service_ticket_time_in_state,
		stuck_service_tickets,
		overdue_revisits,
	):
		none = as_user(world.MANAGER, module.execute, {"company": "另一家公司", "hours": 0})[1]
		assert not [row for row in none if (row.get("count") or row.get("stays") or row.get("name"))], module
	counted = as_user(world.MANAGER, service_ticket_status_summary.execute, {"company": company})[1]
	assert sum(row["count"] for row in counted if row.get("count")) >= 1
	# the older name of the technician filter still works
	mine = as_user(world.MANAGER, service_ticket_status_summary.execute, {"assigned_technician": tech})[1]
	theirs = as_user(world.MANAGER, service_ticket_status_summary.execute, {"technician": tech})[1]
	assert mine == theirs and sum(row["count"] for row in mine if row.get("count")) >= 1
