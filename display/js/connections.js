// Connection sets per snapshot, fetched once from the kiosk and then kept: switching snapshots
// during timeline playback needs no reload and, after the first pass, no request at all.

export class ConnectionCache {
  constructor() {
    this.sets = new Map(); // snapshot id → Promise of the set
  }

  get(snapshot) {
    if (!this.sets.has(snapshot)) {
      const request = fetch(`/api/display/connections/${encodeURIComponent(snapshot)}`).then((response) => {
        if (!response.ok) throw new Error(`connections for ${snapshot}: HTTP ${response.status}`);
        return response.json();
      });
      request.catch(() => this.sets.delete(snapshot)); // a failed fetch is tried again next time
      this.sets.set(snapshot, request);
    }
    return this.sets.get(snapshot);
  }

  // A new export (server restarted with another model) invalidates everything.
  clear() {
    this.sets.clear();
  }
}
