"""Limits on what guests may try: the lookup by ticket number and phone (and, later, the survey and
QR-label flows with one-time tokens), and the knowledge base's search.

Frappe 15 takes the client's address from the first `X-Forwarded-For` entry, which any client
writes itself: a limit keyed on it resets with every made-up header. Here the address is the
connection's own, and `X-Forwarded-For` is read only when the connection comes from a proxy the
site trusts (`aftersales_trusted_proxies` in site_config.json: addresses or networks of the
reverse proxies in front of the site, e.g. `["127.0.0.1"]` for a bench's own nginx). Then the
client is the right-most address in the header that is not itself a trusted proxy: proxies append
what they saw, so only that entry was written by someone we trust.

A ticket number and a phone are first brought to one spelling (aftersales_app.core.identifiers): the
database compares numbers under its collation, so `st-…`, full-width digits or a zero-width space
reach the same ticket, and every count below is keyed on the canonical number. A number that is not
shaped like one is "not found" without any count or database read.

The limits, counted in Redis (shared by every web worker), windows opening with their first hit:
- per client address: LOOKUPS_PER_IP (10) lookups a minute;
- for the whole site: LOOKUPS_PER_SITE (300) lookups a minute, a ceiling against a spread-out attack;
- per address and ticket: WRONG_PHONES_PER_ADDRESS (3) wrong phones an hour; after them that address
  gets "not found" for that ticket, even with the right phone;
- per ticket, whatever the addresses: WRONG_PHONES_PER_TICKET (10) wrong phones an hour; past them
  the phone is still compared for an address that has made no wrong guess on the ticket in the
  hour, once (its first wrong guess makes it one that has).
Nobody is locked out: the customer's right phone from an address that has not been guessing always
answers, and a right phone counts as no guess. Phones compared against one ticket in an hour are at
most WRONG_PHONES_PER_TICKET plus one for each address that had not guessed before (each of them
also held to LOOKUPS_PER_IP, and all of them to LOOKUPS_PER_SITE), plus the right ones.
"""

import ipaddress

import frappe
from frappe import _

from aftersales_app.core.identifiers import ticket_number

LOOKUPS_PER_IP = (10, 60)
LOOKUPS_PER_SITE = (300, 60)
WRONG_PHONES_PER_ADDRESS = (3, 3600)
WRONG_PHONES_PER_TICKET = (10, 3600)
# knowledge base searches (aftersales_app.api.knowledge): cheaper and more frequent than lookups
# (the new-request form searches as the customer types), counted apart from them
SEARCHES_PER_IP = (60, 60)
SEARCHES_PER_SITE = (1200, 60)


def _networks() -> list:
	out = []
	for entry in frappe.conf.get("aftersales_trusted_proxies") or []:
		try:
			out.append(ipaddress.ip_network(str(entry).strip(), strict=False))
		except ValueError:
			continue
	return out


def _trusted(address: str, networks: list) -> bool:
	try:
		ip = ipaddress.ip_address(address)
	except ValueError:
		return False
	return any(ip in network for network in networks)


def client_ip() -> str:
	"""The client's address: the connection's, or behind trusted proxies the last untrusted entry of
	X-Forwarded-For."""
	request = getattr(frappe.local, "request", None)
	if not request:
		return "127.0.0.1"
	remote = request.remote_addr or ""
	networks = _networks()
	if not networks or not _trusted(remote, networks):
		return remote
	forwarded = [
		part.strip() for part in (request.headers.get("X-Forwarded-For") or "").split(",") if part.strip()
	]
	for address in reversed(forwarded):
		if not _trusted(address, networks):
			return address
	return remote


def _key(*parts: str) -> str:
	return frappe.cache.make_key("aftersales:guest:" + ":".join(parts))


def _count(key: str, seconds: int, add: bool = True) -> int:
	"""Hits of `key` in its current window (the window starts with its first hit)."""
	cache = frappe.cache
	if not add:
		return int(cache.get(key) or 0)
	pipe = cache.pipeline()
	pipe.set(key, 0, ex=seconds, nx=True)  # the window opens with the first hit
	pipe.incr(key)
	return int(pipe.execute()[1])


def _too_many():
	frappe.throw(
		_("Too many lookups: please wait a minute and try again"),
		frappe.TooManyRequestsError,
		title=_("Too Many Requests"),
	)


def check_lookup():
	"""Count a lookup against the per-address and site-wide limits; refuse (HTTP 429) past them."""
	limit, seconds = LOOKUPS_PER_SITE
	if _count(_key("site"), seconds) > limit:
		_too_many()
	limit, seconds = LOOKUPS_PER_IP
	if _count(_key("ip", client_ip()), seconds) > limit:
		_too_many()


def check_knowledge_search():
	"""Count a knowledge base search against its per-address and site-wide limits (HTTP 429)."""
	for key, (limit, seconds) in (
		(_key("kb-site"), SEARCHES_PER_SITE),
		(_key("kb-ip", client_ip()), SEARCHES_PER_IP),
	):
		if _count(key, seconds) > limit:
			frappe.throw(
				_("Too many searches: please wait a minute and try again"),
				frappe.TooManyRequestsError,
				title=_("Too Many Requests"),
			)


# Whether this address may have its phone compared against the ticket, and if so the guess counted
# as wrong in advance (a right phone gives it back): check and count in one step, so concurrent
# requests cannot all pass the check before any of them is counted.
# KEYS: the address's and the ticket's wrong phones; ARGV: per address, per ticket, window (s)
_ADMIT = """
local mine = tonumber(redis.call('GET', KEYS[1]) or '0')
if mine >= tonumber(ARGV[1]) then return 0 end
local all = tonumber(redis.call('GET', KEYS[2]) or '0')
if all >= tonumber(ARGV[2]) and mine > 0 then return 0 end
redis.call('SET', KEYS[1], 0, 'EX', ARGV[3], 'NX')
redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], 0, 'EX', ARGV[3], 'NX')
redis.call('INCR', KEYS[2])
return 1
"""
# a count given back, never below zero nor into a key whose window has closed meanwhile (which
# would leave a key without expiry)
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
	if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 1
"""


def _canonical(ticket: str | None) -> str | None:
	return ticket_number(ticket)


def _ticket_keys(number: str) -> tuple[str, str]:
	"""The wrong phones of this address on the ticket, and of all addresses on it."""
	return _key("ticket-ip", number, client_ip()), _key("ticket", number)


def admit_phone_guess(ticket: str) -> bool:
	"""May the phone given for `ticket` (a canonical number) be compared now, from this address?
	If so the guess is counted as wrong until right_phone gives it back."""
	number = _canonical(ticket)
	if not number:
		return False
	(limit_mine, seconds), (limit_all, _seconds) = WRONG_PHONES_PER_ADDRESS, WRONG_PHONES_PER_TICKET
	return bool(frappe.cache.eval(_ADMIT, 2, *_ticket_keys(number), limit_mine, limit_all, seconds))


def right_phone(ticket: str):
	"""The phone was right: the guess admitted by admit_phone_guess was none."""
	number = _canonical(ticket)
	if number:
		frappe.cache.eval(_GIVE_BACK, 2, *_ticket_keys(number))


def count_phone_check(ticket: str):
	"""One comparison of a phone with the ticket's (aftersales_app.portal.lookup): how many
	guesses a ticket met this hour, whatever the limits above decided."""
	number = _canonical(ticket)
	if number:
		_count(_key("checks", number), WRONG_PHONES_PER_TICKET[1])


def phone_checks(ticket: str) -> int:
	"""Phones compared with the ticket's in the current hour (see count_phone_check)."""
	number = _canonical(ticket)
	return _count(_key("checks", number), 0, add=False) if number else 0


def wrong_phones(ticket: str) -> int:
	"""Wrong phones given for the ticket in the current hour, from all addresses."""
	number = _canonical(ticket)
	return _count(_key("ticket", number), 0, add=False) if number else 0


def check_rate(action: str, limit: int, seconds: int, who: str | None = None):
	"""At most `limit` calls of `action` per `seconds` by one user (the session user by default)."""
	if _count(_key("rate", action, who or frappe.session.user), seconds) > limit:
		frappe.throw(
			_("Too many requests: please wait a while and try again"),
			frappe.TooManyRequestsError,
			title=_("Too Many Requests"),
		)


def reset_ip():
	"""Forget the per-address and site-wide counts (tests)."""
	cache = frappe.cache
	for pattern in (_key("ip", "*"), _key("site"), _key("kb-ip", "*"), _key("kb-site")):
		for key in cache.scan_iter(match=pattern):
			cache.delete(key)


def reset(ticket: str | None = None):
	"""Forget the counts (tests), or those of one ticket (a manager helping a customer who guessed
	their own phone wrong once too often)."""
	cache = frappe.cache
	if ticket:
		number = _canonical(ticket)
		if not number:
			return
		cache.delete(_key("ticket", number), _key("checks", number))
		for key in cache.scan_iter(match=_key("ticket-ip", number, "*")):
			cache.delete(key)
		return
	for key in cache.scan_iter(match=_key("*")):
		cache.delete(key)
