"""Pages whose address carries a one-time token (/survey, /check-up): the browser must not pass
the address on. They answer with `Referrer-Policy: no-referrer` (and say so in a meta tag too), so
neither a link the page leads to, nor an image or script it loads, learns the token from the
Referer header. Frappe v15 lets a www page set no response header of its own: the page marks the
request (`no_referrer`) and the app's after_request hook sets the header."""

import frappe

FLAG = "aftersales_no_referrer"


def no_referrer():
	"""Called by a token page's get_context: this answer sends no Referer onwards."""
	frappe.flags[FLAG] = True


def after_request(response, request):
	"""after_request hook: the header on the answers of the pages that asked for it."""
	if frappe.flags.get(FLAG):
		response.headers["Referrer-Policy"] = "no-referrer"
