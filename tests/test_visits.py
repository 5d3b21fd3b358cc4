"""Service visits as technicians and the service desk meet them: defaults and validation, and who
may see and make which visit."""

from datetime import datetime, timedelta

import pytest

import frappe

from aftersales_app.demo import data as demo
from aftersales_app.exceptions import SerialSwapError, VisitPartError, VisitScheduleError, VisitTimeError
from aftersales_app.tests.utils import make_ticket, make_visit, stock_warehouse

TECH = demo.demo_email("tech.zhou")
OTHER_TECH = demo.demo_email("tech.wu")
PART = "AS-PART-COMP"
FILTER = "AS-PART-FILTER"


def as_user(user: str, fn, *args, **kwargs):
	frappe.set_user(user)
	try:
		return fn(*args, **kwargs)
	finally:
		frappe.set_user("Administrator")


# defaults and validation


def test_visit_takes_customer_and_technician_from_the_ticket():
	ticket = make_ticket(assigned_technician=TECH)
	visit = make_visit(ticket)
	assert visit.name.startswith("SV-")
	assert visit.customer == ticket.customer
	assert visit.technician == TECH
	assert visit.technician_name == "周师傅"
	assert visit.check_in is None and visit.check_out is None
	other = make_visit(ticket, technician=OTHER_TECH)
	assert other.technician == OTHER_TECH  # a chosen technician is kept


def test_scheduled_end_before_start_is_refused():
	start = datetime(2026, 12, 1, 9, 0)
	with pytest.raises(VisitScheduleError):
		make_visit(scheduled_start=start, scheduled_end=start - timedelta(minutes=30))
	with pytest.raises(VisitScheduleError):
		make_visit(scheduled_start=start, scheduled_end=start)


def test_negative_labour_hours_and_half_a_serial_swap_are_refused():
	with pytest.raises(frappe.NonNegativeError):
		make_visit(labour_hours=-1)
	with pytest.raises(SerialSwapError):
		make_visit(faulty_serial_no="SN-AC-0001")
	with pytest.raises(SerialSwapError):
		make_visit(faulty_serial_no="SN-AC-0001", replacement_serial_no="SN-AC-0001")


def test_parts_need_a_quantity_and_stock_parts_a_warehouse():
	with pytest.raises(VisitPartError):
		make_visit(parts=[{"item_code": PART, "qty": 1}])
	with pytest.raises(VisitPartError):
		make_visit(parts=[{"item_code": PART, "qty": 0, "warehouse": stock_warehouse()}])
	visit = make_visit(
		parts=[
			{"item_code": PART, "qty": 2, "warehouse": stock_warehouse(), "rate": 150},
			{
				"item_code": FILTER,
				"qty": 1,
				"warehouse": stock_warehouse(),
				"rate": 80,
				"covered_by_warranty": 1,
			},
		]
	)
	assert [(p.item_name, p.uom, p.amount) for p in visit.parts] == [
		("空调压缩机", "Nos", 300),
		("净水器滤芯", "Nos", 80),
	]
	assert visit.chargeable_amount == 300  # the part under warranty is not charged


def test_check_in_and_out_times_are_not_typed_in():
	visit = make_visit()
	visit.check_in = "2026-12-01 09:00:00"
	with pytest.raises(VisitTimeError):
		visit.save()


# who may see and make visits


def test_technician_sees_and_creates_visits_of_their_own_tickets_only():
	mine = make_visit()
	theirs = make_visit(make_ticket(assigned_technician=OTHER_TECH))
	visible = as_user(TECH, frappe.get_list, "Service Visit", pluck="name")
	assert mine.name in visible and theirs.name not in visible
	assert not as_user(TECH, frappe.has_permission, "Service Visit", "read", theirs.name)
	as_user(TECH, make_visit, frappe.get_doc("Service Ticket", mine.ticket))
	with pytest.raises(frappe.PermissionError):
		as_user(TECH, make_visit, frappe.get_doc("Service Ticket", theirs.ticket), technician=TECH)
