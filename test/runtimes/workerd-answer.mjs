// The shared tail of the workerd runners (run-in-workerd.mjs, orm-run-workerd.mjs):
// POST the env JSON to the worker Miniflare runs, print its JSON answer, dispose.
export async function printAnswer(mf, env) {
  try {
    const response = await mf.dispatchFetch('http://worker/', { method: 'POST', body: env })
    const text = await response.text()
    if (!response.ok) throw new Error(`worker answered ${response.status}: ${text}`)
    console.log(text.trim())
  } finally {
    await mf.dispose()
  }
}
