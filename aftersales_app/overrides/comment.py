"""Comments and communications on the app's documents hold inert HTML whoever writes them.

Frappe cleans a comment's or an e-mail's content on save, but passes any string that parses as
JSON (`"<img src=x onerror=…>"`, quotes included), and the desk's timeline renders the content as
HTML. Anyone who may read a ticket may comment on it (frappe.desk.form.utils.add_comment), and
mail to a ticket is a stranger's text: both are cleaned as the app cleans its own HTML fields."""

from aftersales_app.core.permissions import TICKET_DOCTYPES
from aftersales_app.core.text import clean_html


def clean_content(doc, method=None):
	"""Comment / Communication validate: the content of one on an app document, cleaned."""
	if doc.get("reference_doctype") in TICKET_DOCTYPES and doc.get("content"):
		doc.content = clean_html(doc.content)
