"""Every way a ticket comes in, end to end on the real site: concurrent desk inserts, the REST
API over HTTP, Frappe's Data Import and an incoming e-mail. These tests commit (other processes
must see their data) and delete what they made."""

import csv
import io
import multiprocessing
import re
import time
from pathlib import Path

import pytest
import requests

import frappe
from frappe.utils import getdate

from aftersales_app.tests import world
from aftersales_app.tests.utils import site_paths

SITE, SITES_PATH = site_paths()

TEMPLATE = Path(
	frappe.get_app_path("aftersales_app", "public", "templates", "service_ticket_import_template.csv")
)


def delete_tickets(filters):
	for name in frappe.get_all("Service Ticket", filters=filters, pluck="name"):
		frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_numbers_stay_unique_under_concurrent_inserts():
	from aftersales_app.tests.workers import insert_tickets

	workers, per_worker = 4, 10
	start_at = time.time() + 3
	ctx = multiprocessing.get_context("spawn")
	try:
		with ctx.Pool(workers) as pool:
			results = pool.starmap(
				insert_tickets, [(SITE, str(SITES_PATH), per_worker, start_at)] * workers, chunksize=1
			)
		names = [n for batch in results for n in batch]
		frappe.db.rollback()  # end this connection's snapshot to see the workers' commits
		assert len(names) == workers * per_worker
		assert len(set(names)) == len(names)
		today = getdate().strftime("%Y%m%d")
		assert all(re.fullmatch(rf"ST-{today}-\d{{4}}", n) for n in names)
		assert frappe.db.count("Service Ticket", {"name": ("in", names)}) == len(names)
	finally:
		delete_tickets({"subject": ("like", "并发测试%")})


@pytest.fixture
def agent_api_headers(api_headers):
	return api_headers(world.AGENT)


def test_rest_api_creates_a_ticket_with_channel_api(live_server, agent_api_headers):
	url = live_server.replace(SITE, "127.0.0.1") + "/api/resource/Service Ticket"
	try:
		response = requests.post(
			url,
			json={
				"subject": "接口报修",
				"customer": world.PERSON,
				"ticket_type": "Repair",
				"serial_no": world.SERIAL_PURIFIER,
			},
			headers=agent_api_headers,
			timeout=60,
		)
		assert response.status_code == 200, response.text
		data = response.json()["data"]
		assert data["channel"] == "API"
		assert data["warranty_status"] == "Under Warranty"
		assert data["contact_phone"] == world.PHONE_PERSON
		assert data["owner"] == world.AGENT
	finally:
		delete_tickets({"subject": "接口报修"})


def test_rest_api_refuses_bad_input_with_a_clear_message_and_writes_nothing(live_server, agent_api_headers):
	url = live_server.replace(SITE, "127.0.0.1") + "/api/resource/Service Ticket"
	headers = {**agent_api_headers, "Accept-Language": "zh"}
	response = requests.post(
		url,
		json={
			"subject": "错误序列号",
			"customer": world.PERSON,
			"ticket_type": "Repair",
			"serial_no": world.SERIAL_IN,
		},
		headers=headers,
		timeout=60,
	)
	assert response.status_code == 417
	body = response.json()
	assert body["exc_type"] == "SerialNoCustomerMismatchError"
	message = frappe.parse_json(frappe.parse_json(body["_server_messages"])[0])["message"]
	assert world.SERIAL_IN in message and world.CUSTOMER in message
	assert "属于客户" in message  # the agent's language is Chinese
	frappe.db.rollback()
	assert not frappe.db.exists("Service Ticket", {"subject": "错误序列号"})


def make_import_file(rows: list[dict]) -> str:
	header = next(csv.reader(TEMPLATE.open(encoding="utf-8")))
	buffer = io.StringIO()
	writer = csv.DictWriter(buffer, fieldnames=header)
	writer.writeheader()
	writer.writerows(rows)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"service-tickets-{frappe.generate_hash(length=6)}.csv",
			"content": buffer.getvalue().encode("utf-8"),
			"is_private": 1,
		}
	).insert(ignore_permissions=True)
	return file.file_url


def run_import(file_url: str):
	data_import = frappe.get_doc(
		{
			"doctype": "Data Import",
			"reference_doctype": "Service Ticket",
			"import_type": "Insert New Records",
			"import_file": file_url,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	data_import.start_import()  # runs at once in tests, as in developer mode
	return frappe.get_doc("Data Import", data_import.name)


@pytest.mark.demo
def test_shipped_template_imports_cleanly():
	"""The shipped template's sample rows name the demo's customers and serial numbers: it imports
	cleanly on a site with the demo (marked `demo`, so it runs after the rest of the suite)."""
	from aftersales_app.demo import data as demo

	demo.load()
	rows = list(csv.DictReader(TEMPLATE.open(encoding="utf-8")))
	try:
		data_import = run_import(make_import_file(rows))
		assert data_import.status == "Success", frappe.get_all(
			"Data Import Log", filters={"data_import": data_import.name}, fields=["messages", "exception"]
		)
		tickets = frappe.get_all(
			"Service Ticket",
			filters={"subject": ("in", [r["Subject"] for r in rows])},
			fields=["channel", "warranty_status", "customer"],
		)
		assert len(tickets) == len(rows)
		assert {t.channel for t in tickets} == {"Phone", "WeChat", "Import"}
	finally:
		delete_tickets({"subject": ("in", [r["Subject"] for r in rows])})


def test_import_of_100_rows_with_3_bad_ones_imports_97_and_reports_the_3():
	frappe.db.delete("Service Ticket", {"subject": ("like", "批量导入 %")})
	rows = [
		{
			"Subject": f"批量导入 {i:03d}",
			"Customer": world.CUSTOMER,
			"Ticket Type": "Repair",
			"Channel": "Phone",
			"Serial No": world.SERIAL_IN if i % 2 else "",
			"Item": "" if i % 2 else world.PRODUCT,
			"Phone": world.PHONE,
			"Purchase Date": "",
			"Problem Description": "批量导入测试",
		}
		for i in range(100)
	]
	# Rows Frappe can only refuse when it inserts them (a value that does not exist at all, such as
	# an unknown customer, stops the whole import at the preview instead, as it should).
	rows[10]["Subject"] = ""
	rows[50]["Serial No"] = world.SERIAL_AMC  # belongs to world.CUSTOMER_B
	rows[90]["Purchase Date"] = "2099-01-01"
	try:
		data_import = run_import(make_import_file(rows))
		frappe.db.rollback()
		assert data_import.reload().status == "Partial Success"
		assert frappe.db.count("Service Ticket", {"subject": ("like", "批量导入 %")}) == 97
		failures = frappe.get_all(
			"Data Import Log",
			filters={"data_import": data_import.name, "success": 0},
			fields=["row_indexes", "messages"],
			order_by="log_index",
		)
		assert len(failures) == 3
		assert [frappe.parse_json(f.row_indexes) for f in failures] == [[12], [52], [92]]
		reasons = [frappe.parse_json(f.messages) for f in failures]
		assert "Subject" in str(reasons[0]) or "主题" in str(reasons[0])
		assert world.CUSTOMER_B in str(reasons[1])
		assert "2099" in str(reasons[2]) or "future" in str(reasons[2]) or "将来" in str(reasons[2])
	finally:
		delete_tickets({"subject": ("like", "批量导入 %")})


RAW_EMAIL = """From: =?utf-8?b?546L5Lyf?= <{sender}>
To: service@aftersales.example.com
Subject: =?utf-8?b?{subject}?=
Message-ID: <{message_id}@aftersales.example.com>
Date: Mon, 23 Nov 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

办公室的空调一直在漏水,请尽快派人来看看。
"""


@pytest.fixture
def service_inbox():
	name = "After-Sales Inbox"
	if not frappe.db.exists("Email Account", name):
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": name,
				"email_id": "service@aftersales.example.com",
				"enable_incoming": 0,
				"enable_outgoing": 0,
				"append_to": "Service Ticket",
			}
		).insert(ignore_permissions=True)
	return frappe.get_doc("Email Account", name)


def receive(account, sender: str, subject: str):
	import base64

	from frappe.email.receive import InboundMail

	raw = RAW_EMAIL.format(
		sender=sender,
		subject=base64.b64encode(subject.encode()).decode(),
		message_id=frappe.generate_hash(length=12),
	)
	communication = InboundMail(raw.encode(), account, append_to="Service Ticket").process()
	assert communication.reference_doctype == "Service Ticket"
	return frappe.get_doc("Service Ticket", communication.reference_name)


def test_email_from_a_known_contact_opens_a_ticket_for_its_customer(service_inbox):
	ticket = receive(service_inbox, world.PORTAL_USER, "空调漏水")
	assert ticket.channel == "Email"
	assert ticket.subject == "空调漏水"
	assert ticket.customer == world.CUSTOMER
	assert ticket.contact == frappe.db.get_value("Contact", {"email_id": world.PORTAL_USER})
	assert ticket.contact_phone == world.PHONE
	assert "漏水" in ticket.description


def test_email_from_a_stranger_opens_a_ticket_for_an_agent_to_complete(service_inbox):
	ticket = receive(service_inbox, "stranger@example.net", "咨询保修")
	assert ticket.channel == "Email"
	assert ticket.raised_by == "stranger@example.net"
	assert not ticket.customer
