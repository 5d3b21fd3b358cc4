"""Values only the customer may read (the one-time link of a survey or a check-up offer) never rest
where staff or chat groups read them.

An event declares them (`Event.secrets`); its texts are made with a placeholder in their place
("[one-time link]"), so the outbox row (After-Sales Message, which managers read), the in-desk
notices and any copy to staff carry the placeholder alone. The customer's own row keeps the values
sealed in its Password field `sealed` (Frappe encrypts it with the site's key, in __Auth, never in
the row); they are put back into the text only on the way out (aftersales_app.notifications.channels),
and dropped as soon as the row is sent, digested or failed for good. The copies Frappe keeps of
what went out (the Email Queue's message, the SMS Log) are redacted once sent."""

import json
import re

import frappe
from frappe.utils.password import get_decrypted_password, remove_encrypted_password

DOCTYPE = "After-Sales Message"
FIELD = "sealed"

# the token of a one-time link as it appears in a text (old rows, copies of old mails)
TOKEN_IN_LINK = re.compile(r"([?&]token=)[A-Za-z0-9_\-%]+")


def placeholder(key: str) -> str:
	"""What the readable texts show instead of the value: plain ASCII, which markdown, HTML
	stripping and Jinja leave as it is."""
	return f"[one-time {key}]"


def placeholders(keys) -> dict:
	return {key: placeholder(key) for key in keys}


def used(values: dict, *texts) -> dict:
	"""The values whose placeholder appears in one of the texts (an admin may have removed it)."""
	return {k: v for k, v in values.items() if any(placeholder(k) in (t or "") for t in texts)}


def seal(values: dict) -> str | None:
	"""The value of the row's Password field: Frappe encrypts it on insert."""
	return json.dumps(values, ensure_ascii=False) if values else None


def unseal(name: str) -> dict:
	"""The values sealed on the row `name` (empty when none or dropped)."""
	sealed = get_decrypted_password(DOCTYPE, name, FIELD, raise_exception=False)
	if not sealed:
		return {}
	try:
		values = json.loads(sealed)
	except ValueError:
		return {}
	return values if isinstance(values, dict) else {}


def drop(name: str):
	"""Forget the sealed values of the row `name` (sent, digested or failed for good)."""
	remove_encrypted_password(DOCTYPE, name, FIELD)
	frappe.db.set_value(DOCTYPE, name, FIELD, None, update_modified=False)


def reveal(text: str | None, values: dict) -> str:
	"""The text as the customer gets it: placeholders replaced by the values."""
	text = text or ""
	for key, value in values.items():
		text = text.replace(placeholder(key), str(value))
	return text


def conceal(text: str | None, values: dict) -> str:
	"""The text with the values (and any one-time token) replaced by their placeholders: for what
	is kept (errors, copies of what was sent)."""
	text = text or ""
	for key, value in values.items():
		if value:
			text = text.replace(str(value), placeholder(key))
	return scrub(text)


def scrub(text: str | None) -> str:
	"""Any one-time token left in a text (a link of an old row) replaced by a placeholder."""
	return TOKEN_IN_LINK.sub(r"\1[one-time token]", text or "")
