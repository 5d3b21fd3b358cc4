"""One Frappe module per domain (modules.txt): each holds its DocTypes, reports, pages, print
formats and a workspace under After-Sales; the desk's sidebar shows each role the domains it
works in, in Chinese and English, and a Module Profile that blocks a domain hides it. The patch
that moved existing sites off the scaffold's one module ("Aftersales App") is tried on a site
put back in that shape."""

import json
from pathlib import Path

from playwright.sync_api import expect

import frappe
from frappe.desk.desktop import get_workspace_sidebar_items

from aftersales_app.patches.v15_0 import lay_out_modules_by_domain
from aftersales_app.tests import world
from aftersales_app.tests.utils import login

APP = "aftersales_app"
OVERVIEW = "After-Sales"
DOMAINS = {  # the workspace of each module but Tickets (whose workspace is the overview itself)
	"Field Service": "Field Service",
	"Billing": "Charges and Payments",
	"Returns": "Returns and Exchanges",
	"Customer Care": "Customer Care",
	"Knowledge": "Knowledge Base",
	"Notifications": "Notifications",
}
SIDEBAR = {
	world.MANAGER: set(DOMAINS.values()),
	world.AGENT: set(DOMAINS.values()) - {"Notifications"},
	world.TECH: {"Field Service", "Charges and Payments", "Returns and Exchanges"},
	world.FINANCE: {"Charges and Payments", "Returns and Exchanges"},
}
CHINESE = {
	OVERVIEW: "售后服务",
	"Field Service": "现场服务",
	"Charges and Payments": "收费与回款",
	"Returns and Exchanges": "退换货",
	"Customer Care": "客户关怀",
	"Knowledge Base": "知识库",
	"Notifications": "通知",
}
BLOCKED_USER = "no.returns@aftersales-tests.example.com"


def shipped_documents():
	"""(module, path, data) of every JSON document the app ships in a module's folder."""
	for module in frappe.get_module_list(APP):
		for path in sorted(Path(frappe.get_module_path(module)).glob("*/*/*.json")):
			data = json.loads(path.read_text(encoding="utf-8"))
			if isinstance(data, dict) and data.get("doctype") and data.get("module"):
				yield module, path, data


def sidebar(user: str) -> dict:
	frappe.set_user(user)
	try:
		return {p.name: p for p in get_workspace_sidebar_items()["pages"]}
	finally:
		frappe.set_user("Administrator")


def test_every_document_the_app_ships_sits_in_its_domains_module():
	modules = frappe.get_module_list(APP)
	assert modules == ["Tickets", *DOMAINS]
	package = Path(frappe.get_app_path(APP))
	kinds, seen = set(), 0
	for module, path, data in shipped_documents():
		assert Path(frappe.get_module_path(module)).parent == package
		assert data["module"] == module, path
		assert frappe.db.get_value(data["doctype"], data["name"], "module") == module, path
		kinds.add(data["doctype"])
		seen += 1
	assert seen > 60
	assert {"DocType", "Report", "Page", "Print Format", "Workspace", "Number Card"} <= kinds
	for module in modules:
		assert frappe.db.get_value("Module Def", module, "app_name") == APP
	assert not (package / "aftersales_app").exists()
	assert not frappe.db.exists("Module Def", "Aftersales App")
	for module, workspace in DOMAINS.items():
		doc = frappe.get_doc("Workspace", workspace)
		assert doc.module == module and doc.parent_page == OVERVIEW and doc.public
	assert frappe.db.get_value("Workspace", OVERVIEW, "module") == "Tickets"


def test_each_role_sees_the_domains_it_works_in_under_after_sales():
	for user, expected in SIDEBAR.items():
		pages = sidebar(user)
		assert OVERVIEW in pages, user
		assert {name for name, page in pages.items() if page.parent_page == OVERVIEW} == expected, user
	assert OVERVIEW not in sidebar(world.PORTAL_USER)


def ensure_blocked_user() -> str:
	if not frappe.db.exists("Module Profile", "No Returns"):
		frappe.get_doc(
			{
				"doctype": "Module Profile",
				"module_profile_name": "No Returns",
				"block_modules": [{"module": "Returns"}],
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("User", BLOCKED_USER):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": BLOCKED_USER,
				"first_name": "No Returns",
				"send_welcome_email": 0,
				"module_profile": "No Returns",
				"roles": [{"role": "Service Agent"}],
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	return BLOCKED_USER


def test_a_module_profile_blocking_a_domain_hides_it_and_nothing_on_the_overview_leads_there():
	user = ensure_blocked_user()
	assert [d.module for d in frappe.get_doc("User", user).block_modules] == ["Returns"]
	pages = sidebar(user)
	assert "Returns and Exchanges" not in pages
	assert {OVERVIEW, "Customer Care", "Field Service"} <= set(pages)
	assert "Returns and Exchanges" in sidebar(world.AGENT)
	# the overview links each domain's workspace, not its DocTypes: a blocked domain is gone whole
	overview = {link.link_to for link in frappe.get_doc("Workspace", OVERVIEW).links if link.type == "Link"}
	for module in DOMAINS:
		assert not overview & set(frappe.get_all("DocType", {"module": module}, pluck="name")), module


def test_the_patch_moves_a_site_off_the_scaffolds_module():
	"""The site put back as the previous release left it: one Module Def "Aftersales App" holding
	a shipped report and number card, an admin's own report, and a user and a Module Profile that
	blocked it. The patch moves each to its domain (the admin's to Tickets) and blocks every domain
	where the old module was blocked."""
	old = lay_out_modules_by_domain.OLD
	ensure_blocked_user()
	frappe.db.savepoint("scaffold")
	try:
		frappe.get_doc({"doctype": "Module Def", "module_name": old, "app_name": APP}).db_insert()
		frappe.db.set_value("Report", "Returns and Exchanges", "module", old, update_modified=False)
		frappe.db.set_value("Number Card", "Open Service Tickets", "module", old, update_modified=False)
		own = frappe.get_doc(
			{
				"doctype": "Report",
				"report_name": "Admin's Ticket Count",
				"ref_doctype": "Service Ticket",
				"report_type": "Report Builder",
				"is_standard": "No",
				"module": "Tickets",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Report", own.name, "module", old, update_modified=False)
		profile = frappe.get_doc(
			{
				"doctype": "Module Profile",
				"module_profile_name": "Old Blocks",
				"block_modules": [{"module": "Knowledge"}],
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Block Module", {"parent": profile.name}, "module", old)
		frappe.get_doc(
			{
				"doctype": "Block Module",
				"module": old,
				"parent": BLOCKED_USER,
				"parenttype": "User",
				"parentfield": "block_modules",
				"idx": 2,
			}
		).db_insert()

		lay_out_modules_by_domain.execute()

		assert frappe.db.get_value("Report", "Returns and Exchanges", "module") == "Returns"
		assert frappe.db.get_value("Number Card", "Open Service Tickets", "module") == "Tickets"
		assert frappe.db.get_value("Report", own.name, "module") == "Tickets"
		modules = set(frappe.get_module_list(APP))
		assert set(frappe.get_all("Block Module", {"parent": profile.name}, pluck="module")) == modules
		assert set(frappe.get_all("Block Module", {"parent": BLOCKED_USER}, pluck="module")) == modules
		assert not frappe.db.exists("Module Def", old)
		assert not frappe.db.exists("Block Module", {"module": old})
		lay_out_modules_by_domain.execute()  # a second run changes nothing
		assert frappe.db.get_value("Report", "Returns and Exchanges", "module") == "Returns"
	finally:
		frappe.db.rollback(save_point="scaffold")
		frappe.clear_cache()


def test_the_sidebar_names_the_domains_in_chinese_and_english(live_server, browser, artifacts):
	world.build()  # commits: the server runs in other processes
	before = frappe.db.get_value("User", world.MANAGER, "language")
	english = {name: name for name in CHINESE} | {"Service Return": "Service Return"}
	for language, names in (("zh", CHINESE | {"Service Return": "退换货单"}), ("en", english)):
		frappe.db.set_value("User", world.MANAGER, "language", language)
		frappe.db.commit()
		frappe.clear_cache(user=world.MANAGER)
		context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
		page = context.new_page()
		try:
			login(page, live_server, world.MANAGER, "aftersales")
			page.goto(f"{live_server}/app/after-sales")
			page.wait_for_selector('.standard-sidebar-item a[href="/app/after-sales"]', timeout=30000)
			page.wait_for_selector(
				'.standard-sidebar-item a[href="/app/customer-care"]', state="attached", timeout=30000
			)
			labels = page.evaluate(
				"""() => Object.fromEntries([...document.querySelectorAll('.sidebar-item-container[item-name]')]
					.map(el => [el.getAttribute('item-name'),
						(el.querySelector('.sidebar-item-label') || el).textContent.trim()]))"""
			)
			for name in CHINESE:
				label = names[name]
				assert labels.get(name) == label, (language, name, labels.get(name))
			page.goto(f"{live_server}/app/returns-and-exchanges")
			cards = page.locator(".widget.links-widget-box")
			expect(cards.first).to_contain_text(names["Service Return"], timeout=30000)
			page.screenshot(path=str(artifacts / f"desk-returns-workspace-{language}.png"), full_page=True)
		finally:
			context.close()
			frappe.db.set_value("User", world.MANAGER, "language", before)
			frappe.db.commit()
			frappe.clear_cache(user=world.MANAGER)
