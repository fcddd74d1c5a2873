// Build the front end from the npm packages: GOV.UK Frontend's Sass with our own styles, and
// its JavaScript, into core/web/static/build/ (not committed; the app serves it itself).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "core/web/static/build");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "core/web/assets/cpc.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "cpc.css"), css.css);

const govuk = join(root, "node_modules/govuk-frontend/dist/govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
console.log(`Built ${out}`);
