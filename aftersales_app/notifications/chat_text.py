"""Customer and technician text inside a group robot's message is quoted as text: it cannot start a
line of its own (a forged "system notice" line), make a link (a markdown link, a bare URL), mention
anyone (`@all`, DingTalk's `@138…`, Feishu's `<at user_id="all">`, WeCom's `<@userid>`) or close
its quote.

The robots post the "text" message type of each platform; where a client still reads markup or
mentions in it, the characters that would start them are replaced by their full-width forms, URLs
lose their `://`, line breaks and invisible characters become one space, and each user value
stands in CJK corner brackets so that the reader sees where it begins and ends."""

# e.g. "坏了\n系统通知：[点我](http://x) @all" becomes "「坏了 系统通知：［点我］(http［:］//x) ＠all」"

import html
import re

import frappe

# the document fields whose values people type (and the names they chose): quoted
USER_TYPES = frozenset(
	{
		"Data",
		"Small Text",
		"Text",
		"Long Text",
		"Text Editor",
		"Markdown Editor",
		"HTML Editor",
		"Code",
		"Read Only",
		"Autocomplete",
		"Link",
		"Dynamic Link",
		"Phone",
	}
)
# context values the app computes (times, counts, amounts, names of its own documents): not quoted
SYSTEM_CONTEXT = frozenset(
	{
		"deadline",
		"expected",
		"percent",
		"hours",
		"resolution_by",
		"urges",
		"amount",
		"survey",
		"answer",
		"outcome",
		"step",
	}
)
LONGEST = 300

LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
# control and format characters: bidi overrides, zero-width joiners, BOM …
INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
SCHEME = re.compile(r":/+")
WWW = re.compile(r"(?i)www\.")
FULL_WIDTH = str.maketrans(
	{"[": "［", "]": "］", "<": "＜", ">": "＞", "@": "＠", "「": "『", "」": "』", "`": "｀"}
)


def neutralise(value) -> str:
	"""A value as inert text on one line: no markup, link, mention or line break of its own."""
	text = html.unescape(str(value))  # plain fields keep `&lt;` for a literal `<`
	text = LINE_BREAKS.sub(" ", text)
	text = INVISIBLE.sub("", text)
	text = text.translate(FULL_WIDTH)
	text = SCHEME.sub("［:］//", text)  # no client links "http［:］//…"
	text = WWW.sub("www［.］", text)
	text = re.sub(r" {2,}", " ", text).strip()
	if len(text) > LONGEST:
		text = text[: LONGEST - 1] + "…"
	return text


def quote(value) -> str:
	"""A user's value for a chat line: neutralised and in 「…」."""
	return f"「{neutralise(value)}」"


def chat_value(value, quoted: bool):
	if isinstance(value, str):
		return quote(value) if quoted and value else neutralise(value)
	return value


class QuotedDoc:
	"""The document as a robot's text template reads it: the values people type are quoted, every
	other string neutralised; numbers, dates and the document's own name as they are."""

	def __init__(self, doc):
		self._doc = doc

	def _quoted(self, fieldname: str) -> bool:
		if fieldname == "name":
			return False
		df = self._doc.meta.get_field(fieldname) if getattr(self._doc, "meta", None) else None
		return bool(df and df.fieldtype in USER_TYPES)

	def __getattr__(self, fieldname):
		value = getattr(self._doc, fieldname)
		if callable(value):
			return lambda *args, **kwargs: chat_value(value(*args, **kwargs), False)
		return chat_value(value, self._quoted(fieldname))

	def get(self, fieldname, default=None):
		value = self._doc.get(fieldname, default)
		return chat_value(value, isinstance(fieldname, str) and self._quoted(fieldname))

	def __getitem__(self, fieldname):
		return self.get(fieldname)

	def __str__(self):
		return neutralise(self._doc.name)


def robot_context(context: dict) -> dict:
	"""The template context for a robot's text: `doc` through QuotedDoc, other strings quoted
	unless the app computed them."""
	out = {}
	for key, value in context.items():
		if key == "doc" and isinstance(value, frappe.model.document.Document):
			out[key] = QuotedDoc(value)
		elif key in ("frappe", "nowdate", "frappe_utils") or not isinstance(value, str):
			out[key] = value
		else:
			out[key] = chat_value(value, key not in SYSTEM_CONTEXT)
	return out
