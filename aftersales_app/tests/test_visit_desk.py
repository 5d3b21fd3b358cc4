"""The Service Visit form in a real browser, as the technician uses it on site: Check In, Check
Out and File Return Slip call the server and the form shows what the server stamped."""

import pytest
from playwright.sync_api import expect

import frappe

from aftersales_app.tests import world
from aftersales_app.tests.utils import force_state, login, make_ticket, make_visit

TECH = world.TECH


@pytest.fixture
def tech_page(live_server, browser):
	# a phone-sized screen: technicians work from their phones
	context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
	page = context.new_page()
	login(page, live_server, TECH, "aftersales")
	yield page
	context.close()


def wait_for_field(page, fieldname: str):
	page.wait_for_function(
		"f => window.cur_frm && cur_frm.doctype === 'Service Visit' && !!cur_frm.doc[f]",
		arg=fieldname,
		timeout=30000,
	)


def click_action(page, label: str):
	"""A form button; on a phone Frappe folds the form's buttons into the ⋯ menu."""
	button = page.locator(f".page-head .custom-actions button:has-text('{label}')")
	if button.is_visible():
		button.click()
		return
	page.locator(".page-head .menu-btn-group > button").click()
	page.locator(f".page-head .menu-btn-group .dropdown-item:has-text('{label}')").click()


def test_technician_checks_in_and_out_and_files_the_return_slip(live_server, tech_page, artifacts):
	world.build()
	ticket = force_state(make_ticket(assigned_technician=TECH, subject="上门表单测试"), "In Progress")
	visit = make_visit(ticket, diagnosis="排水管堵塞", solution="<p>疏通排水管</p>")
	frappe.db.commit()
	page = tech_page
	try:
		page.goto(f"{live_server}/app/service-visit/{visit.name}")
		page.wait_for_function("n => window.cur_frm && cur_frm.doc.name === n", arg=visit.name, timeout=30000)
		click_action(page, "签到")  # Check In, in the visit's own words
		wait_for_field(page, "check_in")
		click_action(page, "签退")
		wait_for_field(page, "check_out")
		click_action(page, "提交回单")
		page.locator(".modal.show .btn-primary").click()
		expect(page.get_by_text(f"工单 {ticket.name} 现为")).to_be_visible(timeout=30000)
		page.screenshot(path=str(artifacts / "desk-service-visit.png"), full_page=True)

		frappe.db.rollback()  # see what the server committed
		stamped = frappe.db.get_value("Service Visit", visit.name, ["check_in", "check_out"], as_dict=True)
		assert stamped.check_in and stamped.check_out >= stamped.check_in
		assert frappe.db.get_value("Service Ticket", ticket.name, "status") == "Awaiting Customer"
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Service Visit", visit.name, force=True, ignore_permissions=True)
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.commit()
