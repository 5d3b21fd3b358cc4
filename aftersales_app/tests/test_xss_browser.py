"""User text is inert wherever it is shown: an XSS corpus goes in through every text a customer, a
technician or an e-mail sets, by the app's own write paths, and the pages that show it are opened
in Chromium (desk form and timeline, list, contact log, visit, payment, print view, the portal and
the guest lookup). No script runs: `window.__xss` stays unset, and no element carries an event
handler or a `javascript:` link from the corpus."""

import os

import pytest

import frappe
from frappe.model.workflow import apply_workflow

from aftersales_app import dispatch, visits
from aftersales_app.api import portal as portal_api
from aftersales_app.overrides.communication import fill_ticket_from_email
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	force_state,
	login,
	make_ticket,
	make_visit,
	remove_ticket_and_money,
)

TECH, AGENT = world.TECH, world.AGENT
CUSTOMER = world.PORTAL_USER
MINGDE = world.CUSTOMER
PASSWORD = os.environ.get("DEMO_PASSWORD") or "aftersales"

CORPUS = [
	"<script>window.__xss=1</script>",
	"<img src=x onerror=window.__xss=1>",
	'"<img src=x onerror=window.__xss=1>"',  # parses as JSON: Frappe's own sanitiser lets it pass
	'<a href="javascript:window.__xss=1">点我</a>',
	"<svg onload=window.__xss=1></svg>",
	'"><script>window.__xss=1</script>',
	"{{ frappe.session.user }} {% if 1 %}jinja{% endif %}",
	"空调 🔥 <b onmouseover=window.__xss=1>维修</b> <iframe src=javascript:window.__xss=1></iframe>",
]
PAYLOAD = " ".join(CORPUS)
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
	ticket = make_ticket(subject=PAYLOAD[:140], customer=MINGDE, description=PAYLOAD)
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
	mailed = make_ticket(subject="邮件 XSS", customer=MINGDE, description=None)
	fill_ticket_from_email(
		frappe._dict(
			reference_doctype="Service Ticket",
			reference_name=mailed.name,
			communication_medium="Email",
			sent_or_received="Received",
			content=PAYLOAD,
		)
	)
	frappe.db.commit()
	yield frappe._dict(ticket=ticket.name, visit=visit.name, mailed=mailed.name)
	frappe.db.rollback()
	for name in frappe.get_all("Service Contact Log", filters={"ticket": ticket.name}, pluck="name"):
		frappe.delete_doc("Service Contact Log", name, force=True, ignore_permissions=True)
	remove_ticket_and_money(ticket.name)
	remove_ticket_and_money(mailed.name)


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
	page.wait_for_selector(wait_for, timeout=30000)
	page.wait_for_timeout(800)  # let late renders (timeline, formatters) run
	page.mouse.move(400, 300)
	found = page.evaluate(INERT)
	page.screenshot(path=str(artifacts / f"xss-{shot}.png"), full_page=True)
	assert found == {"xss": None, "handlers": 0, "links": 0}, (url, found)


def test_no_script_runs_on_the_desk(live_server, browser, artifacts, hostile_ticket):
	context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
	page = context.new_page()
	try:
		login(page, live_server, AGENT, PASSWORD)
		name = hostile_ticket.ticket
		check_page(page, f"{live_server}/app/service-ticket/{name}", artifacts, "desk-form", ".timeline-item")
		check_page(
			page,
			f"{live_server}/app/service-ticket?name={name}",
			artifacts,
			"desk-list",
			".list-row-container",
		)
		check_page(
			page,
			f"{live_server}/app/service-ticket/{hostile_ticket.mailed}",
			artifacts,
			"desk-mail",
			".form-layout",
		)
		log = frappe.get_all("Service Contact Log", filters={"ticket": name}, pluck="name")[0]
		check_page(
			page,
			f"{live_server}/app/service-contact-log/{log}",
			artifacts,
			"desk-contact-log",
			".form-layout",
		)
		check_page(
			page,
			f"{live_server}/app/service-visit/{hostile_ticket.visit}",
			artifacts,
			"desk-visit",
			".form-layout",
		)
		check_page(
			page,
			f"{live_server}/printview?doctype=Service%20Ticket&name={name}&format=Standard&no_letterhead=1",
			artifacts,
			"print",
			".print-format",
		)
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
