// Start GOV.UK Frontend's components (menu toggle, error summary focus, notification banners).
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Print buttons: shown only where script runs, since printing needs it.
for (const button of document.querySelectorAll("[data-cpc-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// A job being prepared (a report): check its progress every second, and show the download
// once it is ready. Without script, the page's "Check again" link does the same.
const job = document.getElementById("job");
if (job && ["waiting", "running"].includes(job.dataset.jobState)) {
  const check = async () => {
    try {
      const answer = await fetch(job.dataset.jobUrl, { headers: { Accept: "application/json" } });
      if (answer.ok) {
        const state = await answer.json();
        if (state.state === "done" || state.state === "failed") {
          window.location.reload();
          return;
        }
        const bar = document.getElementById("job-progress");
        const words = document.getElementById("job-progress-words");
        if (bar) bar.value = state.progress;
        if (words) words.textContent = `${state.progress}% done${state.step ? `: ${state.step.toLowerCase()}` : ""}.`;
      }
    } catch {
      // a missed check is tried again
    }
    setTimeout(check, 1000);
  };
  setTimeout(check, 1000);
}
