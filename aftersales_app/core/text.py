"""User text made inert before it is stored, and for the places that print it.

Frappe's own cleaning (`Document._sanitize_content`) passes any string that parses as JSON, so
`"<img src=x onerror=…>"` (quotes included) reaches the desk, which renders Small Text and Data as
HTML; and it passes markup that never closes (`<img src=x onerror=…` at the end of a value), which
no parser calls a tag until a renderer puts it in front of its own `>` (the report view's cells,
the print view). Here every text of the app's documents is cleaned whatever it looks like:
plain-text fields lose their markup, keep characters rather than entities, and keep no `<` that
could open a tag (it becomes the full-width less-than sign U+FF1C, which no renderer reads as markup, even one that
decodes entities first), HTML fields keep only harmless markup after a real HTML parse.
Long texts are refused with a clear message instead of filling the database.
"""

import html
import re

import bleach
from bs4 import BeautifulSoup

import frappe
from frappe import _
from frappe.utils import escape_html
from frappe.utils.html_utils import sanitize_html

PLAIN_TYPES = ("Data", "Small Text", "Text", "Long Text", "Read Only")
HTML_TYPES = ("Text Editor", "HTML Editor", "Markdown Editor")
# the longest text a field takes, unless the controller says otherwise
DEFAULT_LIMITS = {"Small Text": 2000, "Text": 10000, "Long Text": 20000, "Text Editor": 20000}


class TextTooLongError(frappe.ValidationError):
	pass


# a `<` that an HTML parser reads as the start of a tag, an end tag, a comment or a declaration
# (https://html.spec.whatwg.org/#tag-open-state); any other `<` is text to every parser
TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def has_markup(value: str) -> bool:
	return ("<" in value or ">" in value) and bool(BeautifulSoup(value, "html.parser").find())


# what a `<` that could open a tag becomes: the full-width less-than sign, text to every renderer
# however often it decodes entities (Frappe's kanban card runs html2text on a title, which turns
# `&lt;img …` back into a tag)
TAG_OPEN_TEXT = "\uff1c"


def clean_plain(value):
	"""Plain text without markup: tags are dropped (their text kept), entities are decoded to the
	characters they stand for, and a `<` left that could still open a tag (markup that never
	closes, `<svg/onload=…`, `</`, `<!--`, or any of these spelled as entities) becomes U+FF1C, so no
	renderer, not even one that decodes entities before it renders, finds a tag. Text whose `<`
	opens nothing is left as typed ("电压<5V", "a < b"). Cleaning twice changes nothing."""
	if not isinstance(value, str) or ("<" not in value and "&" not in value):
		return value
	if has_markup(value):
		value = bleach.clean(value, tags=[], attributes={}, strip=True, strip_comments=True)
	for _round in range(5):  # `&amp;lt;` decodes to `&lt;`, then to `<`
		decoded = html.unescape(value)
		if decoded == value:
			break
		value = decoded
	return TAG_OPEN.sub(TAG_OPEN_TEXT, value)


def clean_html(value):
	"""HTML with only harmless tags and attributes, JSON-looking strings included."""
	if not isinstance(value, str) or not value:
		return value
	return sanitize_html(value, always_sanitize=True)


def as_text(value) -> str:
	"""A plain-text field's value as text again, for outputs that escape it themselves (the portal's
	templates, JSON answers): plain fields hold HTML-safe text (clean_plain leaves `&lt;` for a
	literal `<`, as Frappe's own cleaning does), which escaping again would show as `&lt;`."""
	return html.unescape(value) if isinstance(value, str) else (value or "")


def escape(value) -> str:
	"""User text for an HTML context built in Python (comments, notification bodies): escaped
	once, whether it arrives raw or as a plain field's HTML-safe text."""
	return escape_html(as_text(value))


def clean_doc_text(doc, limits: dict[str, int] | None = None):
	"""Clean every text field of `doc` and its child rows in place; refuse over-long text."""
	for d in [doc, *doc.get_all_children()]:
		for df in d.meta.fields:
			value = d.get(df.fieldname)
			if not value or not isinstance(value, str) or df.get("options") == "Email":
				continue
			if df.fieldtype in ("Attach", "Attach Image"):
				check_file_url(value, _(df.label, context=d.doctype))
				continue
			if df.fieldtype in PLAIN_TYPES:
				d.set(df.fieldname, clean_plain(value))
			elif df.fieldtype in HTML_TYPES:
				d.set(df.fieldname, clean_html(value))
			else:
				continue
			limit = (limits or {}).get(df.fieldname) or DEFAULT_LIMITS.get(df.fieldtype)
			if limit and len(d.get(df.fieldname) or "") > limit:
				frappe.throw(
					_("{0} is too long: at most {1} characters, {2} given").format(
						_(df.label, context=d.doctype), limit, len(d.get(df.fieldname))
					),
					TextTooLongError,
				)


def check_file_url(value: str, label: str):
	"""An attachment is a file of the site or a web address, never a `javascript:` or `data:` link
	that the desk would open."""
	if not value.startswith(("/files/", "/private/files/", "http://", "https://")):
		frappe.throw(_("{0} must be an uploaded file or a web address").format(label))


def check_length(label: str, value: str | None, limit: int = 2000) -> str:
	"""A reason or note given to an action (not a field of a form): trimmed, plain, not too long."""
	value = clean_plain((value or "").strip()) if isinstance(value, str) else ""
	if len(value) > limit:
		frappe.throw(
			_("{0} is too long: at most {1} characters, {2} given").format(label, limit, len(value)),
			TextTooLongError,
		)
	return value


def trimmed(value) -> str:
	"""A customer's text, trimmed (anything but a string counts as nothing)."""
	return value.strip() if isinstance(value, str) else ""


def text_to_html(value: str) -> str:
	"""A customer's plain text as the ticket's Text Editor field keeps it, markup escaped."""
	paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
	return "".join(f"<p>{escape_html(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def clean_app_document(doc, method=None):
	"""doc_events "*" validate: the texts of a document of one of the app's DocTypes are cleaned on
	every save, by whatever path (REST, Data Import, the desk, the app's flows), also for DocTypes
	whose controller does not clean them itself (aftersales_app.core.app_fields does)."""
	if hasattr(doc, "guard_app_fields") or doc.get("parenttype"):
		return
	module_app = getattr(frappe.local, "module_app", None) or {}
	if module_app.get(frappe.scrub(doc.meta.module or "")) != "aftersales_app":
		return
	clean_doc_text(doc)


def site_language() -> str:
	"""The site's language (System Settings): what records the app makes for the site are named
	and written in."""
	return frappe.db.get_single_value("System Settings", "language") or "en"
