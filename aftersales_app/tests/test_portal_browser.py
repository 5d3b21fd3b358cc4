"""The customer portal in a real browser (Debian's Chromium through Playwright): a customer signs in,
sees exactly their tickets, opens one and disputes it, submits a request with a photo; a guest
looks a ticket up with the right and a wrong phone; every page fits a 390 px wide phone."""

import os
import re

import pytest
from playwright.sync_api import expect

import frappe

from aftersales_app.core import guest_limits
from aftersales_app.tests import world
from aftersales_app.tests.utils import force_state, make_ticket

WANG = world.PORTAL_USER
MINGDE, HUAXIN = world.CUSTOMER, world.CUSTOMER_B
PASSWORD = os.environ.get("DEMO_PASSWORD") or "aftersales"
PHONE = (390, 844)
PNG = bytes.fromhex(
	"89504e470d0a1a0a0000000d4948445200000001000000010806000000"
	"1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4"
	"e50000000049454e44ae426082"
)


def delete_tickets(filters):
	frappe.db.rollback()
	for name in frappe.get_all("Service Ticket", filters=filters, pluck="name"):
		for file in frappe.get_all(
			"File", {"attached_to_doctype": "Service Ticket", "attached_to_name": name}
		):
			frappe.delete_doc("File", file.name, force=True, ignore_permissions=True)
		frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture
def tickets():
	"""A ticket of world.CUSTOMER waiting for the customer's word, one in progress, and one of another
	customer; committed, as the server runs in other processes."""
	values = {
		"assigned_technician": world.TECH,
		"diagnosis": "压缩机启动电容损坏",
		"resolution": "<p>更换启动电容,试机正常</p>",
	}
	waiting = force_state(
		make_ticket(subject="浏览器 空调不制冷", serial_no=world.SERIAL_IN, **values), "Awaiting Customer"
	)
	working = force_state(make_ticket(subject="浏览器 空调异响", serial_no=world.SERIAL_OUT), "In Progress")
	other = make_ticket(subject="浏览器 别家工单", customer=HUAXIN)
	frappe.db.commit()
	guest_limits.reset()
	yield frappe._dict(waiting=waiting, working=working, other=other)
	guest_limits.reset()
	delete_tickets({"subject": ("like", "浏览器 %")})


@pytest.fixture(autouse=True)
def _own_asset_hashes():
	"""Frappe caches the bundle manifest (assets.json) in Redis under a key shared by every bench on
	the same Redis; a bench built at another time would make the pages ask for its file names and
	render unstyled. Dropping the cached manifest lets the test server read this bench's own."""
	frappe.cache.delete_value("assets_json", shared=True)


def new_page(browser, locale="zh-CN", viewport=(1280, 900)):
	context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale=locale)
	return context, context.new_page()


def sign_in(page, base_url: str, user: str = WANG):
	page.goto(f"{base_url}/login?redirect-to=/service-tickets")
	page.fill("#login_email", user)
	page.fill("#login_password", PASSWORD)
	page.click(".btn-login")
	page.wait_for_url(f"{base_url}/service-tickets", timeout=30000)


def fits_the_screen(page) -> bool:
	return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_customer_sees_exactly_their_tickets_opens_one_and_disputes_it(
	live_server, browser, tickets, artifacts
):
	context, page = new_page(browser)
	try:
		sign_in(page, live_server)
		expect(page.locator("h1")).to_have_text("我的售后工单")
		expect(page.locator(".web-sidebar, .sidebar-column").first).to_contain_text("售后服务")
		shown = page.locator("a.as-ticket").evaluate_all("cards => cards.map(c => c.dataset.name)")
		frappe.db.rollback()
		assert set(shown) == set(frappe.get_all("Service Ticket", {"customer": MINGDE}, pluck="name"))
		assert tickets.other.name not in shown
		card = page.locator(f'a.as-ticket[data-name="{tickets.waiting.name}"]')
		expect(card.locator(".as-state")).to_contain_text(tickets.waiting.workflow_state)
		assert card.locator(".as-state svg use").count() == 1  # the icon beside the name
		page.screenshot(path=str(artifacts / "portal-ticket-list.png"), full_page=True)

		# the status filter and the search
		page.select_option('select[name="status"]', "Awaiting Customer")
		page.click(".as-toolbar button[type=submit]")
		expect(page.locator("a.as-ticket")).to_have_count(
			frappe.db.count("Service Ticket", {"customer": MINGDE, "status": "Awaiting Customer"})
		)
		page.fill('input[name="q"]', "空调异响")
		page.select_option('select[name="status"]', "")
		page.click(".as-toolbar button[type=submit]")
		expect(page.locator("a.as-ticket")).to_have_count(1)
		expect(page.locator("a.as-ticket")).to_contain_text(tickets.working.name)

		# another customer's ticket, typed into the address bar
		response = page.goto(f"{live_server}/service-tickets/{tickets.other.name}")
		assert response.status == 403
		assert "别家工单" not in page.content()

		page.goto(f"{live_server}/service-tickets")
		page.click(f'a.as-ticket[data-name="{tickets.waiting.name}"]')
		page.wait_for_url(f"**/service-tickets/{tickets.waiting.name}")
		expect(page.locator("#as-resolution")).to_contain_text("更换启动电容")
		expect(page.locator("#as-next-step")).to_contain_text("请确认处理结果")
		expect(page.locator("#as-timeline li").first).to_be_visible()
		page.screenshot(path=str(artifacts / "portal-ticket-page.png"), full_page=True)

		page.click("#as-dispute-open")
		page.click("#as-dispute")  # no reason yet: refused in the page, nothing sent
		expect(page.locator("#as-message")).to_contain_text("请告诉我们还有什么问题")
		page.fill("#as-dispute-reason", "开机半小时后又不制冷")
		page.click("#as-dispute")
		expect(page.locator("#as-message")).to_contain_text("我们会重新处理")
		page.wait_for_load_state("load")
		expect(page.locator(".as-card-head .as-state")).to_have_attribute(
			"data-category", "In Progress", timeout=30000
		)
		expect(page.locator("#as-resolution-actions")).to_have_count(0)
		frappe.db.rollback()
		ticket = frappe.get_doc("Service Ticket", tickets.waiting.name)
		assert ticket.status == "In Progress" and ticket.dispute_reason == "开机半小时后又不制冷"
		last = frappe.get_last_doc("Service Ticket Status Log", filters={"ticket": ticket.name})
		assert last.changed_by == WANG and last.is_reopen
		page.screenshot(path=str(artifacts / "portal-ticket-disputed.png"), full_page=True)
	finally:
		context.close()


def test_customer_submits_a_request_with_a_photo(live_server, browser, tickets, artifacts, tmp_path):
	photo = tmp_path / "leak.png"
	photo.write_bytes(PNG)
	context, page = new_page(browser)
	try:
		sign_in(page, live_server)
		page.click("#as-new-request")
		page.wait_for_url("**/service-tickets/new")
		options = page.locator("#as-product option").evaluate_all("os => os.map(o => o.value)")
		assert f"serial:{world.SERIAL_IN}" in options and f"serial:{world.SERIAL_AMC}" not in options
		page.select_option("#as-product", f"serial:{world.SERIAL_IN}")
		page.click("#as-submit")  # empty: refused in the page
		expect(page.locator("#as-message")).to_contain_text("请填写标题")
		page.fill("#as-subject", "浏览器 室内机漏水")
		page.fill("#as-description", "室内机下方一直滴水\n已清洗过滤网")
		page.set_input_files("#as-photos", str(photo))
		page.screenshot(path=str(artifacts / "portal-new-request.png"), full_page=True)
		page.click("#as-submit")
		page.wait_for_url(re.compile(r".*/service-tickets/ST-\d{8}-\d{4}\?submitted=1$"), timeout=30000)
		name = page.url.rsplit("/", 1)[1].split("?")[0]
		# the page says the request is in, with its number
		expect(page.locator("#as-submitted")).to_contain_text(name)
		expect(page.locator("#as-submitted")).to_contain_text("已提交")
		expect(page.locator("#as-attachments")).to_contain_text(re.compile(r"leak\w*\.png"))
		frappe.db.rollback()
		ticket = frappe.get_doc("Service Ticket", name)
		assert (ticket.channel, ticket.customer, ticket.serial_no, ticket.owner) == (
			"Web Portal",
			MINGDE,
			world.SERIAL_IN,
			WANG,
		)
		assert frappe.db.get_value("File", {"attached_to_name": name}, "owner") == WANG
	finally:
		context.close()


def test_guest_looks_up_with_right_and_wrong_phone(live_server, browser, tickets, artifacts):
	name = tickets.waiting.name
	context, page = new_page(browser)
	try:
		page.goto(f"{live_server}/ticket-lookup?ticket={name}")
		expect(page.locator("h1")).to_have_text("查询售后工单")  # the browser's language
		expect(page.locator("#as-lookup-ticket")).to_have_value(name)
		page.fill("#as-lookup-phone", world.PHONE_B)
		page.click("#as-lookup-submit")
		expect(page.locator("#as-message")).to_have_text("没有与该工单号和电话匹配的工单")
		expect(page.locator("#as-lookup-result")).to_be_hidden()
		wrong_pair = page.locator("#as-message").inner_text()
		page.fill("#as-lookup-ticket", "ST-19990101-0001")
		page.click("#as-lookup-submit")
		expect(page.locator("#as-message")).to_have_text(wrong_pair)  # a missing ticket reads alike

		page.fill("#as-lookup-ticket", name)
		page.fill("#as-lookup-phone", f"{world.PHONE[:3]} {world.PHONE[3:7]} {world.PHONE[7:]}")
		page.click("#as-lookup-submit")
		card = page.locator("#as-lookup-card")
		expect(card).to_contain_text(name)
		expect(card.locator(".as-card-head .as-state")).to_have_attribute(
			"data-category", "Awaiting Customer"
		)
		expect(card).to_contain_text(world.TECH_NAME)  # the technician's first name
		for secret in (world.CUSTOMER, world.CONTACT_NAME, world.STREET, "更换启动电容", world.PHONE):
			assert secret not in card.inner_text(), secret
		page.screenshot(path=str(artifacts / "portal-guest-lookup.png"), full_page=True)
	finally:
		context.close()

	context, page = new_page(browser, locale="en-US")
	try:
		page.goto(f"{live_server}/ticket-lookup")
		expect(page.locator("h1")).to_have_text("Look Up a Service Ticket")
	finally:
		context.close()


def test_every_portal_page_fits_a_phone(live_server, browser, tickets, artifacts):
	context, page = new_page(browser, viewport=PHONE)
	try:
		page.goto(f"{live_server}/ticket-lookup?ticket={tickets.waiting.name}")
		page.fill("#as-lookup-phone", world.PHONE)
		page.click("#as-lookup-submit")
		expect(page.locator("#as-lookup-card")).to_be_visible()
		assert fits_the_screen(page), "ticket-lookup"
		page.screenshot(path=str(artifacts / "portal-mobile-lookup.png"), full_page=True)

		sign_in(page, live_server)
		for path, shot in (
			("/service-tickets", "portal-mobile-list.png"),
			(f"/service-tickets/{tickets.waiting.name}", "portal-mobile-ticket.png"),
			("/service-tickets/new", "portal-mobile-new-request.png"),
		):
			page.goto(f"{live_server}{path}")
			page.wait_for_load_state("load")
			assert fits_the_screen(page), path
			page.screenshot(path=str(artifacts / shot), full_page=True)
	finally:
		context.close()


def test_customer_urges_from_the_ticket_page_once_an_hour(browser, live_server, tickets, artifacts):
	context, page = new_page(browser)
	try:
		sign_in(page, live_server)
		page.goto(f"{live_server}/service-tickets/{tickets.working.name}")
		page.click("#as-urge")
		expect(page.locator("#as-message")).to_contain_text("已通知", timeout=30000)
		page.screenshot(path=str(artifacts / "portal-ticket-urged.png"), full_page=True)
		page.reload()
		page.click("#as-urge")
		expect(page.locator("#as-message")).to_contain_text("一小时内已催过单", timeout=30000)
		frappe.db.rollback()
		assert frappe.db.get_value("Service Ticket", tickets.working.name, "urge_count") == 1
		told = frappe.get_all(
			"After-Sales Message",
			filters={"reference_name": tickets.working.name, "event": "urge_received"},
			pluck="recipient",
		)
		assert told == [frappe.db.get_value("Service Ticket", tickets.working.name, "responsible_agent")]
	finally:
		context.close()
		frappe.db.delete("After-Sales Message", {"reference_name": tickets.working.name})
		frappe.db.commit()


def test_customer_rates_the_service_from_the_ticket_page(browser, live_server, artifacts):
	from aftersales_app.api import portal as portal_api
	from aftersales_app.customer_care import surveys
	from aftersales_app.tests.utils import as_user

	ticket = force_state(
		make_ticket(subject="浏览器 服务评价", assigned_technician=world.TECH, resolution="<p>已修复</p>"),
		"Awaiting Customer",
	)
	as_user(WANG, portal_api.confirm_resolution, ticket.name)
	survey = frappe.get_all("Service Survey", filters={"service_ticket": ticket.name}, pluck="name")[0]
	frappe.db.set_value(
		"Service Survey", survey, "send_after", frappe.utils.add_days(frappe.utils.now_datetime(), -2)
	)
	surveys.send(survey)
	frappe.db.commit()
	context, page = new_page(browser, viewport=PHONE)
	try:
		sign_in(page, live_server)
		page.goto(f"{live_server}/service-tickets/{ticket.name}")
		page.click("#as-survey-invite a")
		page.wait_for_url(re.compile(r".*/survey\?ticket=.*"), timeout=30000)
		for field, score in (("response_speed", 5), ("problem_solving", 4), ("attitude", 5)):
			page.check(f'input[name="{field}"][value="{score}"]')
		page.check('input[name="overall"][value="Satisfied"]')
		page.fill("#as-survey-recommend", "9")
		page.fill("#as-survey-comment", "师傅准时，修得很好")
		page.screenshot(path=str(artifacts / "portal-survey.png"), full_page=True)
		page.click("#as-survey-submit")
		expect(page.locator("#as-message")).to_contain_text("感谢", timeout=30000)
		frappe.db.rollback()
		answered = frappe.db.get_value(
			"Service Survey", survey, ["status", "overall", "recommend", "answered_by"]
		)
		assert answered == ("Answered", "Satisfied", 9, WANG)
	finally:
		context.close()
		delete_tickets({"subject": "浏览器 服务评价"})


def test_a_customer_accepts_a_check_up_offer_from_the_link_on_a_phone(browser, live_server, artifacts):
	"""The link of a check-up offer (保养提醒), without a login: accepting opens a maintenance ticket."""
	from aftersales_app.customer_care import maintenance_reminders as reminders

	offer = reminders.make_offer(
		customer=MINGDE,
		source=reminders.SERVICE_PERIOD,
		due_date=frappe.utils.nowdate(),
		key=f"browser|{frappe.generate_hash(length=8)}",
		serial_no=world.SERIAL_IN,
	)
	token = frappe.generate_hash(length=32)
	frappe.db.set_value("Maintenance Reminder", offer.name, "token_hash", reminders.token_hash(token))
	frappe.db.commit()
	guest_limits.reset()
	context, page = new_page(browser, viewport=PHONE)
	try:
		page.goto(f"{live_server}/check-up?token={token}")
		expect(page.locator(".as-offer")).to_contain_text(world.SERIAL_IN)
		page.screenshot(path=str(artifacts / "portal-check-up.png"), full_page=True)
		page.click(".as-offer .as-accept")
		expect(page.locator("#as-message")).to_contain_text("保养", timeout=30000)
		frappe.db.rollback()
		status, ticket = frappe.db.get_value("Maintenance Reminder", offer.name, ["status", "service_ticket"])
		assert status == "Accepted"
		assert frappe.db.get_value("Service Ticket", ticket, ["ticket_type", "serial_no"]) == (
			"Maintenance Check",
			world.SERIAL_IN,
		)
		# the used link shows the same notice as any invalid one
		page.goto(f"{live_server}/check-up?token={token}")
		expect(page.locator("#as-check-up-invalid")).to_be_visible()
	finally:
		context.close()
		frappe.db.rollback()
		ticket = frappe.db.get_value("Maintenance Reminder", offer.name, "service_ticket")
		if ticket:
			delete_tickets({"name": ticket})
		frappe.db.delete("ToDo", {"reference_type": "Maintenance Reminder", "reference_name": offer.name})
		frappe.db.delete("After-Sales Message", {"reference_name": offer.name})
		frappe.db.delete("Maintenance Reminder", {"name": offer.name})
		frappe.db.commit()
