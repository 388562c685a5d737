// An ES module job whose promise rejection nobody handles (crashes under Node's default mode).
// Run with the agent: node --import @faultline/node/register examples/node-app/sync-job.mjs
async function fetchInventory(sku) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  throw new Error(`inventory service refused ${sku}`, { cause: new Error('connect ECONNREFUSED 10.0.0.7:5432') });
}

fetchInventory('SKU-1234');
