"""Repeat Repairs (重复报修) and Parts Used under Warranty (保内配件消耗) on known months of their own:
counts per serial number and per customer with the threshold and the range's edges, complaints
left out; parts per item on visits under warranty, charged parts and other months left out; no
data; technicians cannot run them."""

from datetime import datetime

import pytest

import frappe

from aftersales_app.field_service.report.parts_used_under_warranty import parts_used_under_warranty
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, make_ticket, make_visit, stock_warehouse
from aftersales_app.tickets.report.repeat_repairs import repeat_repairs

JUNE = {"from_date": "2026-06-01", "to_date": "2026-06-30"}
JULY = {"from_date": "2026-07-01", "to_date": "2026-07-31"}


def opened(day: datetime, **values) -> str:
	ticket = make_ticket(**values)
	frappe.db.set_value("Service Ticket", ticket.name, "opened_on", day, update_modified=False)
	return ticket.name


def report(module, user: str = world.MANAGER, **filters) -> tuple[dict, dict | None]:
	_columns, rows, _message, chart = as_user(user, module.execute, filters)
	return {row.group_value if "group_value" in row else row.item_code: row for row in rows}, chart


def test_repeat_repairs_per_serial_and_per_customer():
	for day in (3, 10, 30):
		opened(datetime(2026, 6, day, 9), serial_no=world.SERIAL_OUT)
	opened(datetime(2026, 6, 30, 23, 59), serial_no=world.SERIAL_IN)
	opened(datetime(2026, 6, 12, 9), serial_no=world.SERIAL_IN)
	opened(
		datetime(2026, 6, 15, 9), serial_no=world.SERIAL_OUT, ticket_type="Service Complaint"
	)  # not a repair
	opened(datetime(2026, 7, 1, 0, 0), serial_no=world.SERIAL_OUT)  # the next month
	opened(datetime(2026, 6, 20, 9), serial_no=world.SERIAL_HEATER, customer=world.CUSTOMER_C)  # once only
	rows, chart = report(repeat_repairs, **JUNE)
	assert rows[world.SERIAL_OUT].tickets == 3 and rows[world.SERIAL_IN].tickets == 2
	assert world.SERIAL_HEATER not in rows
	assert str(rows[world.SERIAL_OUT].first_opened) == "2026-06-03 09:00:00"
	assert (
		list(rows)[:2] == [world.SERIAL_OUT, world.SERIAL_IN]
		and chart["data"]["datasets"][0]["values"][0] == 3
	)
	assert world.SERIAL_IN not in report(repeat_repairs, **JUNE, min_tickets=3)[0]
	customers, _chart = report(repeat_repairs, **JUNE, group_by="Customer")
	assert (customers[world.CUSTOMER].tickets, customers[world.CUSTOMER].serials) == (5, 2)
	assert world.CUSTOMER_C not in customers


def visit_with_parts(ticket_serial: str, check_out: datetime, warranty: str, parts: list):
	ticket = make_ticket(serial_no=ticket_serial, assigned_technician=world.TECH)
	visit = make_visit(ticket, parts=[{**p, "warehouse": stock_warehouse()} for p in parts])
	frappe.db.set_value(
		"Service Visit",
		visit.name,
		{"check_out": check_out, "warranty_status": warranty},
		update_modified=False,
	)
	return visit


def test_parts_used_under_warranty_per_item():
	first = visit_with_parts(
		world.SERIAL_IN,
		datetime(2026, 7, 5, 16),
		"Under Warranty",
		[
			{"item_code": world.PART, "qty": 2, "rate": 50},
			{"item_code": world.PART, "qty": 1, "rate": 50, "not_covered": 1},
		],
	)
	second = visit_with_parts(
		world.SERIAL_IN,
		datetime(2026, 7, 31, 23),
		"Under AMC",
		[{"item_code": world.PART, "qty": 1, "rate": 50}],
	)
	visit_with_parts(
		world.SERIAL_OUT,
		datetime(2026, 7, 6, 16),
		"Out of Warranty",
		[{"item_code": world.PART, "qty": 5, "rate": 50}],
	)
	visit_with_parts(
		world.SERIAL_IN,
		datetime(2026, 8, 1, 0, 30),
		"Under Warranty",
		[{"item_code": world.PART, "qty": 7, "rate": 50}],
	)
	rows, chart = report(parts_used_under_warranty, **JULY)
	part = rows[world.PART]
	covered = [
		p for v in (first, second) for p in frappe.get_doc("Service Visit", v.name).parts if not p.not_covered
	]
	assert (part.qty, part.visits, part.tickets) == (3, 2, 2)
	assert part.amount == sum(p.amount for p in covered)
	assert chart["data"]["datasets"][0]["values"][0] == 3
	tech = frappe.db.get_value("Service Technician", {"user": world.TECH})
	assert report(parts_used_under_warranty, **JULY, technician=tech)[0][world.PART].qty == 3


def test_no_data_and_no_technicians():
	for module in (repeat_repairs, parts_used_under_warranty):
		rows, chart = report(module, from_date="2025-03-01", to_date="2025-03-31")
		assert rows == {} and chart is None
	with pytest.raises(frappe.PermissionError):
		as_user(
			world.TECH,
			frappe.get_attr("frappe.desk.query_report.run"),
			"Repeat Repairs",
			filters=JUNE,
		)


def fault(name: str) -> str:
	if not frappe.db.exists("Service Fault Type", name):
		frappe.get_doc({"doctype": "Service Fault Type", "fault_name": name}).insert(ignore_permissions=True)
	return name


def test_frequent_faults_per_item_and_item_group():
	from aftersales_app.tickets.report.frequent_faults import frequent_faults

	cold, leak = fault("测试不制冷"), fault("测试漏水")
	september = {"from_date": "2026-09-01", "to_date": "2026-09-30"}
	mine = [
		opened(datetime(2026, 9, 2, 9), serial_no=world.SERIAL_OUT, fault_type=cold),
		opened(datetime(2026, 9, 3, 9), serial_no=world.SERIAL_OUT, fault_type=cold),
		opened(datetime(2026, 9, 30, 23, 59), serial_no=world.SERIAL_IN, fault_type=cold),
		opened(datetime(2026, 9, 4, 9), serial_no=world.SERIAL_IN, fault_type=leak),
		opened(
			datetime(2026, 9, 5, 9),
			item_code=world.PRODUCT_HEATER,
			customer=world.CUSTOMER_C,
			fault_type=cold,
		),
	]
	opened(datetime(2026, 10, 1, 0, 0), serial_no=world.SERIAL_IN, fault_type=leak)  # the next month
	opened(datetime(2026, 9, 6, 9), serial_no=world.SERIAL_IN)  # no fault type
	_columns, rows, _message, chart = as_user(world.MANAGER, frequent_faults.execute, september)
	by_key = {(row.product, row.fault_type): row for row in rows}
	assert (by_key[(world.PRODUCT, cold)].tickets, by_key[(world.PRODUCT, cold)].share) == (3, 75.0)
	assert (by_key[(world.PRODUCT, leak)].tickets, by_key[(world.PRODUCT, leak)].share) == (1, 25.0)
	assert (by_key[(world.PRODUCT_HEATER, cold)].tickets, by_key[(world.PRODUCT_HEATER, cold)].share) == (
		1,
		100.0,
	)
	repeats = frappe.db.count("Service Ticket", {"name": ("in", mine[:3]), "repeat_count": (">", 0)})
	assert by_key[(world.PRODUCT, cold)].repeats == repeats >= 1
	assert chart["data"]["labels"][0] == cold and chart["data"]["datasets"][0]["values"][0] == 4
	groups = (
		frappe.db.get_value("Item", world.PRODUCT, "item_group"),
		frappe.db.get_value("Item", world.PRODUCT_HEATER, "item_group"),
	)
	_columns, rows, _message, _chart = as_user(
		world.MANAGER, frequent_faults.execute, {**september, "group_by": "Item Group"}
	)
	by_group = {(row.product, row.fault_type): row.tickets for row in rows}
	expected_cold = {group: 0 for group in groups}
	expected_cold[groups[0]] += 3
	expected_cold[groups[1]] += 1
	for group, count in expected_cold.items():
		assert by_group[(group, cold)] == count
