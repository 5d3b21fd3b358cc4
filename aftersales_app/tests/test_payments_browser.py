"""Charging and collecting in a real browser: finance confirms a technician's payment from the
desk, the ticket form shows its money, and the customer sees the amounts due on the portal."""

import pytest
from playwright.sync_api import expect

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import nowdate

from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, login, remove_ticket_and_money, returned_ticket

FINANCE = world.FINANCE


@pytest.fixture
def payment_waiting():
	"""A charged ticket (1100) the customer confirmed, with 400 collected in cash by the
	technician; committed, as the server runs in other processes."""
	world.build()
	ticket = returned_ticket(subject="[浏览器] 压缩机更换")
	as_user(world.AGENT, apply_workflow, ticket, "确认解决")
	payment = as_user(
		world.TECH,
		lambda: frappe.get_doc(
			{
				"doctype": "Service Payment",
				"service_ticket": ticket.name,
				"amount": 400,
				"mode_of_payment": frappe.db.get_value("Mode of Payment", {"type": "Cash"}),
				"collected_on": nowdate(),
				"remarks": "现场收取定金",
			}
		).insert(),
	)
	frappe.db.commit()
	yield ticket, payment
	frappe.db.rollback()
	remove_ticket_and_money(ticket.name)


def test_finance_confirms_a_payment_and_the_customer_sees_what_is_due(
	live_server, browser, artifacts, payment_waiting
):
	ticket, payment = payment_waiting
	context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, FINANCE, "aftersales")
		page.goto(f"{live_server}/app/service-payment")
		row = page.locator(".list-row-container", has_text=payment.name)
		row.wait_for(timeout=30000)
		expect(row.locator(".indicator-pill").first).to_contain_text("未确认")
		page.screenshot(path=str(artifacts / "desk-payments-to-confirm.png"), full_page=True)

		page.goto(f"{live_server}/app/service-payment/{payment.name}")
		page.get_by_role("button", name="确认回款").click()
		page.locator(".modal.show .btn-primary", has_text="是").click()
		expect(page.locator(".page-head .indicator-pill")).to_contain_text("已确认", timeout=30000)
		page.screenshot(path=str(artifacts / "desk-payment-confirmed.png"), full_page=True)
		frappe.db.rollback()  # see the server's commit
		saved = frappe.get_doc("Service Payment", payment.name)
		assert saved.status == "Confirmed" and saved.payment_entry and saved.confirmed_by == FINANCE
		assert frappe.db.get_value("Payment Entry", saved.payment_entry, "docstatus") == 1
		assert frappe.db.get_value("Service Ticket", ticket.name, ["status", "outstanding_amount"]) == (
			"Awaiting Payment",
			700,
		)

		page.goto(f"{live_server}/app/service-ticket/{ticket.name}")
		expect(page.locator(".form-message.orange")).to_contain_text("700.00", timeout=30000)
		page.screenshot(path=str(artifacts / "desk-ticket-charges-top.png"))
		page.locator('.frappe-control[data-fieldname="charge_basis"]').first.scroll_into_view_if_needed()
		page.evaluate("window.scrollBy(0, -160)")
		page.screenshot(path=str(artifacts / "desk-ticket-charges.png"))
	finally:
		context.close()

	context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
	page = context.new_page()
	try:
		page.goto(f"{live_server}/login")
		page.fill("#login_email", world.PORTAL_USER)
		page.fill("#login_password", "aftersales")
		page.click(".btn-login")
		page.wait_for_load_state("networkidle")
		page.goto(f"{live_server}/service-tickets/{ticket.name}")
		charges = page.locator("#as-charges")
		expect(charges).to_contain_text("工时费", timeout=30000)
		expect(page.locator("#as-outstanding")).to_contain_text("700.00")
		charges.scroll_into_view_if_needed()
		assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
		page.screenshot(path=str(artifacts / "portal-amounts-due.png"), full_page=True)
	finally:
		context.close()
