// The new-request page (/service-tickets/new): submit the request, then upload its photos.
(function () {
	const portal = window.aftersales_portal;
	const form = document.getElementById("as-request-form");
	const message = document.getElementById("as-message");
	const button = document.getElementById("as-submit");

	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		const subject = form.subject.value.trim();
		const description = form.description.value.trim();
		if (!subject || !description) {
			portal.show(message, portal.t("need_fields"));
			return;
		}
		const args = { subject, description, ticket_type: form.ticket_type.value };
		const product = form.product.value;
		if (product.startsWith("serial:")) args.serial_no = product.slice(7);
		if (product.startsWith("item:")) args.item_code = product.slice(5);
		if (form.customer && !args.serial_no) args.customer = form.customer.value;

		button.disabled = true;
		let ticket;
		try {
			ticket = await portal.call("aftersales_app.api.portal.submit_request", args);
		} catch (e) {
			portal.show(message, e.message);
			button.disabled = false;
			return;
		}
		const photos = Array.from(form.photos.files || []);
		try {
			if (photos.length) portal.show(message, portal.t("uploading"), "ok");
			for (const photo of photos) await portal.upload(ticket.name, photo);
			portal.show(message, portal.t("submitted"), "ok");
		} catch (e) {
			portal.show(message, portal.t("upload_failed").replace("{0}", e.message));
			await new Promise((resolve) => setTimeout(resolve, 2500));
		}
		// the ticket's page says the request is in, with its number
		window.location.href = `${ticket.route}?submitted=1`;
	});
})();
