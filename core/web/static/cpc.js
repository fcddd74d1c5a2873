// Start GOV.UK Frontend's components (menu toggle, error summary focus, notification banners).
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Print buttons: shown only where script runs, since printing needs it.
for (const button of document.querySelectorAll("[data-cpc-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
