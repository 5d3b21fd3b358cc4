"""One spelling of the identifiers guests type: a ticket's number and a phone.

MariaDB compares names under utf8mb4_unicode_ci, so `st-20261207-0001`, the number in full-width
letters and digits, with a zero-width space, a non-breaking space or a combining mark inside all
reach ticket ST-20261207-0001. Any limit, lookup or log keyed on the number as typed would count
each spelling apart. Here every spelling becomes the one canonical form first (Unicode NFKC;
invisible characters, combining marks and white space out; upper case; dashes as `-`), and
whatever is then not shaped like a ticket number of the site's naming series, or is too long, is
no number at all (None): the caller answers "not found" without a database read.
"""

import functools
import re
import unicodedata

import frappe

# the longest input worth normalising (a ticket number is about 16 characters, a phone 20)
MAX_INPUT = 200
# the longest canonical ticket number and phone
MAX_TICKET = 40
MAX_PHONE_DIGITS = 20
MIN_PHONE_DIGITS = 5
# the shipped naming series of Service Ticket, always accepted
DEFAULT_SERIES = "ST-.YYYY..MM..DD.-.####"

_DATE_PARTS = {"YYYY": r"\d{4}", "YY": r"\d{2}", "MM": r"\d{2}", "DD": r"\d{2}", "WW": r"\d{1,2}"}
# a part of a series whose value is not known in advance (a field, a custom parser)
_ANY_PART = r"[A-Z0-9]+(?:-[A-Z0-9]+)*"
_TICKET_CHARS = re.compile(r"[A-Z0-9-]+")
# characters no one sees that Unicode does not file as format (Cf) characters: fillers and the
# like, dropped with the Cf ones
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u2800\u3164\uffa0")


def _bare(value) -> str | None:
	"""NFKC, without invisible characters, combining marks and white space (NBSP, ideographic space
	and the like included); None for what is not a string or is too long to be an identifier."""
	if not isinstance(value, str) or len(value) > MAX_INPUT:
		return None
	# NFKD splits accented letters from their marks; NFKC after dropping the marks composes what is
	# left (full-width forms become ASCII in both)
	decomposed = unicodedata.normalize("NFKD", value)
	kept = []
	for char in decomposed:
		category = unicodedata.category(char)
		if category in ("Mn", "Me", "Cf", "Cc", "Zs", "Zl", "Zp") or char.isspace() or char in _INVISIBLE:
			continue
		# every kind of dash (en, em, minus sign, full-width hyphen …) is the number's hyphen
		kept.append("-" if category == "Pd" or char == "\u2212" else char)
	return unicodedata.normalize("NFKC", "".join(kept))


def ticket_number(value) -> str | None:
	"""The canonical spelling of a ticket number (e.g. `ST-20261207-0001`), or None when the value,
	once normalised, is not shaped like one."""
	bare = _bare(value)
	if not bare:
		return None
	number = bare.upper()
	if len(number) > MAX_TICKET or not _TICKET_CHARS.fullmatch(number):
		return None
	if not any(shape.fullmatch(number) for shape in _ticket_shapes(_series_options())):
		return None
	return number


def phone_number(value) -> str | None:
	"""The canonical spelling of a phone: ASCII digits only, without China's country code, so
	'+86 138-0000-0001' and the same in full-width digits are '13800000001'. None when fewer than
	5 or more than 20 digits remain."""
	bare = _bare(value)
	if not bare:
		return None
	digits = re.sub(r"[^0-9]", "", bare)
	if digits.startswith("0086"):
		digits = digits[4:]
	elif digits.startswith("86") and len(digits) == 13:
		digits = digits[2:]
	if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
		return None
	return digits


def _series_options() -> str:
	field = frappe.get_meta("Service Ticket").get_field("naming_series")
	return (field.options if field else "") or ""


@functools.lru_cache(maxsize=8)
def _ticket_shapes(options: str) -> tuple[re.Pattern, ...]:
	"""The shape of the names each naming series of Service Ticket gives (the shipped one always)."""
	shapes = []
	for series in {DEFAULT_SERIES, *(line.strip() for line in options.splitlines())}:
		if not series:
			continue
		pattern = []
		for part in series.split("."):
			if not part:
				continue
			if part.startswith("#"):
				pattern.append(rf"\d{{{len(part)},}}")
			elif part in _DATE_PARTS:
				pattern.append(_DATE_PARTS[part])
			elif re.fullmatch(r"[A-Z0-9-]+", part):
				pattern.append(re.escape(part))
			else:  # a field's value ({customer}, customer), a custom parser's: not known in advance
				pattern.append(_ANY_PART)
		if pattern:
			shapes.append(re.compile("".join(pattern)))
	return tuple(shapes)
