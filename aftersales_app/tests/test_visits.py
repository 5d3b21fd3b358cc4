"""Service visits as technicians and the service desk meet them: defaults and validation, check in
and out, who may touch which visit, parts issued from stock through ERPNext, and the return slip
that moves a ticket to the customer's confirmation."""

from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

import frappe
from frappe.utils import get_datetime, now_datetime

from erpnext.stock.stock_ledger import NegativeStockError
from erpnext.stock.utils import get_stock_balance

from aftersales_app.api import visit as api
from aftersales_app.core.exceptions import (
	NotLastVisitError,
	PartsIssuedError,
	ReturnSlipError,
	SerialSwapError,
	StockIssueError,
	TicketNotInProgressError,
	VisitPartError,
	VisitPermissionError,
	VisitScheduleError,
	VisitTimeError,
)
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	force_state,
	make_stock,
	make_ticket,
	make_visit,
	stock_warehouse,
)

TECH = world.TECH
OTHER_TECH = world.TECH_B
AGENT = world.AGENT
PART = world.PART
FILTER = world.PART_FILTER


def stock_entries() -> int:
	return frappe.db.count("Stock Entry")


def in_progress_ticket(**values):
	return force_state(make_ticket(assigned_technician=TECH, **values), "In Progress")


# defaults and validation


def test_visit_takes_customer_and_technician_from_the_ticket():
	ticket = make_ticket(assigned_technician=TECH)
	visit = make_visit(ticket)
	assert visit.name.startswith("SV-")
	assert visit.customer == ticket.customer
	assert visit.technician == TECH
	assert visit.technician_name == world.TECH_NAME
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
		make_visit(faulty_serial_no=world.SERIAL_IN)
	with pytest.raises(SerialSwapError):
		make_visit(faulty_serial_no=world.SERIAL_IN, replacement_serial_no=world.SERIAL_IN)


def test_parts_need_a_quantity_and_stock_parts_a_warehouse():
	with pytest.raises(VisitPartError):
		make_visit(parts=[{"item_code": PART, "qty": 1}])
	with pytest.raises(VisitPartError):
		make_visit(parts=[{"item_code": PART, "qty": 0, "warehouse": stock_warehouse()}])
	visit = make_visit(
		make_ticket(serial_no=world.SERIAL_IN, assigned_technician=TECH),  # under warranty
		parts=[
			{"item_code": PART, "qty": 2, "warehouse": stock_warehouse(), "rate": 150, "not_covered": 1},
			{"item_code": FILTER, "qty": 1, "warehouse": stock_warehouse(), "rate": 80},
		],
	)
	assert [(p.item_name, p.uom, p.amount) for p in visit.parts] == [
		(world.PART_NAME, "Nos", 300),
		(world.FILTER_NAME, "Nos", 80),
	]
	assert visit.chargeable_amount == 300  # under warranty only the part not covered is charged
	out_of_warranty = make_visit(
		make_ticket(serial_no=world.SERIAL_OUT, assigned_technician=TECH),
		parts=[{"item_code": FILTER, "qty": 1, "warehouse": stock_warehouse(), "rate": 80}],
	)
	assert out_of_warranty.chargeable_amount == 80


def test_check_in_and_out_times_are_not_typed_in():
	visit = make_visit()
	visit.check_in = "2026-12-01 09:00:00"
	with pytest.raises(VisitTimeError):
		visit.save()


# check in and out


def test_technician_checks_in_then_out_with_server_time():
	visit = make_visit()
	with pytest.raises(VisitTimeError):  # not checked in yet
		as_user(TECH, api.check_out, visit.name)
	with freeze_time("2026-12-01 01:00:00"):  # UTC; the site's clock is in its own time zone
		arrived = now_datetime()
		answer = as_user(TECH, api.check_in, visit.name)
	assert get_datetime(answer["check_in"]) == arrived
	with pytest.raises(VisitTimeError):  # once only
		as_user(TECH, api.check_in, visit.name)
	with freeze_time("2026-12-01 02:30:00"):
		as_user(TECH, api.check_out, visit.name)
	visit.reload()
	assert (visit.check_in, visit.check_out) == (arrived, arrived + timedelta(hours=1, minutes=30))
	assert visit.labour_hours == 1.5  # left empty: the time on site
	with pytest.raises(VisitTimeError):
		as_user(TECH, api.check_out, visit.name)


def test_technician_cannot_check_in_on_another_technicians_visit():
	visit = make_visit()  # world.TECH's ticket and visit
	with pytest.raises(frappe.PermissionError):
		as_user(OTHER_TECH, api.check_in, visit.name)
	assert frappe.db.get_value("Service Visit", visit.name, "check_in") is None
	# a colleague on the visit's own ticket still does not check in for the visit's technician
	frappe.db.set_value("Service Ticket", visit.ticket, "assigned_technician", OTHER_TECH)
	with pytest.raises(VisitPermissionError):
		as_user(OTHER_TECH, api.check_in, visit.name)
	assert frappe.db.get_value("Service Visit", visit.name, "check_in") is None
	as_user(AGENT, api.check_in, visit.name)  # the service desk records it for the technician
	assert frappe.db.get_value("Service Visit", visit.name, "check_in")


def test_technician_sees_and_creates_visits_of_their_own_tickets_only():
	mine = make_visit()
	theirs = make_visit(make_ticket(assigned_technician=OTHER_TECH))
	visible = as_user(TECH, frappe.get_list, "Service Visit", pluck="name")
	assert mine.name in visible and theirs.name not in visible
	assert not as_user(TECH, frappe.has_permission, "Service Visit", "read", theirs.name)
	as_user(TECH, make_visit, frappe.get_doc("Service Ticket", mine.ticket))
	with pytest.raises(frappe.PermissionError):
		as_user(TECH, make_visit, frappe.get_doc("Service Ticket", theirs.ticket), technician=TECH)


# parts from stock


def test_stock_entry_issues_the_stock_parts_once():
	warehouse = make_stock(PART, 5)
	service = make_service_item()
	visit = make_visit(
		parts=[
			{"item_code": PART, "qty": 2, "warehouse": warehouse},
			{"item_code": service, "qty": 1},  # not a stock item: nothing to issue
		]
	)
	before = get_stock_balance(PART, warehouse)
	answer = as_user(TECH, api.make_stock_entry, visit.name)
	entry = frappe.get_doc("Stock Entry", answer["stock_entry"])
	assert entry.docstatus == 1
	assert entry.purpose == "Material Issue" and entry.stock_entry_type == "Material Issue"
	assert entry.company == frappe.defaults.get_global_default("company")
	assert [(i.item_code, i.qty, i.s_warehouse) for i in entry.items] == [(PART, 2, warehouse)]
	assert frappe.db.get_value("Service Visit", visit.name, "stock_entry") == entry.name
	assert get_stock_balance(PART, warehouse) == before - 2

	count = stock_entries()
	with pytest.raises(PartsIssuedError, match=entry.name):
		as_user(TECH, api.make_stock_entry, visit.name)
	assert stock_entries() == count
	assert get_stock_balance(PART, warehouse) == before - 2


def test_insufficient_stock_is_refused_with_nothing_written():
	warehouse = make_stock(FILTER, 1)
	visit = make_visit(parts=[{"item_code": FILTER, "qty": 1000, "warehouse": warehouse}])
	count = stock_entries()
	with pytest.raises(NegativeStockError):
		as_user(TECH, api.make_stock_entry, visit.name)
	assert stock_entries() == count
	assert frappe.db.get_value("Service Visit", visit.name, "stock_entry") is None
	assert get_stock_balance(FILTER, warehouse) >= 1


def test_issued_parts_stay_as_issued_until_the_entry_is_cancelled():
	warehouse = make_stock(PART, 3)
	visit = make_visit(parts=[{"item_code": PART, "qty": 1, "warehouse": warehouse}])
	entry = api.make_stock_entry(visit.name)["stock_entry"]
	visit.reload()
	visit.parts[0].qty = 2
	with pytest.raises(PartsIssuedError):
		visit.save()
	frappe.get_doc("Stock Entry", entry).cancel()
	visit.reload()
	assert visit.stock_entry is None
	visit.parts[0].qty = 2
	visit.save()
	assert api.make_stock_entry(visit.name)["stock_entry"] != entry


def test_a_visit_without_stock_parts_has_nothing_to_issue():
	visit = make_visit(parts=[{"item_code": make_service_item(), "qty": 1}])
	count = stock_entries()
	with pytest.raises(StockIssueError):
		api.make_stock_entry(visit.name)
	assert stock_entries() == count


def make_service_item() -> str:
	code = "AS-TEST-LABOUR"
	if not frappe.db.exists("Item", code):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": code,
				"item_name": "上门服务费",
				"item_group": frappe.db.get_value("Item", PART, "item_group"),
				"stock_uom": "Nos",
				"is_stock_item": 0,
			}
		).insert(ignore_permissions=True)
	return code


# the return slip


def make_replacement_serial() -> str:
	serial = "SN-AC-TEST-NEW"
	if not frappe.db.exists("Serial No", serial):
		frappe.get_doc(
			{
				"doctype": "Serial No",
				"serial_no": serial,
				"item_code": world.PRODUCT,
				"company": frappe.defaults.get_global_default("company"),
			}
		).insert(ignore_permissions=True)
	return serial


def test_return_slip_moves_an_in_progress_ticket_to_the_customers_confirmation():
	ticket = in_progress_ticket(serial_no=world.SERIAL_IN)
	warehouse = stock_warehouse()
	visit = make_visit(
		ticket,
		diagnosis="压缩机损坏",
		solution="<p>更换整机</p>",
		labour_hours=2.5,
		faulty_serial_no=world.SERIAL_IN,
		replacement_serial_no=make_replacement_serial(),
		parts=[{"item_code": PART, "qty": 1, "warehouse": warehouse, "not_covered": 0}],
	)
	logs = frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name})
	answer = as_user(TECH, api.file_return_slip, visit.name)
	assert answer["status"] == "Awaiting Customer"

	ticket.reload()
	assert ticket.status == "Awaiting Customer"
	assert ticket.diagnosis == "压缩机损坏"
	assert ticket.resolution.startswith("<p>更换整机</p>")
	assert f"{world.PART_NAME} × 1" in ticket.resolution
	assert ticket.labour_hours == 2.5
	assert (ticket.faulty_serial_no, ticket.replacement_serial_no) == (world.SERIAL_IN, "SN-AC-TEST-NEW")
	assert ticket.return_slip_visit == visit.name
	assert frappe.db.get_value("Service Visit", visit.name, "outcome") == "Resolved"

	assert frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name}) == logs + 1
	last = frappe.get_last_doc("Service Ticket Status Log", filters={"ticket": ticket.name})
	assert (last.from_category, last.to_category, last.changed_by) == (
		"In Progress",
		"Awaiting Customer",
		TECH,
	)
	assert last.action


TICKET_FIELDS = ["workflow_state", "status", "diagnosis", "resolution", "labour_hours", "return_slip_visit"]


def ticket_snapshot(ticket) -> dict:
	return {
		"ticket": frappe.db.get_value("Service Ticket", ticket.name, TICKET_FIELDS, as_dict=True),
		"logs": frappe.db.count("Service Ticket Status Log", {"ticket": ticket.name}),
	}


def test_the_service_desk_files_a_return_slip_for_the_technician():
	"""In progress only the technician edits the ticket; the return slip's fields travel with
	the workflow action, which the service desk may take too."""
	ticket = in_progress_ticket()
	visit = make_visit(ticket, diagnosis="电源板故障", solution="<p>更换电源板</p>", labour_hours=1)
	as_user(AGENT, api.file_return_slip, visit.name)
	ticket.reload()
	assert (ticket.status, ticket.diagnosis, ticket.labour_hours) == ("Awaiting Customer", "电源板故障", 1)
	last = frappe.get_last_doc("Service Ticket Status Log", filters={"ticket": ticket.name})
	assert last.changed_by == AGENT


def test_return_slip_is_refused_for_a_ticket_not_in_progress():
	ticket = make_ticket(assigned_technician=TECH)  # still pending review
	visit = make_visit(ticket, diagnosis="滤网堵塞", solution="<p>清洗滤网</p>")
	before = ticket_snapshot(ticket)
	with pytest.raises(TicketNotInProgressError):
		as_user(TECH, api.file_return_slip, visit.name)
	assert ticket_snapshot(ticket) == before
	assert not frappe.db.get_value("Service Visit", visit.name, "outcome")


def test_return_slip_is_refused_from_an_older_visit():
	ticket = in_progress_ticket()
	first = make_visit(
		ticket,
		scheduled_start=datetime(2026, 12, 1, 9, 0),
		outcome="Parts Ordered",
		solution="<p>待配件</p>",
	)
	second = make_visit(ticket, scheduled_start=datetime(2026, 12, 3, 9, 0), solution="<p>更换压缩机</p>")
	before = ticket_snapshot(ticket)
	with pytest.raises(NotLastVisitError):
		as_user(TECH, api.file_return_slip, first.name)
	assert ticket_snapshot(ticket) == before
	as_user(TECH, api.file_return_slip, second.name)
	assert frappe.db.get_value("Service Ticket", ticket.name, "return_slip_visit") == second.name


def test_return_slip_needs_a_resolved_visit_with_a_solution():
	ticket = in_progress_ticket()
	visit = make_visit(ticket, outcome="Customer Absent", solution="<p>客户不在家</p>")
	with pytest.raises(ReturnSlipError):
		api.file_return_slip(visit.name)
	visit = make_visit(ticket, scheduled_start=datetime(2027, 1, 1, 9, 0), solution="<p></p>")
	before = ticket_snapshot(ticket)
	with pytest.raises(ReturnSlipError):
		api.file_return_slip(visit.name)
	assert ticket_snapshot(ticket) == before


def test_visit_actions_are_post_only():
	for method in (api.check_in, api.check_out, api.make_stock_entry, api.file_return_slip):
		assert frappe.allowed_http_methods_for_whitelisted_func[method] == ["POST"]
