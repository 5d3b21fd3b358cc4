// The guest lookup (/ticket-lookup): a ticket's progress by its number and the phone on it.
(function () {
	const portal = window.aftersales_portal;
	const form = document.getElementById("as-lookup-form");
	const message = document.getElementById("as-message");
	const result = document.getElementById("as-lookup-result");

	function render(view) {
		const rows = (view.timeline || [])
			.map(
				(row) =>
					`<li>${portal.badge(row)}<time>${portal.escape(portal.time(row.changed_on))}</time></li>`
			)
			.join("");
		result.innerHTML =
			`<div class="as-card" id="as-lookup-card">` +
			`<div class="as-card-head"><span class="as-number">${portal.escape(view.name)}</span>${portal.badge(view.state)}</div>` +
			(view.next_step
				? `<div class="as-next"><strong>${portal.escape(portal.t("next_step"))}:</strong> ${portal.escape(view.next_step)}</div>`
				: "") +
			(view.technician
				? `<p>${portal.escape(portal.t("technician"))}: ${portal.escape(view.technician)}</p>`
				: "") +
			`<h2>${portal.escape(portal.t("timeline"))}</h2><ol class="as-timeline">${rows}</ol></div>`;
		result.hidden = false;
	}

	form.addEventListener("submit", async (event) => {
		event.preventDefault();
		message.hidden = true;
		result.hidden = true;
		const button = document.getElementById("as-lookup-submit");
		button.disabled = true;
		try {
			const view = await portal.call("aftersales_app.api.portal.lookup_ticket", {
				ticket: form.ticket.value.trim(),
				phone: form.phone.value.trim(),
			});
			if (view && view.found) render(view);
			else portal.show(message, (view && view.message) || portal.t("not_found"));
		} catch (e) {
			portal.show(message, e.message);
		} finally {
			button.disabled = false;
		}
	});
})();
