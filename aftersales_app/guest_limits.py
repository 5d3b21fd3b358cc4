"""Limits on what guests may try: the lookup by ticket number and phone (and, later, the survey and
QR-label flows with one-time tokens), and the knowledge base's search.

Frappe 15 takes the client's address from the first `X-Forwarded-For` entry, which any client
writes itself: a limit keyed on it resets with every made-up header. Here the address is the
connection's own, and `X-Forwarded-For` is read only when the connection comes from a proxy the
site trusts (`aftersales_trusted_proxies` in site_config.json: addresses or networks of the
reverse proxies in front of the site, e.g. `["127.0.0.1"]` for a bench's own nginx). Then the
client is the right-most address in the header that is not itself a trusted proxy: proxies append
what they saw, so only that entry was written by someone we trust.

Three limits hold together, counted in Redis (shared by every web worker):
- per client address: LOOKUPS_PER_IP a minute;
- per ticket number: WRONG_PHONES_PER_TICKET wrong phones an hour, whatever the addresses; while
  it holds, the number answers as missing even with the right phone (a customer locked out still
  sees the ticket signed in on the portal);
- for the whole site: LOOKUPS_PER_SITE a minute, a ceiling against a spread-out attack.
"""

import ipaddress

import frappe
from frappe import _

LOOKUPS_PER_IP = (10, 60)
WRONG_PHONES_PER_TICKET = (5, 3600)
LOOKUPS_PER_SITE = (300, 60)
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


def _ticket_key(ticket: str) -> str:
	return _key("ticket", (ticket or "").strip().upper()[:40])


def ticket_locked(ticket: str) -> bool:
	"""Too many wrong phones for this number lately: it answers as missing."""
	limit, seconds = WRONG_PHONES_PER_TICKET
	return _count(_ticket_key(ticket), seconds, add=False) >= limit


def wrong_phone(ticket: str):
	"""Count a failed lookup of a ticket number (missing numbers too, so probing looks the same)."""
	_count(_ticket_key(ticket), WRONG_PHONES_PER_TICKET[1])


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
	"""Forget the counts (tests, and a manager helping a locked-out customer)."""
	cache = frappe.cache
	if ticket:
		cache.delete(_ticket_key(ticket))
		return
	for key in cache.scan_iter(match=_key("*")):
		cache.delete(key)
