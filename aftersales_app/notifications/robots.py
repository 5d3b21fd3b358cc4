"""Group robots of the chat tools Chinese teams use (企业微信 WeCom, 飞书 Feishu, 钉钉 DingTalk): the
request each robot's webhook expects, signed the way each platform checks it, and how each says it
accepted a message.

- WeCom: the webhook address carries the robot's key; no signature.
  Body {"msgtype": "text", "text": {"content": …}}; answers {"errcode": 0}.
- DingTalk ("加签"): timestamp in milliseconds and sign = base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}")), both added to the address's query string.
  Body {"msgtype": "text", "text": {"content": …}}; answers {"errcode": 0}.
- Feishu ("签名校验"): timestamp in seconds and sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  msg=b"")), both in the body. Body {"timestamp", "sign", "msg_type": "text", "content": {"text": …}};
  answers {"code": 0} (older robots {"StatusCode": 0}).

A robot reaches its platform only, never the server's own network: the webhook must be https on
the platform's host (PLATFORM_HOSTS) or on a host:port the site config lists (HOSTS_KEY; http is
allowed there). Whatever the list says, the name is resolved once, every address it has must be
public (no loopback, private, link-local, cloud metadata, unspecified, multicast or reserved
address, nor one of those inside IPv4-mapped, 6to4, Teredo or NAT64 forms), and the request goes to
the address checked, with the Host header and TLS name of the webhook (so DNS cannot swap the
address between check and call), without redirects. The one exception is loopback on a host:port
the site config lists with its port (a relay on the same machine; the tests' fake robots). This is
checked when a robot is saved and again before every send. What a robot answers is read as a
status (HTTP code and the platform's error code) and never kept."""

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

import frappe
from frappe import _

WECOM, FEISHU, DINGTALK = "WeCom", "Feishu", "DingTalk"
PLATFORMS = (WECOM, FEISHU, DINGTALK)
PLATFORM_HOSTS = {
	WECOM: ("qyapi.weixin.qq.com",),
	FEISHU: ("open.feishu.cn", "open.larksuite.com"),
	DINGTALK: ("oapi.dingtalk.com",),
}
# site_config.json: more webhook hosts, e.g. ["robot-relay.example.com", "127.0.0.1:8123"]
HOSTS_KEY = "aftersales_robot_hosts"
CONNECT_SECONDS, READ_SECONDS = 5, 10
TIMEOUT_SECONDS = CONNECT_SECONDS + READ_SECONDS
# the most of an answer that is read (a robot answers a few dozen bytes of JSON)
ANSWER_BYTES = 4096
DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RobotRefused(Exception):
	"""The robot did not take the message (the outbox tries again)."""


class RobotAddressRefused(frappe.ValidationError):
	"""The webhook address is not one a robot may call (refused at save; at send, the message fails
	for good without a connection)."""


@dataclass(frozen=True)
class Target:
	"""A checked webhook: where to connect (`address`, `port`) and what to ask for."""

	scheme: str
	host: str
	port: int
	address: str | None  # None when the name could not be resolved at save
	target: str  # path and query
	host_header: str


def configured_hosts() -> list[tuple[str, int | None]]:
	"""(host, port or None) of the site config's extra webhook hosts."""
	value = frappe.conf.get(HOSTS_KEY) or []
	if isinstance(value, str):
		value = value.replace(",", " ").split()
	out = []
	for entry in value:
		entry = str(entry).strip().lower()
		if not entry:
			continue
		try:
			parts = urlsplit(f"//{entry}")
			host, port = parts.hostname, parts.port
		except ValueError:
			continue
		if host:
			out.append((host, port))
	return out


def refuse(url: str, reason: str):
	raise RobotAddressRefused(
		_("The robot's webhook address {0} is not allowed: {1}").format(url[:120], reason)
	)


def embedded_ipv4(ip) -> list:
	"""The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
	if ip.version != 6:
		return []
	out = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
	if ip in NAT64:
		out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
	return [a for a in out if a]


def address_problem(address: str, loopback_allowed: bool) -> str | None:
	"""Why a robot may not connect to `address`, or None."""
	try:
		ip = ipaddress.ip_address(address.split("%", 1)[0])
	except ValueError:
		return _("not an IP address")
	embedded = embedded_ipv4(ip)
	if ip.is_loopback and not embedded and loopback_allowed:
		return None
	for each in (*embedded, ip):
		if each.is_unspecified:
			return _("an unspecified address ({0})").format(ip)
		if each.is_loopback:
			return _("a loopback address ({0})").format(ip)
		if each.is_link_local:
			return _("a link-local or cloud metadata address ({0})").format(ip)
		if each.is_multicast:
			return _("a multicast address ({0})").format(ip)
		if each.is_private:
			return _("a private network address ({0})").format(ip)
		if each.is_reserved or not each.is_global:
			return _("a reserved address ({0})").format(ip)
	return None


def resolve(host: str, port: int) -> list[str]:
	"""Every address of `host` (an IP literal is its own)."""
	infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
	return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(platform: str, url: str, at_save: bool = False) -> Target:
	"""The webhook `url` checked for a robot of `platform`, resolved once; refused (raises
	RobotAddressRefused) unless it may be called. At save, a name that does not resolve (a site
	without DNS yet) passes: it is checked again, resolved, before each send."""
	url = (url or "").strip()
	if not url.isprintable() or any(c in url for c in " \\\t") or not url.isascii():
		refuse(url, _("it must be a plain ASCII address"))
	try:
		parts = urlsplit(url)
		host, port = parts.hostname, parts.port
	except ValueError:
		refuse(url, _("it is not a valid address"))
	scheme = parts.scheme.lower()
	if scheme not in DEFAULT_PORTS or not host:
		refuse(url, _("it must be an https address"))
	if parts.username is not None or parts.password is not None or "@" in parts.netloc:
		refuse(url, _("it must not carry a user name or password"))
	port = port or DEFAULT_PORTS[scheme]
	platform_hosts = PLATFORM_HOSTS.get(platform, ())
	on_platform = scheme == "https" and port == 443 and host in platform_hosts
	listed = [entry_port for entry_host, entry_port in configured_hosts() if entry_host == host]
	configured = any((p or DEFAULT_PORTS[scheme]) == port for p in listed)
	if not (on_platform or configured):
		refuse(
			url,
			_("a {0} robot posts to {1} only (other hosts only where the site config lists them)").format(
				platform, " / ".join(f"https://{h}" for h in platform_hosts)
			),
		)
	loopback_allowed = configured and port in listed  # listed with its port, explicitly
	try:
		addresses = resolve(host, port)
	except (OSError, UnicodeError):
		if at_save:
			addresses = []
		else:
			raise RobotRefused(_("the webhook's host name could not be resolved")) from None
	if not addresses and not at_save:
		raise RobotRefused(_("the webhook's host name could not be resolved"))
	for address in addresses:
		problem = address_problem(address, loopback_allowed)
		if problem:
			refuse(url, _("{0} resolves to {1}").format(host, problem))
	host_header = host if ":" not in host else f"[{host}]"
	if port != DEFAULT_PORTS[scheme]:
		host_header = f"{host_header}:{port}"
	return Target(
		scheme=scheme,
		host=host,
		port=port,
		address=addresses[0] if addresses else None,
		target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
		host_header=host_header,
	)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
	digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
	return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp: int) -> str:
	digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
	return base64.b64encode(digest).decode()


def request_for(platform: str, url: str, secret: str | None, text: str, now: float | None = None):
	"""(url, json body) of a text message to a robot of `platform`."""
	now = time.time() if now is None else now
	if platform == DINGTALK:
		body = {"msgtype": "text", "text": {"content": text}}
		if secret:
			timestamp = int(now * 1000)
			joiner = "&" if "?" in url else "?"
			url = f"{url}{joiner}timestamp={timestamp}&sign={quote_plus(dingtalk_sign(secret, timestamp))}"
		return url, body
	if platform == FEISHU:
		body = {"msg_type": "text", "content": {"text": text}}
		if secret:
			timestamp = int(now)
			body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
		return url, body
	if platform == WECOM:
		return url, {"msgtype": "text", "text": {"content": text}}
	raise ValueError(f"unknown robot platform {platform!r}")


def accepted(platform: str, answer: dict) -> bool:
	"""Whether the robot's answer says it took the message."""
	if platform == FEISHU:
		return answer.get("code", answer.get("StatusCode")) == 0
	return answer.get("errcode") == 0


def error_code(platform: str, answer: dict) -> str:
	"""The platform's error code of an answer, as a short status (never the answer's text)."""
	code = answer.get("code", answer.get("StatusCode")) if platform == FEISHU else answer.get("errcode")
	if isinstance(code, bool) or not isinstance(code, int | str):
		return "?"
	code = str(code)
	return code if code.lstrip("-").isdigit() and len(code) <= 12 else "?"


def send(platform: str, url: str, secret: str | None, text: str):
	"""Post the message to the checked address; raise with a short status when the robot refuses
	it (RobotAddressRefused when the address may not be called: no connection is made)."""
	url, body = request_for(platform, url, secret, text)
	target = check_url(platform, url)
	status, answer = post(target, json.dumps(body, ensure_ascii=False).encode())
	if 300 <= status < 400:
		raise RobotRefused(
			_("{0} robot answered HTTP {1} (redirects are not followed)").format(platform, status)
		)
	if not 200 <= status < 300:
		raise RobotRefused(_("{0} robot answered HTTP {1}").format(platform, status))
	if not accepted(platform, answer):
		raise RobotRefused(
			_("{0} robot answered HTTP {1}, error code {2}").format(
				platform, status, error_code(platform, answer)
			)
		)


def post(target: Target, payload: bytes) -> tuple[int, dict]:
	"""POST to the address checked (not to whatever the name resolves to now), keeping the
	webhook's Host header and TLS server name; no redirects, no proxy. (HTTP status, the answer's
	JSON or {})."""
	import certifi
	import urllib3

	timeout = urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS)
	if target.scheme == "https":
		pool = urllib3.HTTPSConnectionPool(
			target.address,
			target.port,
			timeout=timeout,
			retries=False,
			maxsize=1,
			cert_reqs="CERT_REQUIRED",
			ca_certs=certifi.where(),
			server_hostname=target.host,
			assert_hostname=target.host,
		)
	else:
		pool = urllib3.HTTPConnectionPool(
			target.address, target.port, timeout=timeout, retries=False, maxsize=1
		)
	try:
		with pool:
			response = pool.urlopen(
				"POST",
				target.target,
				body=payload,
				headers={"Host": target.host_header, "Content-Type": "application/json; charset=utf-8"},
				redirect=False,
				retries=False,
				preload_content=False,
				assert_same_host=False,
			)
			try:
				raw = response.read(ANSWER_BYTES)
			finally:
				response.release_conn()
	except urllib3.exceptions.HTTPError as e:
		raise RobotRefused(_("the robot could not be reached ({0})").format(type(e).__name__)) from None
	try:
		answer = json.loads(raw or b"{}")
	except ValueError:
		answer = {}
	return response.status, answer if isinstance(answer, dict) else {}
