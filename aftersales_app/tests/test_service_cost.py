"""The Service Cost report (服务成本) on a known month: parts at the cost ERPNext's stock ledger booked
for a visit's stock entry, labour at the settings' hourly cost, the charge, what was paid and the
margin; tickets closed outside the range left out; no data; agents and technicians cannot run it."""

from datetime import datetime

import pytest

import frappe

from aftersales_app.billing.report.service_cost import service_cost
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, make_stock, make_ticket, make_visit
from aftersales_app.tickets import status

AUGUST = {"from_date": "2026-08-01", "to_date": "2026-08-31"}
ITEM = "TEST-COST-PART"


def closed(day: datetime, **values) -> str:
	ticket = make_ticket(assigned_technician=world.TECH)
	frappe.db.set_value(
		"Service Ticket",
		ticket.name,
		{
			"status": status.CLOSED,
			"workflow_state": status.states_of(status.CLOSED)[0],
			"state_since": day,
			**values,
		},
		update_modified=False,
	)
	return ticket.name


def issued(item_code: str, qty: float, warehouse: str) -> str:
	company = frappe.db.get_value("Warehouse", warehouse, "company")
	entry = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"purpose": "Material Issue",
			"stock_entry_type": "Material Issue",
			"company": company,
			"items": [{"item_code": item_code, "s_warehouse": warehouse, "qty": qty, "conversion_factor": 1}],
		}
	).insert(ignore_permissions=True)
	entry.submit()
	return entry.name


@pytest.fixture
def part() -> str:
	if not frappe.db.exists("Item", ITEM):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": ITEM,
				"item_name": "测试成本配件",
				"item_group": frappe.db.get_value("Item", world.PART, "item_group"),
				"stock_uom": frappe.db.get_value("Item", world.PART, "stock_uom"),
				"is_stock_item": 1,
			}
		).insert(ignore_permissions=True)
	return ITEM


def test_cost_against_charge_per_ticket(part):
	warehouse = make_stock(part, 5, rate=100)
	settings = frappe.get_single("After-Sales Settings")
	settings.labour_cost_per_hour = 80
	settings.save()
	repaired = closed(datetime(2026, 8, 5, 16), labour_hours=1.5, charge_amount=500, paid_amount=300)
	visit = make_visit(frappe.get_doc("Service Ticket", repaired))
	frappe.db.set_value(
		"Service Visit", visit.name, "stock_entry", issued(part, 2, warehouse), update_modified=False
	)
	advice = closed(datetime(2026, 8, 31, 23, 59))
	closed(datetime(2026, 9, 1, 0, 1), labour_hours=3)  # the next month
	_columns, rows, _message, chart = as_user(world.MANAGER, service_cost.execute, AUGUST)
	by_name = {row.name: row for row in rows}
	row = by_name[repaired]
	assert (row.parts_cost, row.labour_cost, row.total_cost) == (200, 120, 320)
	assert (row.charge_amount, row.paid_amount, row.margin) == (500, 300, 180)
	assert (by_name[advice].total_cost, by_name[advice].margin) == (0, 0)
	assert len(rows) == 2
	assert chart["data"]["datasets"][0]["values"] == [320] and chart["data"]["datasets"][1]["values"] == [500]


def test_no_data_and_only_managers_and_finance():
	_columns, rows, _message, chart = as_user(
		world.MANAGER, service_cost.execute, {"from_date": "2025-04-01", "to_date": "2025-04-30"}
	)
	assert rows == [] and chart is None
	run = frappe.get_attr("frappe.desk.query_report.run")
	for user in (world.AGENT, world.TECH):
		with pytest.raises(frappe.PermissionError):
			as_user(user, run, "Service Cost", filters=AUGUST)
	assert as_user(world.FINANCE, run, "Service Cost", filters=AUGUST)["result"] is not None
