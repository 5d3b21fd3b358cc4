"""The knowledge base (知识库) in a real browser (Debian's Chromium through Playwright): a guest and a
customer search /knowledge and read an article, internal ones never showing; while a customer
files a new request, what they type brings a suggestion, and "This solved my problem" counts a
request avoided and thanks them instead of submitting; an agent sees suggested articles on a
ticket (internal ones marked) and makes a draft article of its resolution."""

import pytest
from playwright.sync_api import expect

import frappe

from aftersales_app.core import guest_limits
from aftersales_app.tests import world
from aftersales_app.tests.test_portal_browser import PHONE, fits_the_screen, new_page, sign_in
from aftersales_app.tests.utils import delete_articles, login, make_article, make_ticket

WANG = world.PORTAL_USER
SUBJECT = "空调有问题"


@pytest.fixture
def articles():
	"""A published article, one of another problem and an internal one (committed: the server runs
	in other processes)."""
	guest_limits.reset()
	made = frappe._dict(
		leak=make_article(
			"浏览器知识 室内机漏水怎么办",
			"<p>室内机漏水多是排水管堵塞或倾斜。先关机断电，清理排水管出口；" "漏水仍不止，请提交报修。</p>",
			aftersales_title_en="Water drips from the indoor unit",
			aftersales_item=world.PRODUCT,
		),
		noise=make_article("浏览器知识 遥控器没反应", "<p>更换电池，对准接收窗。</p>"),
		# as relevant as `leak`: only its being internal keeps it from customers
		internal=make_article(
			"浏览器知识 内部 室内机漏水索赔口径",
			"<p>室内机漏水索赔：内部口径，不对外。</p>",
			internal=1,
			aftersales_item=world.PRODUCT,
		),
	)
	frappe.db.commit()
	yield made
	guest_limits.reset()
	delete_articles("浏览器知识%")
	for name in frappe.get_all("Service Ticket", {"subject": SUBJECT, "owner": WANG}, pluck="name"):
		frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
	frappe.db.commit()  # the other suites must not see them


@pytest.fixture(autouse=True)
def _own_asset_hashes():
	frappe.cache.delete_value("assets_json", shared=True)


def test_a_guest_and_a_customer_search_the_knowledge_base(live_server, browser, articles, artifacts):
	context, page = new_page(browser)
	try:
		page.goto(f"{live_server}/knowledge")
		expect(page.locator("h1")).to_have_text("知识库")
		page.fill("#as-kb-search input[name=q]", "漏水")
		page.click("#as-kb-search button[type=submit]")
		results = page.locator("a.as-kb-article")
		expect(results.first).to_contain_text("室内机漏水怎么办")
		expect(page.locator("#as-kb-results")).not_to_contain_text("索赔")
		expect(page.locator("#as-kb-results")).not_to_contain_text("遥控器")
		page.screenshot(path=str(artifacts / "portal-knowledge-search.png"), full_page=True)

		results.first.click()
		expect(page.locator("#as-kb-article h1")).to_have_text("浏览器知识 室内机漏水怎么办")
		expect(page.locator(".as-kb-content")).to_contain_text("清理排水管出口")
		assert not page.locator("[data-kb-solved]").count()  # guests cannot count
		page.screenshot(path=str(artifacts / "portal-knowledge-article.png"), full_page=True)

		response = page.goto(f"{live_server}/knowledge/{articles.internal.name}")
		assert response.status == 404
		assert "内部口径" not in page.content()
	finally:
		context.close()

	context, page = new_page(browser, viewport=PHONE)
	try:
		sign_in(page, live_server, WANG)
		page.goto(f"{live_server}/knowledge?q=KFR")  # nothing: a clear answer, not an error
		expect(page.locator("#as-kb-none")).to_be_visible()
		page.goto(f"{live_server}/knowledge?q=%E6%BC%8F%E6%B0%B4")
		expect(page.locator("a.as-kb-article").first).to_contain_text("室内机漏水")
		assert fits_the_screen(page)
		page.screenshot(path=str(artifacts / "portal-mobile-knowledge.png"), full_page=True)
	finally:
		context.close()


def test_a_suggestion_while_filing_a_request_solves_the_problem(live_server, browser, articles, artifacts):
	context, page = new_page(browser)
	try:
		sign_in(page, live_server, WANG)
		page.goto(f"{live_server}/service-tickets/new")
		panel = page.locator("#as-kb-suggestions")
		expect(panel).to_be_hidden()
		page.select_option("#as-product", f"serial:{world.SERIAL_IN}")
		page.fill("#as-subject", SUBJECT)
		page.locator("#as-description").press_sequentially("室内机一直在漏水", delay=30)
		expect(panel).to_be_visible(timeout=10000)
		suggestion = panel.locator(".as-kb-suggestion").first
		expect(suggestion).to_contain_text("室内机漏水怎么办")
		expect(panel).not_to_contain_text("索赔")
		expect(panel).not_to_contain_text("遥控器")
		page.screenshot(path=str(artifacts / "portal-knowledge-suggestion.png"), full_page=True)

		suggestion.locator(".as-kb-solved").click()
		expect(page.locator("#as-kb-thanks")).to_be_visible()
		expect(page.locator("#as-kb-thanks-text")).to_contain_text("很高兴")
		expect(page.locator("#as-request-form")).to_be_hidden()
		page.screenshot(path=str(artifacts / "portal-knowledge-solved.png"), full_page=True)

		frappe.db.rollback()
		assert frappe.db.get_value("Help Article", articles.leak.name, "aftersales_requests_avoided") == 1
		assert not frappe.db.exists("Service Ticket", {"subject": SUBJECT, "owner": WANG})

		# "I still need help" brings the form back with what was typed; the article stays counted
		page.click("#as-kb-still-need-help")
		expect(page.locator("#as-request-form")).to_be_visible()
		expect(page.locator("#as-description")).to_have_value("室内机一直在漏水")
		expect(page.locator(".as-kb-suggestion .as-kb-solved").first).to_be_disabled()
	finally:
		context.close()


def test_an_agent_sees_suggestions_on_a_ticket_and_makes_an_article(
	live_server, browser, articles, artifacts
):
	ticket = make_ticket(
		subject="浏览器知识 室内机漏水",
		description="<p>室内机漏水，滴到地板上</p>",
		serial_no=world.SERIAL_IN,
		diagnosis="排水管堵塞",
		resolution="<p>疏通排水管，试机正常</p>",
	)
	frappe.db.commit()
	context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, world.AGENT, world.PASSWORD)
		page.goto(f"{live_server}/app/service-ticket/{ticket.name}")
		section = page.locator(".as-kb-section")
		expect(section).to_contain_text("推荐知识库文章", timeout=30000)
		expect(section).to_contain_text("室内机漏水怎么办")
		expect(section).to_contain_text("漏水索赔口径")  # internal: staff see it, marked
		expect(section.locator("li", has_text="漏水索赔口径")).to_contain_text("内部")
		expect(section).not_to_contain_text("遥控器")
		page.screenshot(path=str(artifacts / "desk-ticket-suggested-articles.png"), full_page=True)

		page.locator(".inner-group-button", has_text="知识库").click()
		page.locator(".inner-group-button .dropdown-item", has_text="生成知识库文章").click()
		page.wait_for_url(f"{live_server}/app/help-article/**", timeout=30000)
		page.wait_for_function("window.cur_frm && cur_frm.doctype === 'Help Article'", timeout=30000)
		assert page.evaluate("cur_frm.doc.aftersales_source_ticket") == ticket.name
		assert page.evaluate("cur_frm.doc.published") == 0
		page.screenshot(path=str(artifacts / "desk-knowledge-article-draft.png"), full_page=True)
		frappe.db.rollback()
		assert frappe.db.count("Help Article", {"aftersales_source_ticket": ticket.name}) == 1
	finally:
		context.close()
		frappe.db.rollback()
		for name in frappe.get_all("Help Article", {"aftersales_source_ticket": ticket.name}, pluck="name"):
			frappe.delete_doc("Help Article", name, force=True, ignore_permissions=True)
		frappe.delete_doc("Service Ticket", ticket.name, force=True, ignore_permissions=True)
		frappe.db.commit()  # the other suites must not see them
