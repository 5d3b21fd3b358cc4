"""The desk in a real browser: an after-sales user logs in and finds the After-Sales workspace."""

import re

import pytest
from playwright.sync_api import expect

import frappe

from aftersales_app.tests import world
from aftersales_app.tests.utils import login, make_ticket


def test_agent_sees_after_sales_workspace_in_the_sidebar(live_server, browser, artifacts):
	world.build()  # commits: the server runs in other processes
	context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, world.AGENT, "aftersales")
		page.goto(f"{live_server}/app/after-sales")
		sidebar_item = page.locator('.standard-sidebar-item a[href="/app/after-sales"]')
		sidebar_item.wait_for(timeout=30000)
		assert "售后服务" in sidebar_item.inner_text()
		shortcut = page.locator(".ce-block .widget.shortcut-widget-box", has_text="维修工程师")
		shortcut.first.wait_for(timeout=30000)
		# the number cards and charts (aftersales_app.tickets.dashboards) have their numbers
		cards = page.locator(".number-widget-box")
		page.wait_for_timeout(5000)
		page.screenshot(path=str(artifacts / "desk-after-sales-workspace.png"), full_page=True)
		expect(cards).to_have_count(8, timeout=30000)
		expect(page.locator(".number-widget-box .widget-content .number").first).to_be_visible(timeout=30000)
		expect(page.locator(".widget.dashboard-widget-box .chart-container svg")).to_have_count(
			3, timeout=30000
		)
		page.wait_for_timeout(1000)
		page.screenshot(path=str(artifacts / "desk-after-sales-workspace.png"), full_page=True)
		shortcut.first.click()
		page.wait_for_url(f"{live_server}/app/service-technician**", timeout=30000)
		expect(page.locator(".list-row-container")).to_have_count(
			frappe.db.count("Service Technician"), timeout=30000
		)
		expect(page.locator(".list-row-container .indicator-pill").first).to_contain_text("在职")
		page.screenshot(path=str(artifacts / "desk-service-technician-list.png"), full_page=True)
	finally:
		context.close()


@pytest.fixture
def agent_page(live_server, browser):
	context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
	page = context.new_page()
	login(page, live_server, world.AGENT, "aftersales")
	yield page
	context.close()


def wait_for_value(page, fieldname: str, value: str):
	page.wait_for_function(
		"([f, v]) => window.cur_frm && cur_frm.doc[f] === v", arg=[fieldname, value], timeout=30000
	)


def test_agent_registers_a_ticket_in_the_form_with_autofill_and_history(live_server, agent_page, artifacts):
	page = agent_page
	earlier = make_ticket(customer=world.CUSTOMER, serial_no=world.SERIAL_OUT, subject="上次维修")
	frappe.db.commit()
	try:
		page.goto(f"{live_server}/app/service-ticket/new")
		page.wait_for_function("window.cur_frm && cur_frm.doctype === 'Service Ticket'", timeout=30000)
		wait_for_value(page, "channel", "Phone")  # the form's default, set on load
		page.evaluate("cur_frm.set_value('subject', '空调噪音大')")
		page.evaluate("([f, v]) => cur_frm.set_value(f, v)", ["customer", world.CUSTOMER])
		wait_for_value(page, "contact_phone", world.PHONE)
		wait_for_value(page, "territory", world.EAST)
		assert world.STREET in page.evaluate("cur_frm.doc.address_display")
		page.evaluate("cur_frm.set_value('ticket_type', 'Repair')")
		page.evaluate("([f, v]) => cur_frm.set_value(f, v)", ["serial_no", world.SERIAL_OUT])
		wait_for_value(page, "warranty_status", "Out of Warranty")
		assert page.evaluate("cur_frm.doc.status") == "Open"  # not yet saved: the server sets it
		assert page.evaluate("cur_frm.doc.item_code") == world.PRODUCT
		history = page.locator('[data-fieldname="history_html"]')
		expect(history).to_contain_text("重复故障", timeout=30000)
		expect(history).to_contain_text(earlier.name)
		page.evaluate("cur_frm.save()")
		page.wait_for_url(re.compile(r".*/app/service-ticket/ST-\d{8}-\d{4}$"), timeout=30000)
		expect(page.locator('[data-fieldname="warranty_status"] .control-value')).to_contain_text(
			"超出保修期"
		)
		page.screenshot(path=str(artifacts / "desk-service-ticket-form.png"), full_page=True)

		# a serial number of another customer is refused at once, in Chinese
		page.evaluate("([f, v]) => cur_frm.set_value(f, v)", ["serial_no", world.SERIAL_AMC])
		expect(page.locator(".modal.show .modal-title")).to_contain_text("客户不匹配", timeout=30000)
		page.wait_for_function("!cur_frm.doc.serial_no", timeout=30000)
		assert page.evaluate("cur_frm.doc.customer") == world.CUSTOMER
	finally:
		frappe.db.rollback()
		delete_tickets({"subject": ("in", ["空调噪音大", "上次维修"])})


def test_quick_entry_creates_a_phone_ticket(live_server, agent_page):
	page = agent_page
	try:
		page.goto(f"{live_server}/app/service-ticket")
		page.locator(".page-actions .primary-action").click()
		page.wait_for_function(
			"window.cur_dialog && cur_dialog.doc && cur_dialog.doc.doctype === 'Service Ticket'",
			timeout=30000,
		)
		page.evaluate(
			"""(customer) => { cur_dialog.set_value('subject', '快速登记');
			cur_dialog.set_value('customer', customer);
			cur_dialog.set_value('ticket_type', 'Repair');
			cur_dialog.set_value('channel', 'Phone'); }""",
			world.PERSON,
		)
		page.wait_for_timeout(500)
		page.locator(".modal.show .btn-primary").click()
		page.wait_for_function("!window.cur_dialog || !cur_dialog.display", timeout=30000)
		frappe.db.rollback()
		ticket = frappe.get_last_doc("Service Ticket", filters={"subject": "快速登记"})
		assert ticket.channel == "Phone"
		assert ticket.contact_phone == world.PHONE_PERSON  # filled on the server from the customer
		assert ticket.owner == world.AGENT
	finally:
		delete_tickets({"subject": "快速登记"})


def delete_tickets(filters):
	for name in frappe.get_all("Service Ticket", filters=filters, pluck="name"):
		frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_ticket_list_and_kanban_show_each_state_in_colour_with_text(live_server, agent_page, artifacts):
	from aftersales_app.tests.utils import force_state
	from aftersales_app.tickets.status import state_map

	page = agent_page
	categories = [
		"Pending Review",
		"Dispatching",
		"Awaiting Acceptance",
		"In Progress",
		"On Hold",
		"Awaiting Customer",
		"Awaiting Payment",
		"Awaiting Revisit",
		"Closed",
		"Cancelled",
	]
	customers = world.CUSTOMERS
	tickets = [
		force_state(
			make_ticket(subject=f"状态展示 {i + 1}", customer=customers[i % len(customers)]), category
		)
		for i, category in enumerate(categories)
	]
	frappe.db.commit()
	try:
		page.goto(f"{live_server}/app/service-ticket?subject=%5B%22like%22%2C%22%25状态展示%25%22%5D")
		expect(page.locator(".list-row-container")).to_have_count(len(tickets), timeout=30000)
		colours = state_map()
		for ticket in tickets:
			pill = page.locator(
				f'.list-row-container:has(a[data-name="{ticket.name}"]) .indicator-pill'
			).first
			expect(pill).to_contain_text(ticket.workflow_state)  # the state's name beside its colour
			expect(pill).to_have_class(re.compile(colours[ticket.workflow_state].color))
			assert pill.locator("svg").count() == 1  # and its icon
		page.screenshot(path=str(artifacts / "desk-service-ticket-list.png"), full_page=True)

		page.goto(f"{live_server}/app/service-ticket/view/kanban/Service Tickets")
		expect(page.locator(".kanban-card-wrapper")).not_to_have_count(0, timeout=30000)
		for ticket in tickets:
			# the board shows open tickets only: Frappe's kanban loads all it matches, unpaged
			expect(page.locator(f'.kanban-card-wrapper[data-name="{ticket.name}"]')).to_have_count(
				0 if ticket.status in ("Closed", "Cancelled") else 1
			)
		page.screenshot(path=str(artifacts / "desk-service-ticket-kanban.png"), full_page=True)

		page.goto(f"{live_server}/app/service-ticket/{tickets[3].name}")
		header = page.locator(".page-head .indicator-pill")
		expect(header).to_contain_text(tickets[3].workflow_state, timeout=30000)
		page.screenshot(path=str(artifacts / "desk-service-ticket-in-progress.png"))
	finally:
		delete_tickets({"subject": ("like", "状态展示%")})


def test_admin_edits_a_notification_and_adds_a_robot_in_the_desk(live_server, browser, artifacts):
	"""What the README shows an admin: a shipped notification's text and channel are a Frappe
	Notification form; a group robot is a form of its own with the notifications it posts."""
	from aftersales_app.notifications.events import EVENTS

	event = EVENTS["pool_available"]
	notification = frappe.db.get_value(
		"Notification", {"method": event.method, "channel": "System Notification"}
	)
	context = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, world.ADMIN, "aftersales")
		page.goto(f"{live_server}/app/notification/{notification}")
		page.wait_for_function("window.cur_frm && cur_frm.doc.name", timeout=30000)
		assert page.evaluate("cur_frm.doc.method") == event.method
		expect(page.locator('[data-fieldname="message"]').first).to_be_visible(timeout=30000)
		page.screenshot(path=str(artifacts / "desk-notification-edit.png"), full_page=True)

		page.goto(f"{live_server}/app/after-sales-robot/new")
		page.wait_for_function("window.cur_frm && cur_frm.doctype === 'After-Sales Robot'", timeout=30000)
		page.evaluate(
			"""(n) => { cur_frm.set_value('robot_name', '华东售后群');
			cur_frm.set_value('platform', 'DingTalk');
			cur_frm.set_value('webhook_url', 'https://oapi.dingtalk.com/robot/send?access_token=demo');
			cur_frm.set_value('secret', 'SEC-demo');
			cur_frm.set_value('notifications', [{notification: n}]); }""",
			notification,
		)
		page.wait_for_timeout(500)
		page.screenshot(path=str(artifacts / "desk-robot-new.png"), full_page=True)
		page.evaluate("cur_frm.save()")
		page.wait_for_url(re.compile(r".*/app/after-sales-robot/.+$"), timeout=30000)
		page.wait_for_function("window.cur_frm && !cur_frm.is_new()", timeout=30000)
		frappe.db.rollback()
		robot = frappe.get_doc("After-Sales Robot", "华东售后群")
		assert robot.platform == "DingTalk" and [r.notification for r in robot.notifications] == [
			notification
		]
		assert robot.get_password("secret") == "SEC-demo"

		page.goto(f"{live_server}/app/after-sales-message")
		expect(page.locator(".page-title")).to_contain_text("售后消息", timeout=30000)
		page.screenshot(path=str(artifacts / "desk-after-sales-messages.png"), full_page=True)
	finally:
		context.close()
		frappe.db.rollback()
		frappe.delete_doc(
			"After-Sales Robot", "华东售后群", force=True, ignore_permissions=True, ignore_missing=True
		)
		frappe.db.commit()


def test_manager_reads_the_performance_and_service_level_reports_with_charts(live_server, browser, artifacts):
	"""Two reports with their charts on a committed week of closed tickets (removed after)."""
	from datetime import datetime

	from aftersales_app.tickets import status

	tech = frappe.db.get_value("Service Technician", {"user": world.TECH})
	tech_b = frappe.db.get_value("Service Technician", {"user": world.TECH_B})
	made = []
	for technician, day, late in (
		(tech, 3, False),
		(tech, 4, True),
		(tech, 5, False),
		(tech_b, 4, False),
		(tech_b, 6, True),
	):
		ticket = make_ticket(subject="浏览器 绩效报表")
		frappe.db.set_value(
			"Service Ticket",
			ticket.name,
			{
				"status": status.CLOSED,
				"workflow_state": status.states_of(status.CLOSED)[0],
				"assigned_technician": technician,
				"opened_on": datetime(2026, 5, day - 2, 9),
				"accepted_on": datetime(2026, 5, day - 2, 11),
				"state_since": datetime(2026, 5, day, 17),
				"sla_resolution_by": datetime(2026, 5, day, 12),
				"sla_resolution_date": datetime(2026, 5, day, 18 if late else 10),
			},
			update_modified=False,
		)
		made.append(ticket.name)
	frappe.db.commit()
	context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, world.MANAGER, "aftersales")
		for report, shot in (
			("Service Employee Performance", "report-employee-performance.png"),
			("Service Level Compliance", "report-service-level-compliance.png"),
		):
			page.goto(f"{live_server}/app/query-report/{report}?from_date=2026-05-01&to_date=2026-05-31")
			expect(page.locator(".dt-row").nth(1)).to_be_visible(timeout=30000)
			expect(
				page.locator(".chart-wrapper svg, .report-summary + div svg, .frappe-chart").first
			).to_be_visible(timeout=30000)
			page.wait_for_timeout(1000)
			page.screenshot(path=str(artifacts / shot), full_page=True)
	finally:
		context.close()
		frappe.db.rollback()
		for name in made:
			frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
		frappe.db.commit()
