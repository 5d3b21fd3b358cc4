from aftersales_app.billing.setup import make_charging_setup


def execute():
	"""Service items (labour, call-out fee) and modes of payment (WeChat Pay, Alipay) on sites
	installed before charging existed."""
	make_charging_setup()
