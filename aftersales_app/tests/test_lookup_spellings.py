"""The guest lookup reads a ticket number and a phone in one spelling (aftersales_app.core.identifiers),
and caps guessing per address and per ticket without locking the customer out
(aftersales_app.core.guest_limits), over HTTP as a guest meets it.

The database compares names under utf8mb4_unicode_ci: lower case, full-width forms, invisible and
combining characters reach the same ticket. Every such spelling must count as the number itself.
Many addresses are simulated behind the site's trusted proxy (127.0.0.1, the test's own
connection) with X-Forwarded-For, as nginx would send it."""

import random
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import frappe

from aftersales_app.core import guest_limits, identifiers
from aftersales_app.tests.utils import make_ticket

METHOD = "/api/method/aftersales_app.api.portal.lookup_ticket"
PROXIES_KEY = "aftersales_trusted_proxies"
PHONE = "13822226601"
OTHER_PHONE = "13922226602"

ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY, NBSP, IDEO_SPACE = (
	"\u200b",
	"\u200c",
	"\u200d",
	"\u2060",
	"\ufeff",
	"\u00ad",
	"\u00a0",
	"\u3000",
)
ACUTE, DIAERESIS, ENCLOSING_CIRCLE = "\u0301", "\u0308", "\u20dd"
INVISIBLE = [ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY, NBSP, IDEO_SPACE, ACUTE, DIAERESIS, ENCLOSING_CIRCLE, "\u180e"]


def full_width(text: str) -> str:
	return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def number_spellings(name: str) -> list[str]:
	"""Ten spellings of a ticket number that are the same number."""
	digits_wide = "".join(full_width(c) if c.isdigit() else c for c in name)
	return [
		name.lower(),
		full_width(name),
		digits_wide,
		name[:3] + ZWSP + name[3:],
		NBSP + name[:2] + NBSP + name[2:] + NBSP,
		name[:4] + ACUTE + name[4:8] + DIAERESIS + name[8:],
		BOM + name + SHY,
		IDEO_SPACE + full_width(name.lower()) + WJ,
		name[:1] + ZWJ + name[1:].lower() + ZWNJ,
		name.replace("-", "\u2013", 1).replace("-", "\uff0d"),  # en dash, full-width hyphen
	]


def phone_spellings(phone: str) -> list[str]:
	"""Ten spellings of the same phone."""
	return [
		full_width(phone),
		f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}",
		f"0086{phone}",
		NBSP.join((phone[:3], phone[3:7], phone[7:])),
		phone[:5] + ZWSP + phone[5:],
		f"({phone[:3]}){IDEO_SPACE}{phone[3:]}",
		"".join(c + ACUTE for c in phone),
		BOM + phone + SHY,
		full_width(f"+86 {phone}"),
		f" {phone[:3]}\u2013{phone[3:]} ",
	]


def spell(rng: random.Random, text: str, lower: bool = True) -> str:
	"""A random spelling of `text`: letters in either case, characters full width or not, invisible
	and combining characters in between."""
	out = []
	for char in text:
		if rng.random() < 0.3:
			out.append(rng.choice(INVISIBLE))
		if lower and char.isalpha() and rng.random() < 0.5:
			char = char.lower()
		if rng.random() < 0.4:
			char = full_width(char)
		out.append(char)
	if rng.random() < 0.3:
		out.append(rng.choice(INVISIBLE))
	return "".join(out)


@pytest.fixture
def ticket():
	"""A ticket with a known phone, committed for the server's process; limits forgotten before
	and after."""
	guest_limits.reset()
	doc = make_ticket(subject="拼写查询")
	frappe.db.set_value("Service Ticket", doc.name, "contact_phone", PHONE)
	frappe.db.commit()
	yield doc
	guest_limits.reset()
	frappe.db.rollback()
	frappe.delete_doc("Service Ticket", doc.name, force=True, ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture
def behind_proxy():
	"""The test's connection (127.0.0.1) is the site's trusted proxy for the test: X-Forwarded-For
	names the client. The site's config is restored afterwards."""
	from frappe.installer import update_site_config

	before = frappe.get_site_config().get(PROXIES_KEY)
	update_site_config(PROXIES_KEY, ["127.0.0.1"])
	try:
		yield
	finally:
		update_site_config(PROXIES_KEY, before if before is not None else "None")
		if before is None:
			frappe.local.conf.pop(PROXIES_KEY, None)


def lookup(api_url: str, number: str, phone: str, address: str | None = None) -> dict:
	headers = {"X-Forwarded-For": address} if address else {}
	answer = requests.post(
		f"{api_url}{METHOD}", data={"ticket": number, "phone": phone}, headers=headers, timeout=60
	)
	assert answer.status_code == 200, answer.text
	return answer.json()["message"]


def ticket_counters() -> dict:
	"""Every count the lookup keeps about tickets (not the per-address and site-wide lookups)."""
	cache = frappe.cache
	prefix = guest_limits._key("")
	return {
		key.decode(): cache.get(key)
		for key in cache.scan_iter(match=guest_limits._key("*"))
		if key.decode()[len(prefix) :].split(":")[0] in ("ticket", "ticket-ip", "checks")
	}


def test_every_spelling_is_the_one_number_and_phone():
	name = "ST-20261207-0001"
	for spelling in number_spellings(name):
		assert identifiers.ticket_number(spelling) == name, repr(spelling)
	for spelling in phone_spellings(PHONE):
		assert identifiers.phone_number(spelling) == PHONE, repr(spelling)
	for not_a_number in (
		"ST-2026<script>",
		name + "<x>",
		"ST-20261207-0001' OR '1'='1",
		"ST-" + "1" * 197,
		ZWSP * 3 + BOM,
		ZWSP * 200 + name,
		"",
		None,
		["ST-20261207-0001"],
		"ST-2026120-0001",  # a digit short of the series' date
		"XX-20261207-0001",
	):
		assert identifiers.ticket_number(not_a_number) is None, repr(not_a_number)
	assert identifiers.phone_number("1234") is None and identifiers.phone_number("1" * 21) is None


def test_spellings_of_a_number_and_phone_answer_and_count_as_the_number(api_url, ticket, behind_proxy):
	name = ticket.name
	right = lookup(api_url, name, PHONE, "10.1.1.1")
	wrong = lookup(api_url, name, OTHER_PHONE, "10.1.1.1")
	assert right["found"] == 1 and right["name"] == name and wrong["found"] == 0
	numbers, phones = number_spellings(name), phone_spellings(PHONE)
	for i, (number, phone) in enumerate(zip(numbers, phones, strict=True)):
		address = f"10.1.2.{i + 1}"
		assert lookup(api_url, number, phone, address) == right, (repr(number), repr(phone))
		assert lookup(api_url, number, full_width(OTHER_PHONE), address) == wrong, repr(number)
	# one counter, under the canonical number: each spelling's wrong phone counted there
	assert guest_limits.wrong_phones(name) == 1 + len(numbers)
	assert guest_limits.phone_checks(name) == 2 + 2 * len(numbers)
	counters = ticket_counters()
	assert counters and all(name in key for key in counters), counters
	# the page the job sheet's QR code opens fills in the number in its one spelling
	for spelling in (name.lower(), full_width(name), name + ZWSP):
		page = requests.get(f"{api_url}/ticket-lookup", params={"ticket": spelling}, timeout=60)
		assert page.status_code == 200 and f'value="{name}"' in page.text
	page = requests.get(f"{api_url}/ticket-lookup", params={"ticket": "ST-2026<script>"}, timeout=60)
	assert page.status_code == 200 and re.search(r'id="as-lookup-ticket"[^>]*value=""', page.text)


def test_an_address_that_guessed_wrong_is_held_and_a_fresh_one_is_answered(api_url, ticket, behind_proxy):
	name = ticket.name
	guesser, customer = "10.3.0.1", "10.3.0.2"
	per_address = guest_limits.WRONG_PHONES_PER_ADDRESS[0]
	spellings = number_spellings(name)
	for i in range(per_address):
		assert lookup(api_url, spellings[i], f"1390000{i:04d}", guesser)["found"] == 0
	assert guest_limits.wrong_phones(name) == per_address
	checks = guest_limits.phone_checks(name)
	# the guesser's right phone, in any spelling, is not compared any more
	assert lookup(api_url, name, PHONE, guesser)["found"] == 0
	assert lookup(api_url, spellings[-1], phone_spellings(PHONE)[0], guesser)["found"] == 0
	assert guest_limits.phone_checks(name) == checks
	# another address is not held by the guesser's wrong phones; a right phone is no guess
	for _ in range(per_address + 2):
		assert lookup(api_url, name, PHONE, customer)["found"] == 1
	assert guest_limits.wrong_phones(name) == per_address


def test_past_the_ticket_cap_only_addresses_that_have_not_guessed_are_compared(api_url, ticket, behind_proxy):
	name = ticket.name
	cap = guest_limits.WRONG_PHONES_PER_TICKET[0]
	early = "10.4.0.1"
	assert lookup(api_url, name, OTHER_PHONE, early)["found"] == 0  # one wrong guess, under its cap
	for i in range(cap - 1):
		assert lookup(api_url, name.lower(), f"1390001{i:04d}", f"10.4.1.{i + 1}")["found"] == 0
	assert guest_limits.wrong_phones(name) == cap
	# the early guesser is held now, its right phone is not compared; a fresh address is
	assert lookup(api_url, name, PHONE, early)["found"] == 0
	assert lookup(api_url, name, PHONE, "10.4.2.1")["found"] == 1
	# a fresh address has one wrong guess, then it is held too
	assert lookup(api_url, name, OTHER_PHONE, "10.4.2.2")["found"] == 0
	checks = guest_limits.phone_checks(name)
	assert lookup(api_url, name, PHONE, "10.4.2.2")["found"] == 0
	assert guest_limits.phone_checks(name) == checks
	assert guest_limits.wrong_phones(name) == cap + 1


def test_a_thousand_spellings_of_wrong_phones_from_fifty_addresses_stay_under_the_cap(
	api_url, ticket, behind_proxy, report
):
	name = ticket.name
	rng = random.Random(26)
	addresses = [f"10.50.0.{i + 1}" for i in range(50)]
	customer = "10.51.0.1"
	guesses, seen = [], set()
	while len(guesses) < 1000:
		phone = f"13{rng.randrange(10**9):09d}"
		if phone == PHONE:
			continue
		pair = (spell(rng, name), spell(rng, phone, lower=False))
		if pair not in seen:
			seen.add(pair)
			guesses.append(pair)
	assert all(identifiers.ticket_number(number) == name for number, _phone in guesses)

	def guess(n: int) -> dict:
		number, phone = guesses[n]
		return lookup(api_url, number, phone, addresses[n % len(addresses)])

	customer_spellings = iter(zip(number_spellings(name), phone_spellings(PHONE), strict=True))

	def customer_looks_up() -> dict:
		number, phone = next(customer_spellings)
		return lookup(api_url, number, phone, customer)

	answers, customer_answers = [], []
	with ThreadPoolExecutor(max_workers=8) as pool:
		for batch in range(4):
			# 250 lookups a batch: 5 per address and 250 for the site, within the per-minute
			# limits, which are forgotten between batches (the per-ticket counts are not)
			guest_limits.reset_ip()
			if batch in (0, 2):
				customer_answers.append(customer_looks_up())
			answers += pool.map(guess, range(batch * 250, (batch + 1) * 250))
		customer_answers.append(customer_looks_up())

	assert len(answers) == 1000 and all(a["found"] == 0 for a in answers)
	assert [a.get("name") for a in customer_answers] == [name] * 3
	compared = guest_limits.phone_checks(name) - len(customer_answers)
	cap = guest_limits.WRONG_PHONES_PER_TICKET[0] + len(addresses)
	report(f"lookup spellings: 1000 wrong phones from 50 addresses, {compared} compared (cap {cap})")
	assert guest_limits.WRONG_PHONES_PER_TICKET[0] <= compared <= cap, compared
	assert guest_limits.wrong_phones(name) == compared


def test_what_is_no_ticket_number_touches_no_count_of_a_real_ticket(
	api_url, ticket, behind_proxy, monkeypatch
):
	name = ticket.name
	wrong = lookup(api_url, name, OTHER_PHONE, "10.6.0.1")
	counters = ticket_counters()
	assert counters
	for i, number in enumerate(
		(
			"ST-2026<script>",
			name + "<script>",
			name + "'--",
			"ST-" + "1" * 197,
			ZWSP * 190 + name,
			ZWSP + ZWNJ + BOM + NBSP,
			"<" * 200,
		)
	):
		for phone in (PHONE, OTHER_PHONE):
			assert lookup(api_url, number, phone, f"10.6.1.{i + 1}") == wrong, repr(number)
	for phone in ("", "1234", "1" * 30, ZWSP * 5):
		assert lookup(api_url, name, phone, "10.6.0.3") == wrong, repr(phone)
	assert ticket_counters() == counters
	# not even read: the database is not asked for a number of the wrong shape
	from aftersales_app.portal import lookup as portal_lookup

	asked = []
	real_get_value = frappe.db.get_value

	def get_value(*args, **kwargs):
		asked.append(args)
		return real_get_value(*args, **kwargs)

	monkeypatch.setattr(frappe.db, "get_value", get_value)
	assert portal_lookup.find_ticket_by_number_and_phone("ST-2026<script>", PHONE) is None
	assert portal_lookup.find_ticket_by_number_and_phone(ZWSP * 3, PHONE) is None
	assert not asked
	assert portal_lookup.find_ticket_by_number_and_phone(name.lower(), full_width(PHONE)).name == name
	assert asked
