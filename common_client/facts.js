// What the server and the pages agree on, from the server (kiosk/client_facts.py says what is in
// it): the kinds each event stream carries, and the playground's datasets (their order, the key of
// each name in the texts, the points of each icon), limits and choices. Fetched once, before any
// module that imports it runs, so no page keeps a copy of its own.

const response = await fetch("/common/facts.json", { cache: "no-cache" });
if (!response.ok) throw new Error(`the exhibit gave no /common/facts.json (HTTP ${response.status})`);

/** {events: {screen, presenter, playground}, playground: {datasets, extent, features, ...}} */
export const facts = await response.json();

/** The key of a dataset's name in the pages' texts ("spiral" → "datasetSpiral"), or null. */
export function datasetText(name) {
  return facts.playground.datasets.find((dataset) => dataset.name === name)?.text ?? null;
}
