// Progressive enhancement only: every journey works without JavaScript.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { SortableTable } from "/static/moj/components/sortable-table/sortable-table.bundle.mjs";

initAll();

// MoJ sortable table: a short list (one page, no server order) sorts in the browser; lists
// read a page at a time sort on the server instead (header links, jointcase.lib.sorting).

for (const table of document.querySelectorAll('[data-module="moj-sortable-table"]')) {
  new SortableTable(table);
}
