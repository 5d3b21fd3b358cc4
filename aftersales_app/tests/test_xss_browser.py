"""User text is inert wherever it is shown: the suite's attack corpus (tests/corpus.py) goes in
through every text a customer, a guest with a survey link, a technician or an e-mail sets, by the
app's own write paths, and the pages that show it are opened in Chromium as an agent and as a
manager (desk form and timeline, list, report view, kanban, workspace, contact log, visit, survey,
return, print views, the Returns and Exchanges report, notification log) and on the portal. No script runs: `window.__xss` stays unset, and no element carries an event
handler or a `javascript:` link from the corpus."""

import os

import pytest

import frappe
from frappe.model.workflow import apply_workflow

from aftersales_app.api import portal as portal_api
from aftersales_app.conftest import REPORT
from aftersales_app.field_service import dispatch, visits
from aftersales_app.overrides.communication import fill_ticket_from_email
from aftersales_app.tests import corpus, world
from aftersales_app.tests.utils import (
	as_user,
	force_state,
	login,
	make_ticket,
	make_visit,
	remove_ticket_and_money,
	return_without_sale,
)
from aftersales_app.tickets.status import IN_PROGRESS

TECH, AGENT = world.TECH, world.AGENT
CUSTOMER = world.PORTAL_USER
MINGDE = world.CUSTOMER
PASSWORD = os.environ.get("DEMO_PASSWORD") or "aftersales"

CORPUS = corpus.CLOSED
# every text ends in markup that never closes: harmless alone, a tag in front of a renderer's `>`
PAYLOAD = corpus.PAYLOAD
INERT = """() => ({
	xss: window.__xss || null,
	handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a =>
		/^on/i.test(a.name) && /__xss/.test(a.value))).length,
	links: [...document.querySelectorAll('[href],[src]')].filter(e =>
		/javascript:.*__xss/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
})"""


@pytest.fixture(scope="module")
def hostile_ticket():
	"""A ticket whose every text a customer, a technician or an e-mail can set carries the corpus,
	written through the app's own paths."""
	ticket = make_ticket(subject="空调漏水 " + corpus.UNCLOSED[0], customer=MINGDE, description=PAYLOAD)
	ticket = force_state(ticket, "Dispatching")
	ticket = dispatch.assign(ticket, TECH)
	as_user(TECH, dispatch.decline, frappe.get_doc("Service Ticket", ticket.name), TECH, PAYLOAD)
	ticket = dispatch.assign(frappe.get_doc("Service Ticket", ticket.name), TECH)
	ticket = as_user(TECH, dispatch.accept, ticket, TECH)

	def as_technician():
		doc = frappe.get_doc("Service Ticket", ticket.name)
		doc.update({"diagnosis": PAYLOAD, "hold_reason": PAYLOAD})
		doc.save()
		doc = apply_workflow(doc, "暂停处理")
		doc.hold_reason = None
		doc.save()
		apply_workflow(doc, "恢复处理")
		frappe.get_doc(
			{
				"doctype": "Service Contact Log",
				"ticket": ticket.name,
				"direction": "Inbound",
				"channel": "Phone",
				"summary": PAYLOAD,
			}
		).insert()

	as_user(TECH, as_technician)
	visit = as_user(
		TECH,
		lambda: make_visit(
			frappe.get_doc("Service Ticket", ticket.name),
			diagnosis=PAYLOAD,
			solution=PAYLOAD,
			work_done=PAYLOAD,
		),
	)
	as_user(TECH, visits.check_in, visit)
	as_user(TECH, visits.file_return_slip, frappe.get_doc("Service Visit", visit.name))
	as_user(CUSTOMER, portal_api.dispute_resolution, ticket.name, PAYLOAD)
	# a comment by anyone who reads the ticket, and mail about it: Frappe's own doors
	from frappe.desk.form.utils import add_comment

	as_user(TECH, add_comment, "Service Ticket", ticket.name, PAYLOAD, TECH, world.TECH_NAME)
	as_user(TECH, add_comment, "Service Ticket", ticket.name, CORPUS[2], TECH, world.TECH_NAME)  # JSON-shaped
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"subject": "Re: 报修",
			"content": '"<img src=x onerror=window.__xss=1>"',
			"sender": "stranger@example.com",
			"reference_doctype": "Service Ticket",
			"reference_name": ticket.name,
		}
	).insert(ignore_permissions=True)
	# an e-mail body copied into a ticket without a description
	mailed = make_ticket(subject="邮件 " + corpus.UNCLOSED[1], customer=MINGDE, description=None)
	fill_ticket_from_email(
		frappe._dict(
			reference_doctype="Service Ticket",
			reference_name=mailed.name,
			communication_medium="Email",
			sent_or_received="Received",
			content=PAYLOAD,
		)
	)
	survey = answered_by_a_guest(ticket.name)
	ret = return_shipped_by_the_customer()
	frappe.db.commit()
	yield frappe._dict(
		ticket=ticket.name,
		visit=visit.name,
		mailed=mailed.name,
		survey=survey,
		ret=ret.name,
		ret_ticket=ret.service_ticket,
	)
	frappe.db.rollback()
	frappe.delete_doc("Service Survey", survey, force=True, ignore_permissions=True)
	frappe.delete_doc("Service Return", ret.name, force=True, ignore_permissions=True)
	remove_ticket_and_money(ret.service_ticket)
	for name in frappe.get_all("Service Contact Log", filters={"ticket": ticket.name}, pluck="name"):
		frappe.delete_doc("Service Contact Log", name, force=True, ignore_permissions=True)
	remove_ticket_and_money(ticket.name)
	remove_ticket_and_money(mailed.name)


def answered_by_a_guest(ticket: str) -> str:
	"""The ticket's survey, answered through its link by a guest whose comment is the corpus."""
	from aftersales_app.customer_care import surveys

	survey = surveys.make_survey(frappe.get_doc("Service Ticket", ticket))
	token = frappe.generate_hash(length=32)
	survey.db_set(
		{"status": surveys.SENT, "token_hash": surveys.token_hash(token), "expires_on": "2099-01-01"}
	)
	as_user(
		"Guest",
		portal_api.answer_survey,
		token=token,
		response_speed=4,
		problem_solving=4,
		attitude=5,
		overall="Satisfied",
		recommend=9,
		comment=PAYLOAD,
	)
	return survey.name


def return_shipped_by_the_customer():
	"""An exchange whose reason customer service wrote and whose shipment the customer recorded,
	both carrying the corpus."""
	from aftersales_app.api import returns as returns_api

	name = return_without_sale("换货 " + corpus.UNCLOSED[2], return_type="Exchange", reason_detail=PAYLOAD)
	as_user(
		CUSTOMER, returns_api.record_shipment, name, "顺丰 " + corpus.UNCLOSED[3], "SF1 " + corpus.UNCLOSED[0]
	)
	return frappe.get_doc("Service Return", name)


def runnable(html: str) -> list[str]:
	"""What in `html`, parsed as a browser would, could run: script elements, event handlers,
	`javascript:` addresses (escaped text such as `&lt;script&gt;` is not)."""
	from bs4 import BeautifulSoup

	found = []
	for element in BeautifulSoup(html, "html.parser").find_all(True):
		if element.name in ("script", "iframe", "object", "embed"):
			found.append(element.name)
		for attr, value in element.attrs.items():
			value = " ".join(value) if isinstance(value, list) else str(value)
			if attr.lower().startswith("on") or "javascript:" in value.lower().replace(" ", ""):
				found.append(f"{element.name}[{attr}]")
	return found


def test_stored_text_carries_no_markup_that_runs(hostile_ticket):
	ticket = frappe.get_doc("Service Ticket", hostile_ticket.ticket)
	for field in ("subject", "description", "diagnosis", "dispute_reason", "resolution"):
		value = ticket.get(field) or ""
		assert value, field
		assert not runnable(value), (field, value)
		assert not corpus.runs_where_shown(value, field not in ("description", "resolution")), (field, value)
	survey = frappe.get_doc("Service Survey", hostile_ticket.survey)
	ret = frappe.get_doc("Service Return", hostile_ticket.ret)
	for doc, field in ((survey, "comment"), (ret, "reason_detail"), (ret, "tracking_no"), (ret, "carrier")):
		value = doc.get(field)
		assert value and "window.__xss" in value, (doc.doctype, field)  # kept as text
		assert not corpus.runs_where_shown(value), (doc.doctype, field, value)
	for step in ret.get("steps") or []:
		assert not corpus.runs_where_shown(step.note or ""), step.note
	mailed = frappe.db.get_value("Service Ticket", hostile_ticket.mailed, "description")
	assert mailed and not runnable(mailed)
	for log in frappe.get_all("Service Contact Log", filters={"ticket": ticket.name}, pluck="summary"):
		assert not runnable(log)
	comments = frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Service Ticket", "reference_name": ticket.name},
		pluck="content",
	)
	assert any("点我" in (c or "") for c in comments)  # the technician's own comment is there, inert
	for comment in comments:
		assert not runnable(comment or ""), comment
	mails = frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Service Ticket", "reference_name": ticket.name},
		pluck="content",
	)
	assert mails
	for mail in mails:
		assert not runnable(mail or ""), mail


def check_page(page, url: str, artifacts, shot: str, wait_for: str):
	page.goto(url)
	try:
		page.wait_for_selector(wait_for, timeout=30000)
	except Exception:
		page.screenshot(path=str(artifacts / f"xss-{shot}-not-shown.png"), full_page=True)
		raise AssertionError(f"{shot}: {url} did not show {wait_for}") from None
	page.wait_for_timeout(800)  # let late renders (timeline, formatters) run
	page.mouse.move(400, 300)
	found = page.evaluate(INERT)
	page.screenshot(path=str(artifacts / f"xss-{shot}.png"), full_page=True)
	assert found == {"xss": None, "handlers": 0, "links": 0}, (url, found)


def desk_views(hostile) -> list[tuple[str, str, str]]:
	"""(name, address, selector to wait for) of every desk view that shows the corpus."""
	log = frappe.get_all("Service Contact Log", filters={"ticket": hostile.ticket}, pluck="name")[0]

	def printview(doctype: str, name: str) -> str:
		return f"/printview?doctype={doctype.replace(' ', '%20')}&name={name}&format=Standard&no_letterhead=1"

	return [
		("form", f"/app/service-ticket/{hostile.ticket}", ".timeline-item"),
		("list", f"/app/service-ticket?name={hostile.ticket}", ".list-row-container"),
		("report-view", f"/app/service-ticket/view/report?name={hostile.ticket}", ".dt-row-0"),
		("report-view-mail", f"/app/service-ticket/view/report?name={hostile.mailed}", ".dt-row-0"),
		("mail", f"/app/service-ticket/{hostile.mailed}", ".form-layout"),
		("contact-log", f"/app/service-contact-log/{log}", ".form-layout"),
		("contact-log-report", f"/app/service-contact-log/view/report?ticket={hostile.ticket}", ".dt-row-0"),
		("visit", f"/app/service-visit/{hostile.visit}", ".form-layout"),
		("visit-report", f"/app/service-visit/view/report?name={hostile.visit}", ".dt-row-0"),
		("survey", f"/app/service-survey/{hostile.survey}", ".form-layout"),
		("survey-report", f"/app/service-survey/view/report?name={hostile.survey}", ".dt-row-0"),
		("return", f"/app/service-return/{hostile.ret}", ".form-layout"),
		("return-report", f"/app/service-return/view/report?name={hostile.ret}", ".dt-row-0"),
		("returns-query-report", "/app/query-report/Returns and Exchanges", ".dt-row-0"),
		("print-ticket", printview("Service Ticket", hostile.ticket), ".print-format"),
		("print-visit", printview("Service Visit", hostile.visit), ".print-format"),
		("print-contact-log", printview("Service Contact Log", log), ".print-format"),
		("print-survey", printview("Service Survey", hostile.survey), ".print-format"),
		("print-return", printview("Service Return", hostile.ret), ".print-format"),
		("notifications", "/app/notification-log", ".layout-main-section"),
		(
			"kanban",
			f"/app/service-ticket/view/kanban/Service Tickets?name={hostile.ticket}",
			".kanban-card-wrapper",
		),
		("workspace", "/app/after-sales", ".widget"),
	]


@pytest.mark.parametrize("user", [AGENT, world.MANAGER])
def test_no_script_runs_on_the_desk(live_server, browser, artifacts, hostile_ticket, user):
	context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
	page = context.new_page()
	role = "agent" if user == AGENT else "manager"
	try:
		login(page, live_server, user, PASSWORD)
		views = desk_views(hostile_ticket)
		for shot, path, wait_for in views:
			check_page(page, f"{live_server}{path}", artifacts, f"{role}-{shot}", wait_for)
		REPORT.append(f"attack corpus in Chromium as {role}: {len(views)} desk views, 0 handlers ran")
	finally:
		context.close()


def test_no_script_runs_on_the_portal(live_server, browser, artifacts, hostile_ticket):
	context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
	page = context.new_page()
	try:
		page.goto(f"{live_server}/login")
		page.fill("#login_email", CUSTOMER)
		page.fill("#login_password", PASSWORD)
		page.click(".btn-login")
		page.wait_for_load_state("networkidle")
		name = hostile_ticket.ticket
		check_page(page, f"{live_server}/service-tickets", artifacts, "portal-list", ".as-portal")
		check_page(page, f"{live_server}/service-tickets/{name}", artifacts, "portal-ticket", ".as-portal")
	finally:
		context.close()
