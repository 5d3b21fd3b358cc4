"""The job sheet (派工单) print format: the ticket, customer, item, serial, problem and technician,
signature boxes and a QR code that opens the guest lookup for the ticket; hostile text printed
inert; Chinese rendered in the PDF; a technician prints their own ticket's sheet, not another's."""

import base64
import io
import shutil
import subprocess

import png
import pytest

import frappe
from frappe.utils.print_utils import get_print

from aftersales_app.field_service import printing
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, make_ticket

FORMAT = "Service Ticket Job Sheet"


def sheet(ticket: str, user: str, **kwargs):
	return as_user(user, get_print, "Service Ticket", ticket, FORMAT, **kwargs)


def in_chinese(fn, *args, **kwargs):
	"""As a reader whose language is Chinese (the print follows the reader's language)."""
	lang = frappe.local.lang
	frappe.local.lang = "zh"
	try:
		return fn(*args, **kwargs)
	finally:
		frappe.local.lang = lang


def test_the_job_sheet_shows_the_ticket_and_a_qr_code_of_its_lookup():
	ticket = make_ticket(
		subject="空调不制冷 <script>window.__xss=1</script>",
		serial_no=world.SERIAL_IN,
		assigned_technician=world.TECH,
	)
	html = in_chinese(sheet, ticket.name, world.AGENT)
	assert "派工单" in html and ticket.name in html
	assert frappe.db.get_value("Customer", world.CUSTOMER, "customer_name") in html
	assert world.SERIAL_IN in html
	technician_name = frappe.db.get_value("Service Technician", {"user": world.TECH}, "technician_name")
	assert technician_name in html
	# the app stored the subject's markup as inert text; the sheet prints that text
	assert "<script>window.__xss" not in html and "window.__xss=1" in html
	# the QR code is a PNG of the lookup link with the ticket's number
	assert printing.lookup_url(ticket.name).endswith(f"/ticket-lookup?ticket={ticket.name}")
	data_uri = printing.lookup_qr_code(ticket.name)
	assert data_uri in html
	width, height, _rows, _info = png.Reader(bytes=base64.b64decode(data_uri.split(",", 1)[1])).read()
	assert width == height and width > 100
	import pyqrcode

	assert (
		pyqrcode.create(printing.lookup_url(ticket.name), error="M").data
		== printing.lookup_url(ticket.name).encode()
	)


def test_a_technician_prints_their_own_tickets_sheet_only():
	own = make_ticket(assigned_technician=world.TECH)
	other = make_ticket(assigned_technician=world.TECH_B)
	assert own.name in sheet(own.name, world.TECH)
	with pytest.raises(frappe.PermissionError):
		sheet(other.name, world.TECH)


def test_the_pdf_renders_chinese(artifacts, live_server, monkeypatch):
	ticket = make_ticket(
		subject="燃气热水器打不着火", serial_no=world.SERIAL_IN, assigned_technician=world.TECH
	)
	# wkhtmltopdf fetches the print's styles from the site's address: the test server's here (it
	# serves the test site whatever the host; wkhtmltopdf cannot resolve *.localhost names)
	monkeypatch.setitem(frappe.local.conf, "host_name", live_server.replace(frappe.local.site, "127.0.0.1"))
	pdf = in_chinese(sheet, ticket.name, world.AGENT, as_pdf=True)
	assert pdf.startswith(b"%PDF")
	# a CJK font is embedded (Chinese would be blank boxes without one)
	assert b"CJK" in pdf or b"WenQuanYi" in pdf or b"Noto" in pdf
	if shutil.which("pdftoppm"):
		(artifacts / "job-sheet.pdf").write_bytes(pdf)
		subprocess.run(
			[
				"pdftoppm",
				"-png",
				"-r",
				"80",
				"-singlefile",
				str(artifacts / "job-sheet.pdf"),
				str(artifacts / "job-sheet"),
			],
			check=True,
		)
		assert (artifacts / "job-sheet.png").stat().st_size > 10000
	assert io.BytesIO(pdf).getbuffer().nbytes > 1000


def test_html_stored_past_the_cleaning_prints_inert():
	"""A description written straight to the table (as a mail's body is, after its own cleaning) is
	cleaned again when the sheet prints it."""
	ticket = make_ticket(assigned_technician=world.TECH)
	frappe.db.set_value(
		"Service Ticket",
		ticket.name,
		"description",
		'<p>漏水</p><script>window.__xss=2</script><img src=x onerror="window.__xss=3">',
		update_modified=False,
	)
	html = sheet(ticket.name, world.AGENT)
	assert "漏水" in html
	assert "<script>window.__xss=2" not in html and "onerror" not in html  # inert text at most


def test_the_technician_reads_the_same_on_paper_and_on_the_portal():
	"""The technician record's name (what the office calls them, 周师傅) on the job sheet and on
	the customer's ticket page alike; the user's full name only where the record has none."""
	from aftersales_app.api.portal import get_ticket

	technician = frappe.db.get_value("Service Technician", {"user": world.TECH})
	before = frappe.db.get_value("Service Technician", technician, "technician_name")
	ticket = make_ticket(customer=world.CUSTOMER, assigned_technician=world.TECH)
	try:
		frappe.db.set_value("Service Technician", technician, "technician_name", "纸上周师傅")
		assert frappe.utils.get_fullname(world.TECH) != "纸上周师傅"
		assert "纸上周师傅" in in_chinese(sheet, ticket.name, world.AGENT)
		assert as_user(world.PORTAL_USER, get_ticket, ticket.name)["technician"] == "纸上周师傅"
		frappe.db.set_value("Service Technician", technician, "technician_name", "")
		portal = as_user(world.PORTAL_USER, get_ticket, ticket.name)["technician"]
		assert portal == frappe.utils.get_fullname(world.TECH)
		assert portal in in_chinese(sheet, ticket.name, world.AGENT)
	finally:
		frappe.db.set_value("Service Technician", technician, "technician_name", before)
