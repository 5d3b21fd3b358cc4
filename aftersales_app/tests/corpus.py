"""The suite's attack corpus: text that tries to become markup, in every spelling found so far.
Tests write it into the app's fields by each role's own paths and open every view that shows it
(tests/test_text_corpus.py, tests/test_xss_browser.py). Grow it with every finding.

Each payload, if it ever ran, would set `window.__xss`; the checks look for that marker."""

from bs4 import BeautifulSoup

# markup that closes: tags, handlers, script, links, SVG, JSON-quoted (Frappe's cleaner passes
# strings that parse as JSON), template syntax
CLOSED = [
	"<script>window.__xss=1</script>",
	"<img src=x onerror=window.__xss=1>",
	'"<img src=x onerror=window.__xss=1>"',
	'<a href="javascript:window.__xss=1">点我</a>',
	"<svg onload=window.__xss=1></svg>",
	'"><script>window.__xss=1</script>',
	"{{ frappe.session.user }} {% if 1 %}jinja{% endif %}",
	"空调 🔥 <b onmouseover=window.__xss=1>维修</b> <iframe src=javascript:window.__xss=1></iframe>",
	"<!--><img src=x onerror=window.__xss=1>-->",
	"<scr<script>ipt>window.__xss=1</scr</script>ipt>",
	"<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
]
# markup that never closes: harmless alone, it becomes a tag in front of a renderer's own `>`
# (a report view cell's `</div>`, a print view's `</td>`) — it must stand at the end of a value
UNCLOSED = [
	"<img src=x onerror=window.__xss=1",
	"<svg/onload=window.__xss=1",
	"</div><img src=x onerror=window.__xss=1 ",
	"<details open ontoggle=window.__xss=1",
	"<a href=javascript:window.__xss=1",
	"<img src=x onerror=window.__xss=1//",
	"<IMG SRC=x OnErRoR=window.__xss=1",
	"<img\tsrc=x\nonerror=window.__xss=1",
	"<img/src=x/onerror=window.__xss=1",
	'"<img src=x onerror=window.__xss=1"',
	"<!--",
]
# other spellings: entities, full-width and invisible characters, percent-encoding
SPELLINGS = [
	"&lt;img src=x onerror=window.__xss=1&gt;",
	"&#60;img src=x onerror=window.__xss=1&#62;",
	"＜img src=x onerror=window.__xss=1＞",
	"<img src=x onerror=window.__xss=1\u200b>",
	"<\u200bimg src=x onerror=window.__xss=1>",
	"%3Cimg src=x onerror=window.__xss=1%3E",
	"电压<5V & 电流>2A",
]
ALL = CLOSED + UNCLOSED + SPELLINGS
# one value that carries everything and ends in markup that never closes
PAYLOAD = " ".join(CLOSED + SPELLINGS) + " " + UNCLOSED[0]
# text with markup in the middle and an unclosed tag of another kind at its end
PAYLOAD_SVG = " ".join(CLOSED[:4]) + " " + UNCLOSED[1]

# the places a renderer of Frappe's puts a stored value: a report view or datatable cell, a
# print view's table cell, a list's title, a paragraph of a mail
CONTEXTS = [
	'<div class="dt-cell__content">{}</div></div><div class="dt-cell">next</div>',
	"<table><tr><td>{}</td><td>next</td></tr></table>",
	'<a class="ellipsis" href="#">{}</a><span>next</span>',
	"<p>{}</p><p>next</p>",
]


def runnable(html: str) -> list[str]:
	"""What in `html`, parsed as a browser parses it (html5lib follows the HTML standard), could run
	the corpus: script elements, event handlers, `javascript:` addresses, frames."""
	found = []
	for element in BeautifulSoup(html, "html5lib").find_all(True):
		if element.name in ("script", "iframe", "object", "embed") and "__xss" in str(element):
			found.append(element.name)
		for attr, value in element.attrs.items():
			value = " ".join(value) if isinstance(value, list) else str(value)
			if "__xss" in value and (
				attr.lower().startswith("on") or "javascript:" in value.lower().replace(" ", "")
			):
				found.append(f"{element.name}[{attr}]")
	return found


def runs_where_shown(value: str, decoded: bool = True) -> list[str]:
	"""runnable() of `value` in each place a renderer puts it, as stored and (for plain text,
	`decoded`) as a renderer that decodes entities first shows it (Frappe's kanban card title:
	html2text, then HTML)."""
	import html

	return [
		f"{context}: {found}"
		for shown in ((value, html.unescape(value)) if decoded else (value,))
		for context in CONTEXTS
		if (found := runnable(context.format(shown)))
	]
