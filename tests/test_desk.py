"""The desk in a real browser: an after-sales user logs in and finds the After-Sales workspace."""

from playwright.sync_api import expect

import frappe

from aftersales_app.demo import data as demo


def login(page, base_url: str, user: str, password: str):
	page.goto(f"{base_url}/login")
	page.fill("#login_email", user)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url(f"{base_url}/app**", timeout=30000)


def test_agent_sees_after_sales_workspace_in_the_sidebar(live_server, browser, artifacts):
	demo.load()  # commits: the server runs in other processes
	context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, demo.demo_email("agent"), "aftersales")
		page.goto(f"{live_server}/app/after-sales")
		sidebar_item = page.locator('.standard-sidebar-item a[href="/app/after-sales"]')
		sidebar_item.wait_for(timeout=30000)
		assert "售后服务" in sidebar_item.inner_text()
		shortcut = page.locator(".ce-block .widget.shortcut-widget-box", has_text="维修工程师")
		shortcut.first.wait_for(timeout=30000)
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
