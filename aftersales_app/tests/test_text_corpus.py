"""Text is text wherever it is stored: the suite's attack corpus (tests/corpus.py) in every plain and
HTML field of every DocType of the app, child tables included, checked in each place a renderer of
Frappe's puts a stored value (a report view cell, a print view's table cell, a list title, a mail
paragraph) as a browser would parse it. The browser test (tests/test_xss_browser.py) opens the
views themselves."""

import frappe

from aftersales_app.conftest import REPORT
from aftersales_app.core.text import HTML_TYPES, PLAIN_TYPES, clean_doc_text, clean_plain
from aftersales_app.patches.v15_0 import clean_stored_user_text
from aftersales_app.tests import corpus
from aftersales_app.tests.utils import make_ticket


def text_fields(doctype: str) -> list:
	return [
		df
		for df in frappe.get_meta(doctype).fields
		if (df.fieldtype in PLAIN_TYPES or df.fieldtype in HTML_TYPES) and df.get("options") != "Email"
	]


def test_the_checker_sees_what_the_corpus_does_uncleaned():
	# the checks below can fail: raw, the corpus runs in the places a renderer puts it
	assert corpus.runs_where_shown(corpus.UNCLOSED[0])
	assert corpus.runs_where_shown(corpus.UNCLOSED[1])
	assert corpus.runs_where_shown(corpus.CLOSED[1])
	assert corpus.runs_where_shown(corpus.SPELLINGS[0])  # once a renderer decodes entities


def test_every_text_field_of_every_doctype_of_the_app_stores_the_corpus_inert():
	doctypes = clean_stored_user_text.app_doctypes()
	assert {"Service Ticket", "Service Visit Part", "Service Return Step", "Service Survey"} <= set(doctypes)
	checks, fields = 0, 0
	for doctype in doctypes:
		plain = text_fields(doctype)
		if not plain:
			continue
		fields += len(plain)
		for payload in [*corpus.ALL, corpus.PAYLOAD, corpus.PAYLOAD_SVG]:
			doc = frappe.new_doc(doctype)
			for df in plain:
				doc.set(df.fieldname, payload)
			clean_doc_text(doc, {df.fieldname: 100000 for df in plain})
			for df in plain:
				value = doc.get(df.fieldname) or ""
				plain_text = df.fieldtype in PLAIN_TYPES
				assert not corpus.runs_where_shown(value, plain_text), (doctype, df.fieldname, payload, value)
				checks += 1
	REPORT.append(
		f"text corpus: {len(corpus.ALL)} payloads x {fields} text fields of the app: {checks} checks"
	)


def test_text_without_markup_is_kept_as_typed_and_cleaning_twice_changes_nothing():
	for value in ("电压<5V & 电流>2A", "a < b", '温度 < 10 & "不启动"', "型号 A1 > A0"):
		assert clean_plain(value) == value
	for payload in corpus.ALL:
		once = clean_plain(payload)
		assert clean_plain(once) == once, payload
	# markup that never closes is kept as text, not dropped
	assert clean_plain("漏水 <img src=x onerror=a") == "漏水 ＜img src=x onerror=a"


def test_a_doctype_whose_controller_does_not_clean_is_cleaned_on_every_save():
	# Service Fault Type has no guarded fields: the app's "*" validate hook cleans it
	name = "测试故障 " + frappe.generate_hash(length=6)
	doc = frappe.get_doc(
		{"doctype": "Service Fault Type", "fault_name": name, "description": "压缩机 " + corpus.UNCLOSED[0]}
	).insert()
	stored = frappe.db.get_value("Service Fault Type", doc.name, "description")
	assert stored == "压缩机 ＜img src=x onerror=window.__xss=1"
	doc.description = "滤网 " + corpus.UNCLOSED[1]
	doc.save()
	assert not corpus.runs_where_shown(frappe.db.get_value("Service Fault Type", doc.name, "description"))


def test_the_patch_cleans_text_stored_before():
	ticket = make_ticket(subject="补丁测试")
	table = frappe.qb.DocType("Service Ticket")
	frappe.qb.update(table).set(table.diagnosis, "旧记录 " + corpus.UNCLOSED[0]).where(
		table.name == ticket.name
	).run()
	modified = frappe.db.get_value("Service Ticket", ticket.name, "modified")
	clean_stored_user_text.execute()
	diagnosis, after = frappe.db.get_value("Service Ticket", ticket.name, ["diagnosis", "modified"])
	assert diagnosis == "旧记录 ＜img src=x onerror=window.__xss=1"
	assert after == modified
	clean_stored_user_text.execute()  # twice changes nothing
	assert frappe.db.get_value("Service Ticket", ticket.name, "diagnosis") == diagnosis
