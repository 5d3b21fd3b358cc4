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
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

WECOM, FEISHU, DINGTALK = "WeCom", "Feishu", "DingTalk"
PLATFORMS = (WECOM, FEISHU, DINGTALK)
TIMEOUT_SECONDS = 10


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


def send(platform: str, url: str, secret: str | None, text: str):
	"""Post the message; raise with the robot's own answer when it refuses it."""
	import requests

	url, body = request_for(platform, url, secret, text)
	response = requests.post(url, json=body, timeout=TIMEOUT_SECONDS)
	response.raise_for_status()
	try:
		answer = response.json()
	except ValueError:
		answer = {}
	if not accepted(platform, answer):
		raise RobotRefused(f"{platform} robot answered {response.text[:500]}")


class RobotRefused(Exception):
	pass
