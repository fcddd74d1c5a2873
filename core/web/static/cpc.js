// Start GOV.UK Frontend's components (menu toggle, error summary focus, notification banners).
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
