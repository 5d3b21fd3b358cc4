"""A real day's work, walked as each role would: in Chromium, signed in as that role (never
Administrator), on the Chinese site, through the screens — the buttons, menus, dialogs and link
fields of the role's own forms, no whitelisted-method shortcut. One ticket goes the whole way:

the agent registers a phoned-in fault and puts it in the pool; the technician grabs it there,
visits with a part and a photo and files the return slip; the customer confirms on the portal and sees the same price; the
technician records the collection with its proof photo; finance confirms it; the customer answers
the survey; a guest looks the ticket up; the manager adds a workflow state and maps it.

Each journey asserts what its user sees (numbers, words, no error message, no English word on the
screens it passes) and what the database holds after, and prints its steps and time."""

import contextlib
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

import frappe
from frappe.utils import flt

from aftersales_app.core import guest_limits
from aftersales_app.tests import world
from aftersales_app.tests.utils import login, remove_ticket_and_money
from aftersales_app.tickets.status import category_of

PASSWORD = world.PASSWORD
SUBJECT = "旅程 空调外机异响"
DAY = {}  # what one journey leaves for the next
PNG = bytes.fromhex(
	"89504e470d0a1a0a0000000d4948445200000001000000010806000000"
	"1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4"
	"e50000000049454e44ae426082"
)

# English a Chinese user may meet: product and brand names, codes people type
ALLOWED_WORDS = {"ERPNext", "ERP", "Frappe", "SLA", "CNY", "WeChat", "PDF", "Excel", "QR", "Ctrl", "China"}
# ERPNext names an address "<title>-<type>" with the English type: a record's name, like a code
ADDRESS_NAME = re.compile(
	r"-(Billing|Shipping|Office|Personal|Plant|Postal|Shop|Subsidiary|Warehouse|Current|Permanent|Other)\b"
)
# Frappe's document history quotes the values as stored ("签到时间从 null 到 …", "从 "" 到 Repair"):
# a record's value, like a code
HISTORY_VALUES = re.compile(r"从\n[^\n]*\n到\n[^\n]*")
# names of records, not words: the ticket's workflow (made at install, before the site had a
# language), the Administrator user, and Frappe's "jump to the list" link of a DocType field
RECORD_NAMES = re.compile(r"Service Ticket Workflow|Administrator|跳转至[^\n]*列表")
DAY_FIRST_DATE = re.compile(r"\b\d{2}-\d{2}-\d{4}\b")  # 08-12-2026: not how a Chinese site writes a date
CODE = re.compile(
	r"[\w.+-]+@[\w.-]+|https?://\S+|(/private)?/files/\S+|\S+\.(png|jpe?g|gif|webp|pdf)\b|\b[\w./-]*\d[\w./-]*\b|\b[A-Z]{2,6}\b|\b[A-Z][a-z]+/[A-Z]\w+\b"
)  # e-mails, links, files, anything with a digit (numbers, serials, item codes), abbreviations, time zones
WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str) -> set[str]:
	text = RECORD_NAMES.sub(" ", HISTORY_VALUES.sub(" ", ADDRESS_NAME.sub(" ", text)))
	found = {w for w in WORD.findall(CODE.sub(" ", text)) if w not in ALLOWED_WORDS}
	return found | {f"date {d}" for d in DAY_FIRST_DATE.findall(text)}


# The text a person sees on the screen: text nodes whose element is rendered with a size, not
# hidden, not only for screen readers, and not in the page's off-screen parts.
VISIBLE_TEXT = """() => {
	const out = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	while (walker.nextNode()) {
		const node = walker.currentNode;
		const text = node.nodeValue.trim();
		const el = node.parentElement;
		if (!text || !el || el.closest('script, style, noscript, template, .visually-hidden, .sr-only, [aria-hidden="true"]')) continue;
		const style = getComputedStyle(el);
		if (style.visibility === 'hidden' || style.display === 'none' || Number(style.opacity) === 0) continue;
		const box = el.getBoundingClientRect();
		if (box.width < 2 || box.height < 2 || box.right < 0 || box.bottom < 0) continue;
		if (!el.checkVisibility || el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) out.push(text);
	}
	for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
		if (input.offsetParent !== null && !input.value) out.push(input.placeholder);
	}
	return out.join('\\n');
}"""


class Walk:
	"""One role's journey: its browser context, its steps and time, and the checks every screen
	passes (no error message, no English words)."""

	def __init__(self, browser, live_server, report, artifacts, role: str, phone: bool = False):
		self.live, self.report, self.artifacts, self.role = live_server, report, artifacts, role
		size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
		self.context = browser.new_context(viewport=size, locale="zh-CN")
		self.page = self.context.new_page()
		self.steps, self.start, self.words = 0, time.monotonic(), {}

	def step(self, what: str = ""):
		"""A tap done: the screen shows no error message, and its words are Chinese."""
		self.steps += 1
		page = self.page
		page.wait_for_load_state("networkidle")
		error = page.locator(".modal.show .msgprint, .modal.show .modal-body .alert-danger")
		if error.count() and error.first.is_visible():
			raise AssertionError(f"{self.role}: an error after '{what}': {error.first.inner_text()}")
		text = page.evaluate(VISIBLE_TEXT)
		found = english_words(text)
		for word in found:
			self.words.setdefault(word, what or page.url)
		if found:  # what the screen said, to find where the words stand
			dump = self.artifacts / f"journey-words-{self.role}-{self.steps}.txt"
			dump.write_text(f"{page.url}\n{sorted(found)}\n\n{text}", encoding="utf-8")

	def shot(self, name: str):
		self.page.screenshot(path=str(self.artifacts / f"journey-{name}.png"), full_page=True)

	def close(self):
		seconds = time.monotonic() - self.start
		self.report(f"journey {self.role}: {self.steps} steps, {seconds:.1f} s")
		self.context.close()
		assert not self.words, f"{self.role} met English on the screens: {self.words}"

	# --- the desk's own controls ---

	def open(self, path: str, what: str = ""):
		self.page.goto(f"{self.live}{path}")
		self.step(what or path)

	def wait_form(self, doctype: str, name: str | None = None):
		self.page.wait_for_function(
			"([dt, n]) => window.cur_frm && cur_frm.doctype === dt"
			" && (n ? cur_frm.doc.name === n && !cur_frm.is_dirty() : cur_frm.is_new())",
			arg=[doctype, name],
			timeout=30000,
		)

	def button(self, label: str, group: str | None = None):
		"""A form button, or one of a button group's entries."""
		page = self.page
		if group:
			page.locator(".page-head .inner-group-button", has_text=group).locator("button").first.click()
			page.locator(".page-head .inner-group-button .dropdown-item", has_text=label).first.click()
		else:
			page.locator(f".page-head .custom-actions button:text-is('{label}')").first.click()
		self.step(label)

	def workflow_action(self, label: str):
		page = self.page
		page.locator(".page-head .actions-btn-group > button").click()
		page.locator(".page-head .actions-btn-group .dropdown-item", has_text=label).first.click()
		self.step(label)

	def pick(self, fieldname: str, text: str, scope: str = ""):
		"""Type into a link field and pick the first match the search offers."""
		page = self.page
		field = page.locator(f"{scope} .frappe-control[data-fieldname='{fieldname}'] input").first
		field.click()
		field.fill("")
		field.type(text, delay=100)  # as a person types: each key asks the search
		option = page.locator(".awesomplete [role='option']:visible, .awesomplete li:visible")
		try:
			option.first.wait_for(timeout=30000)
		except Exception:
			self.shot(f"failed-pick-{fieldname}")
			raise
		option.first.click()
		self.step(f"pick {fieldname}")

	def save(self):
		self.page.keyboard.press("Control+s")
		self.page.wait_for_function(
			"window.cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty()", timeout=30000
		)
		self.step("save")

	def upload(self, button, path):
		"""A photo through Frappe's file uploader, opened by an attach button: choose it, upload it."""
		path.write_bytes(PNG)
		button.click()
		self.page.locator(".modal.show input[type='file']").set_input_files(str(path))
		self.page.locator(".modal.show .btn-modal-primary, .modal.show .btn-primary").last.click()

	def confirm(self):
		self.page.locator(".modal.show .btn-primary").last.click()
		self.step("confirm")


@pytest.fixture(scope="module")
def day():
	"""The ticket of the day and what the journeys left: removed at the end."""
	guest_limits.reset()
	yield DAY
	frappe.db.rollback()
	if DAY.get("ticket"):
		remove_ticket_and_money(DAY["ticket"])
	guest_limits.reset()


@pytest.fixture
def walk(browser, live_server, report, artifacts):
	walks = []

	def start(role: str, user: str, phone: bool = False, portal: bool = False):
		w = Walk(browser, live_server, report, artifacts, role, phone)
		walks.append(w)
		if portal:
			w.page.goto(f"{live_server}/login")
			w.page.fill("#login_email", user)
			w.page.fill("#login_password", PASSWORD)
			w.page.click(".btn-login")
			w.page.wait_for_url(re.compile(r".*/service-tickets$"), timeout=30000)
		else:
			login(w.page, live_server, user, PASSWORD)
		w.step("sign in")
		with contextlib.suppress(Exception):  # the workspace's cards and charts load after it
			w.page.wait_for_function("!document.body.innerText.includes('载入中')", timeout=20000)
			w.page.wait_for_timeout(1500)
		w.shot(f"landing-{ROLE_SLUGS[role]}")  # where the role lands
		return w

	yield start
	for w in walks:
		w.close()


def stored_ticket() -> frappe._dict:
	frappe.db.rollback()  # the server's commits
	return frappe.db.get_value(
		"Service Ticket",
		DAY["ticket"],
		[
			"workflow_state",
			"status",
			"assigned_technician",
			"charge_invoice",
			"charge_amount",
			"outstanding_amount",
		],
		as_dict=True,
	)


def test_the_agent_registers_a_phoned_in_fault_and_dispatches_it(day, walk):
	agent = walk("Service Agent", world.AGENT)
	page = agent.page
	page.wait_for_url(re.compile(r".*/app/after-sales$"), timeout=30000)  # their own workspace
	agent.open("/app/service-ticket/new", "new ticket")
	agent.wait_form("Service Ticket")
	page.evaluate(
		"""([customer, serial, subject]) => {
			cur_frm.set_value('customer', customer);
			cur_frm.set_value('subject', subject);
			cur_frm.set_value('ticket_type', 'Repair');
			cur_frm.set_value('serial_no', serial);
		}""",
		[world.CUSTOMER, world.SERIAL_OUT, SUBJECT],
	)
	page.wait_for_function("cur_frm.doc.warranty_status === 'Out of Warranty'", timeout=30000)
	agent.step("fill the form")
	agent.save()
	DAY["ticket"] = page.evaluate("cur_frm.doc.name")
	expect(page.locator(".page-head .indicator-pill:visible").last).to_contain_text("待审核")
	agent.workflow_action("审核通过")
	expect(page.locator(".page-head .indicator-pill:visible").last).to_contain_text("待派单", timeout=30000)
	agent.button("放入工单池", group="派单")  # for the qualified technicians to grab
	expect(page.locator(".page-head .indicator-pill:visible").last).to_contain_text("待接单", timeout=30000)
	agent.shot("agent-dispatched")
	ticket = stored_ticket()
	assert category_of(ticket.workflow_state) == "Awaiting Acceptance" and not ticket.assigned_technician
	assert frappe.db.get_value("Service Ticket", DAY["ticket"], "in_pool") == 1


def test_the_technician_grabs_from_the_pool_visits_and_files_the_return_slip(day, walk, tmp_path):
	tech = walk("Service Technician", world.TECH)
	page = tech.page
	page.wait_for_url(re.compile(r".*/app/after-sales$"), timeout=30000)
	tech.open("/app/service-ticket-pool", "the pool")  # 工单池: the jobs they may grab
	card = page.locator(".as-pool .frappe-card", has_text=DAY["ticket"])
	card.wait_for(timeout=30000)
	card.locator("button", has_text="抢单").click()
	page.wait_for_url(f"**/app/service-ticket/{DAY['ticket']}", timeout=30000)
	tech.step("grab")
	expect(page.locator(".page-head .indicator-pill:visible").last).to_contain_text("处理中", timeout=30000)
	assert stored_ticket().assigned_technician == world.TECH

	tech.open(f"/app/service-visit/new?ticket={DAY['ticket']}", "new visit")
	tech.wait_form("Service Visit")
	page.wait_for_function("cur_frm.doc.ticket", timeout=30000)
	page.evaluate(
		"""([part, warehouse]) => {
			cur_frm.set_value('scheduled_start', frappe.datetime.now_datetime());
			cur_frm.set_value('diagnosis', '外机风扇轴承磨损');
			cur_frm.set_value('solution', '<p>更换压缩机，试机正常</p>');
			cur_frm.set_value('labour_hours', 1);
			const row = cur_frm.add_child('parts');
			frappe.model.set_value(row.doctype, row.name, 'item_code', part);
			frappe.model.set_value(row.doctype, row.name, 'qty', 1);
			frappe.model.set_value(row.doctype, row.name, 'warehouse', warehouse);
		}""",
		[world.PART, stock_warehouse_name()],
	)
	page.wait_for_timeout(500)
	tech.step("fill the visit")
	# a photo of the work, taken before the visit is first saved
	photos = page.locator(".frappe-control[data-fieldname='photos']")
	photos.locator(".grid-add-row").click()
	photos.locator(".grid-body .grid-row").last.locator(".btn-open-row").click()
	button = page.locator(".grid-row-open .frappe-control[data-fieldname='photo'] button").first
	tech.upload(button, tmp_path / "现场照片.png")
	page.wait_for_function("(cur_frm.doc.photos || []).some((p) => p.photo)", timeout=30000)
	tech.step("add a photo")
	tech.save()
	DAY["visit"] = page.evaluate("cur_frm.doc.name")
	frappe.db.rollback()  # the server's commit
	assert frappe.db.get_value("Service Visit Photo", {"parent": DAY["visit"]}, "photo")
	rate = page.evaluate("cur_frm.doc.parts[0].rate")
	assert rate == world.PART_PRICE  # the customer's price list, as the invoice will bill it
	tech.button("签到")
	page.wait_for_function("cur_frm.doc.check_in", timeout=30000)
	tech.button("提交回单")
	tech.confirm()
	expect(page.get_by_text(f"工单 {DAY['ticket']} 现为")).to_be_visible(timeout=30000)
	tech.shot("technician-return-slip")
	ticket = stored_ticket()
	assert category_of(ticket.workflow_state) == "Awaiting Customer" and ticket.charge_invoice
	lines = frappe.get_all(
		"Sales Invoice Item", filters={"parent": ticket.charge_invoice, "item_code": world.PART}, pluck="rate"
	)
	assert [flt(r) for r in lines] == [rate]  # what the technician showed is what is billed


def test_the_customer_confirms_on_the_portal_and_sees_the_same_price(day, walk):
	customer = walk("Customer", world.PORTAL_USER, phone=True, portal=True)
	page = customer.page
	customer.open(f"/service-tickets/{DAY['ticket']}", "the ticket")
	page.click("#as-confirm")
	customer.step("confirm the resolution")
	expect(page.locator(".as-portal")).to_contain_text("待回款", timeout=30000)
	page.reload()
	customer.step("reload")
	expect(page.locator("#as-charges")).to_contain_text(f"{world.PART_PRICE:,.2f}")
	customer.shot("customer-confirmed")
	ticket = stored_ticket()
	assert category_of(ticket.workflow_state) == "Awaiting Payment"
	DAY["due"] = ticket.outstanding_amount
	expect(page.locator("#as-outstanding")).to_contain_text(f"{ticket.outstanding_amount:,.2f}")


def test_the_technician_records_the_collection_with_its_proof(day, walk, tmp_path):
	tech = walk("Service Technician", world.TECH)
	page = tech.page
	tech.open(f"/app/service-ticket/{DAY['ticket']}", "the ticket")
	tech.wait_form("Service Ticket", DAY["ticket"])
	tech.button("登记回款", group="费用")
	tech.wait_form("Service Payment")
	assert page.evaluate("cur_frm.doc.amount") == DAY["due"]
	cash = frappe.db.get_value("Mode of Payment", {"type": "Cash", "enabled": 1})
	tech.pick("mode_of_payment", cash[:1])  # 付款方式 offers the modes (it offered nothing)
	assert page.evaluate("cur_frm.doc.mode_of_payment")
	tech.upload(
		page.locator(".frappe-control[data-fieldname='proof'] button").first, tmp_path / "收款凭证.png"
	)
	page.wait_for_function("cur_frm.doc.proof", timeout=30000)
	tech.step("upload the proof before saving")
	tech.save()
	DAY["payment"] = page.evaluate("cur_frm.doc.name")
	tech.shot("technician-payment")
	frappe.db.rollback()
	payment = frappe.db.get_value(
		"Service Payment", DAY["payment"], ["status", "proof", "amount"], as_dict=True
	)
	assert payment.status == "Unconfirmed" and payment.proof and payment.amount == DAY["due"]
	assert category_of(stored_ticket().workflow_state) == "Payment Submitted"


def test_finance_confirms_the_collection(day, walk):
	finance = walk("Accounts User", world.FINANCE)
	page = finance.page
	finance.open("/app/service-payment", "payments to confirm")
	row = page.locator(".list-row-container", has_text=DAY["payment"])
	expect(row.locator(".indicator-pill").first).to_contain_text("未确认", timeout=30000)
	row.locator("a.list-subject, .list-subject a").first.click()
	finance.wait_form("Service Payment", DAY["payment"])
	finance.step("open the payment")
	finance.button("确认回款")
	finance.confirm()
	expect(page.locator(".page-head .indicator-pill:visible").last).to_contain_text("已确认", timeout=30000)
	finance.shot("finance-confirmed")
	frappe.db.rollback()
	payment = frappe.db.get_value(
		"Service Payment", DAY["payment"], ["status", "payment_entry"], as_dict=True
	)
	assert (
		payment.status == "Confirmed"
		and frappe.db.get_value("Payment Entry", payment.payment_entry, "docstatus") == 1
	)
	ticket = stored_ticket()
	assert ticket.outstanding_amount == 0 and category_of(ticket.workflow_state) in (
		"Awaiting Revisit",
		"Closed",
	)


def test_the_customer_answers_the_survey(day, walk):
	from aftersales_app.customer_care import surveys

	survey = frappe.get_all("Service Survey", filters={"service_ticket": DAY["ticket"]}, pluck="name")[0]
	# its time came: what the scheduler's job does an hour after the confirmation
	frappe.db.set_value("Service Survey", survey, "send_after", frappe.utils.add_days(None, -1))
	surveys.send(survey)
	frappe.db.commit()
	customer = walk("Customer", world.PORTAL_USER, phone=True, portal=True)
	page = customer.page
	customer.open(f"/service-tickets/{DAY['ticket']}", "the ticket")
	page.click("#as-survey-invite a")
	page.wait_for_url(re.compile(r".*/survey\?ticket=.*"), timeout=30000)
	customer.step("open the survey")
	for field, score in (("response_speed", 5), ("problem_solving", 5), ("attitude", 4)):
		page.check(f'input[name="{field}"][value="{score}"]')
	page.check('input[name="overall"][value="Satisfied"]')
	page.fill("#as-survey-recommend", "9")
	page.fill("#as-survey-comment", "师傅很专业")
	customer.step("answer")
	page.click("#as-survey-submit")
	expect(page.locator("#as-message")).to_contain_text("感谢", timeout=30000)
	customer.step("submit")
	customer.shot("customer-survey")
	frappe.db.rollback()
	assert frappe.db.get_value("Service Survey", survey, "status") == "Answered"


def test_a_guest_looks_the_ticket_up(day, walk, browser, live_server, report, artifacts):
	guest = Walk(browser, live_server, report, artifacts, "Guest", phone=True)
	try:
		page = guest.page
		guest.open("/ticket-lookup", "the lookup page")
		page.fill("#as-lookup-ticket", DAY["ticket"])
		page.fill("#as-lookup-phone", world.PHONE)
		page.click("#as-lookup-submit")
		expect(page.locator("#as-lookup-result")).to_be_visible(timeout=30000)
		guest.step("look up")
		expect(page.locator("#as-lookup-result")).to_contain_text(DAY["ticket"])
		guest.shot("guest-lookup")
	finally:
		guest.close()


def test_the_manager_adds_a_workflow_state_and_maps_it(day, walk):
	state = "旅程 等待配件"
	workflow = frappe.db.get_value("Workflow", {"document_type": "Service Ticket", "is_active": 1})
	manager = walk("After-Sales Manager", world.MANAGER)
	page = manager.page
	page.wait_for_url(re.compile(r".*/app/after-sales$"), timeout=30000)
	try:
		manager.open("/app/workflow-state/new", "new workflow state")
		manager.wait_form("Workflow State")
		page.evaluate(
			"(s) => { cur_frm.set_value('workflow_state_name', s); cur_frm.set_value('style', 'Warning'); }",
			state,
		)
		manager.save()
		manager.open(f"/app/workflow/{workflow}", "the ticket's workflow")
		manager.wait_form("Workflow", workflow)
		states = page.locator(".frappe-control[data-fieldname='states']")
		expect(states.locator(".grid-heading-row")).to_contain_text("状态")
		expect(states.locator(".grid-heading-row")).not_to_contain_text("州")
		page.evaluate(
			"""(s) => {
				const row = cur_frm.add_child('states');
				frappe.model.set_value(row.doctype, row.name, 'state', s);
				frappe.model.set_value(row.doctype, row.name, 'doc_status', '0');
				frappe.model.set_value(row.doctype, row.name, 'allow_edit', 'After-Sales Manager');
				cur_frm.refresh_field('states');
			}""",
			state,
		)
		manager.step("add the state")
		manager.save()
		manager.shot("manager-workflow")
		manager.open("/app/after-sales-settings", "After-Sales Settings")
		manager.wait_form("After-Sales Settings", "After-Sales Settings")
		page.evaluate(
			"""(s) => {
				const row = cur_frm.add_child('states');
				frappe.model.set_value(row.doctype, row.name, 'workflow_state', s);
				frappe.model.set_value(row.doctype, row.name, 'category', 'On Hold');
				cur_frm.refresh_field('states');
			}""",
			state,
		)
		manager.step("map it to a category")
		grid = page.locator(".frappe-control[data-fieldname='states']")
		expect(grid).to_contain_text("搁置")  # the category reads as the shipped state does
		manager.save()
		frappe.db.rollback()
		from aftersales_app.tickets.status import state_map

		frappe.cache.delete_value("aftersales_state_map")
		assert state in {row.state for row in frappe.get_doc("Workflow", workflow).states}
		assert frappe.db.get_value("After-Sales State", {"workflow_state": state}, "category") == "On Hold"
		assert state_map().get(state, frappe._dict()).get("category") in ("On Hold", None)
	finally:
		frappe.db.rollback()
		doc = frappe.get_doc("Workflow", workflow)
		doc.set("states", [row for row in doc.states if row.state != state])
		doc.save(ignore_permissions=True)
		settings = frappe.get_single("After-Sales Settings")
		settings.set("states", [row for row in settings.states if row.workflow_state != state])
		settings.save(ignore_permissions=True)
		if frappe.db.exists("Workflow State", state):
			frappe.delete_doc("Workflow State", state, force=True, ignore_permissions=True)
		frappe.db.commit()


def stock_warehouse_name() -> str:
	from aftersales_app.tests.utils import stock_warehouse

	return stock_warehouse()


def test_the_screens_of_the_day_are_in_the_readme():
	"""The README shows each role's landing page and each journey's last screen."""
	root = Path(__file__).resolve().parents[2]
	readme = (root / "README.md").read_text(encoding="utf-8")
	for name in SCREENS:
		path = f"docs/screenshots/journey-{name}.png"
		assert path in readme and (root / path).is_file(), path


ROLE_SLUGS = {
	"Service Agent": "agent",
	"Service Technician": "technician",
	"Customer": "customer",
	"Accounts User": "finance",
	"After-Sales Manager": "manager",
}
SCREENS = (
	*(f"landing-{slug}" for slug in ROLE_SLUGS.values()),
	"agent-dispatched",
	"technician-return-slip",
	"customer-confirmed",
	"technician-payment",
	"finance-confirmed",
	"customer-survey",
	"guest-lookup",
	"manager-workflow",
)


# --- the words of what people get besides screens: messages and the printed job sheet -----------


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def test_every_message_of_the_app_reads_chinese_on_a_chinese_site():
	"""The e-mail, SMS, desk and robot texts are the site's Notification records, installed in the
	site's language: outside their placeholders, no English word."""
	from aftersales_app.notifications.events import EVENTS

	methods = [event.method for event in EVENTS.values()]
	english = {}
	for row in frappe.get_all(
		"Notification",
		filters={"method": ("in", methods)},
		fields=["name", "subject", "message"],
	):
		for text in (row.name, row.subject or "", row.message or ""):
			plain = frappe.utils.strip_html(JINJA.sub(" ", text))
			if words := english_words(plain):
				english[row.name] = sorted(words)
	assert len(methods) >= 20
	assert not english, english


def test_the_printed_job_sheet_reads_chinese():
	from frappe.utils.print_utils import get_print

	from aftersales_app.tests.utils import as_user, make_ticket

	ticket = make_ticket(subject="派工单 用词", serial_no=world.SERIAL_IN, assigned_technician=world.TECH)
	lang = frappe.local.lang
	frappe.local.lang = "zh"
	try:
		html = as_user(world.AGENT, get_print, "Service Ticket", ticket.name, "Service Ticket Job Sheet")
	finally:
		frappe.local.lang = lang
	body = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.S)
	text = frappe.utils.strip_html(body)
	assert not english_words(text), sorted(english_words(text))


# --- every list and report of the app, as the manager sees it ------------------------------------


def typed_words() -> set[str]:
	"""Words people typed into records (names of customers, items, users, technicians, places,
	companies, subjects): data a list or report shows as it is, like a code."""
	sources = {
		"Customer": ["name", "customer_name"],
		"Item": ["name", "item_name", "item_group"],
		"User": ["name", "full_name", "first_name", "last_name"],
		"Service Technician": ["name", "technician_name"],
		"Territory": ["name"],
		"Company": ["name"],
		"Warehouse": ["name"],
		"Contact": ["name", "first_name", "last_name"],
		"Service Ticket": ["subject", "symptom", "resolution_summary"],
		"Help Article": ["title"],
		"Service Skill": ["name"],
		"Service Fault Type": ["name"],
	}
	words = set()
	for doctype, fields in sources.items():
		present = [f for f in fields if f == "name" or frappe.get_meta(doctype).has_field(f)]
		for row in frappe.get_all(doctype, fields=present, as_list=True):
			for value in row:
				words.update(WORD.findall(str(value or "")))
	return words


def app_screens() -> list[tuple[str, str]]:
	"""(what, path) of each list of the app's DocTypes and each of its reports the manager reads."""
	screens = []
	for doctype in frappe.get_all(
		"DocType", filters={"module": ("in", app_modules()), "istable": 0}, pluck="name", order_by="name"
	):
		if frappe.has_permission(doctype, "read", user=world.MANAGER):
			screens.append((doctype, f"/app/{frappe.scrub(doctype).replace('_', '-')}"))
	for name in frappe.get_all(
		"Report", filters={"module": ("in", app_modules()), "disabled": 0}, pluck="name", order_by="name"
	):
		if frappe.get_doc("Report", name).is_permitted():
			screens.append((name, f"/app/query-report/{name}"))
	return screens


def app_modules() -> list[str]:
	return frappe.get_all("Module Def", filters={"app_name": "aftersales_app"}, pluck="name")


# a list's rows or its "nothing here"; a report run: its table or its message, no longer loading
SHOWN = """() => {
	const shown = (selector) => [...document.querySelectorAll(selector)].some((el) => el.offsetParent);
	const route = (window.frappe && frappe.get_route && frappe.get_route()) || [];  // null while booting
	if (route[0] === "query-report") {
		const report = frappe.query_report;
		return report && report.$loading && !report.$loading.is(":visible")
			&& (shown(".report-wrapper .dt-scrollable") || (report.$message && report.$message.is(":visible")));
	}
	return shown(".frappe-list .result") || shown(".frappe-list .no-result") || shown(".form-layout");
}"""


def test_every_list_and_report_of_the_app_reads_chinese(walk):
	"""The manager opens each list of the app's DocTypes and each report: no error message, no
	English word outside the data people typed."""
	frappe.set_user(world.MANAGER)
	try:
		screens = app_screens()
	finally:
		frappe.set_user("Administrator")
	data = typed_words()
	manager = walk("After-Sales Manager", world.MANAGER)
	page = manager.page
	assert len(screens) > 30, screens
	met = {}
	for what, path in screens:
		page.goto(f"{manager.live}{path}")
		try:  # the rows, the report's table, or their "nothing here"
			page.wait_for_function(SHOWN, timeout=30000)
		except Exception:
			manager.shot(f"failed-{frappe.scrub(what)}")
			met[what] = ["did not show"]
			continue
		page.wait_for_load_state("networkidle")
		page.wait_for_timeout(300)
		manager.step(what)
		names = set()  # the records' own names (a log's hash name): data too
		if frappe.db.exists("DocType", what) and not frappe.get_meta(what).issingle:
			for name in frappe.get_all(what, pluck="name", limit=500, order_by="modified desc"):
				names.update(WORD.findall(name))
		if words := {w for w in manager.words if w not in data | names}:
			met[what] = sorted(words)
		manager.words = {}
	manager.shot("manager-lists")
	assert not met, "\n".join(f"{what}: {words}" for what, words in met.items())
