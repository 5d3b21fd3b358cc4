"""What the app's print formats need beyond Jinja: the job sheet's (派工单) QR code, which opens the
guest lookup with the ticket's number filled in (the customer still gives the phone on the
ticket, so the code reveals nothing by itself)."""

import base64
import io
from urllib.parse import quote

import pyqrcode

import frappe
from frappe.utils import get_url


def lookup_url(ticket: str) -> str:
	return get_url(f"/ticket-lookup?ticket={quote(ticket or '')}")


def lookup_qr_code(ticket: str) -> str:
	"""The QR code of the ticket's lookup link, as a PNG data URI for an <img> (wkhtmltopdf prints
	it without fetching anything)."""
	code = pyqrcode.create(lookup_url(ticket), error="M")
	buffer = io.BytesIO()
	code.png(buffer, scale=4, quiet_zone=2)
	return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
