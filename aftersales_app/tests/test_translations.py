"""Every string the app shows reads in Chinese: DocType names, labels, descriptions and Select
options, workspace labels, roles, shipped records, and each message the code wraps in _() / __().

A string is translated by translations/zh.csv or, when Frappe or ERPNext already translate it, by
them. The app's own rows never redefine an upstream word site-wide: where the app needs another
Chinese word (Open → 待处理 on a ticket), its row carries the DocType as context, which is how the
desk asks for labels and options."""

import csv
import json
import re
from pathlib import Path

import pytest

from frappe.translate import load_lang

# Upstream translations that are wrong (Out of AMC reads "out of the asset management company"):
# the app corrects them site-wide, keeping their meaning; the unit Nos (pieces) is left as "Nos".
CORRECTIONS = {"Out of AMC", "Nos"}
PACKAGE = Path(__file__).resolve().parents[1]
MESSAGE = re.compile(r"""(?<![\w.])_{1,2}\(\s*(["'])((?:\\.|(?!\1).)+)\1\s*[,)]""")
# a report column's English label, translated by aftersales_app.core.reports.column
COLUMN = re.compile(r"""(?<![\w.])column\(\s*"\w+",\s*"([^"]+)"\s*[,)]""")


def own_rows() -> list[list[str]]:
	with (PACKAGE / "translations" / "zh.csv").open(encoding="utf-8") as f:
		return [row for row in csv.reader(f) if row]


@pytest.fixture(scope="module")
def upstream() -> dict[str, str]:
	return load_lang("zh", apps=["frappe", "erpnext"])


def app_strings() -> set[tuple[str, str | None]]:
	"""(string, context) pairs; the context is the DocType whose form shows the string."""
	strings: set[tuple[str, str | None]] = set()
	for path in PACKAGE.glob("**/doctype/*/*.json"):
		meta = json.loads(path.read_text(encoding="utf-8"))
		if meta.get("doctype") != "DocType":
			continue
		doctype = meta["name"]
		strings.add((doctype, None))
		for field in meta.get("fields", []):
			for text in filter(None, [field.get("label"), field.get("description")]):
				strings.add((text, doctype))
			if field.get("fieldtype") == "Select" and field.get("fieldname") != "naming_series":
				strings.update((o, doctype) for o in (field.get("options") or "").split("\n") if o)
	for path in PACKAGE.glob("**/report/*/*.json"):
		strings.add((json.loads(path.read_text(encoding="utf-8"))["name"], None))
	for path in PACKAGE.glob("**/workspace/*/*.json"):
		meta = json.loads(path.read_text(encoding="utf-8"))
		strings.update({(meta["label"], None), (meta["title"], None)})
		strings.update((link["label"], None) for link in meta.get("links", []))
		strings.update((s["label"], None) for s in meta.get("shortcuts", []))
	from aftersales_app.core.roles import APP_ROLES
	from aftersales_app.setup.custom_fields import CUSTOM_FIELDS
	from aftersales_app.tickets.setup.ticket_templates import FIELDS, HANDLER_GROUPS

	strings.update((role, None) for role in APP_ROLES)
	for dt, fields in {**CUSTOM_FIELDS, "Service Ticket": CUSTOM_FIELDS["Service Ticket"] + FIELDS}.items():
		for field in fields:
			if field.get("label"):
				strings.add((field["label"], dt))
			if field.get("description"):  # the desk asks for a description without its DocType
				strings.add((field["description"], None))
			if field["fieldtype"] == "Select":
				strings.update((o, dt) for o in (field.get("options") or "").split("\n") if o)
	# the example handler groups, made in the site's language
	strings.update(
		(text, None) for name, description, _condition in HANDLER_GROUPS for text in (name, description)
	)

	from aftersales_app.tickets.setup.ticket_types import TICKET_TYPES

	for name, _level, _policy, description in TICKET_TYPES:  # records of a translated DocType,
		strings.update({(name, None), (description, None)})  # described in the site's language
	from aftersales_app.notifications.events import EVENTS

	for event in EVENTS.values():  # Notification records, installed in the site's language
		strings.add((event.label, None))  # the outbox's list and form name the event by its label
		for shipped in event.shipped:
			strings.update((text, None) for text in (shipped.name, shipped.subject, shipped.message) if text)
	for pattern in ("**/*.py", "**/*.js", "**/*.html"):
		for path in PACKAGE.glob(pattern):
			if "/tests/" in str(path) or path.name.startswith("test_"):
				continue
			source = path.read_text(encoding="utf-8")
			strings.update((m.group(2), None) for m in MESSAGE.finditer(source))
			strings.update((m.group(1), None) for m in COLUMN.finditer(source))
	from aftersales_app.core.reports import TICKET_COLUMNS

	strings.update((label, None) for label, *_rest in TICKET_COLUMNS.values())
	return strings


def test_every_string_has_a_chinese_translation(upstream):
	own = {(row[0], row[2] if len(row) > 2 else None): row[1] for row in own_rows()}
	missing = sorted(
		f"{text} ({context})" if context else text
		for text, context in app_strings()
		if not (own.get((text, context)) or own.get((text, None)) or upstream.get(text))
	)
	assert not missing, f"{len(missing)} strings without a zh translation: {missing}"


def test_own_rows_do_not_redefine_upstream_words_site_wide(upstream):
	clashes = [
		(row[0], row[1], upstream[row[0]])
		for row in own_rows()
		if len(row) == 2 and row[0] in upstream and upstream[row[0]] != row[1] and row[0] not in CORRECTIONS
	]
	assert not clashes, f"give these a DocType context or drop them: {clashes}"


def test_translations_keep_their_placeholders():
	"""Format placeholders ({0}) and the Jinja of notification texts ({{ doc.name }}, {% if %})."""
	for row in own_rows():
		for pattern in (r"\{\d\}", r"\{\{.*?\}\}", r"\{%.*?%\}"):
			assert sorted(re.findall(pattern, row[0])) == sorted(re.findall(pattern, row[1])), row


def test_chinese_state_and_action_names_read_in_english():
	"""The shipped workflow names its states and actions in Chinese; English users read them in
	English through translations/en.csv."""
	from aftersales_app.tickets.setup.ticket_templates import ACTIONS

	en = load_lang("en", apps=["frappe", "erpnext", "aftersales_app"])
	workflow = json.loads((PACKAGE / "workflows" / "workflow.json").read_text(encoding="utf-8"))[0]
	for row in workflow["states"]:
		assert en.get(row["state"]), row["state"]
	for action in {t["action"] for t in workflow["transitions"]} | {a[1] for a in ACTIONS}:
		assert en.get(action), action
	assert en["待财务确认"] == "Payment Submitted"


def test_shipped_notification_texts_carry_no_markup():
	"""Frappe strips markup from a message before it looks up its translation: a shipped text with
	markup would never read in Chinese."""
	from aftersales_app.notifications.events import EVENTS

	for event in EVENTS.values():
		for shipped in event.shipped:
			for text in (shipped.name, shipped.subject, shipped.message):
				assert not re.search(r"<\s*[a-zA-Z/]", text or ""), text
