// An SVG bar chart of pgfleet's rate divided by each peer's, one group of
// bars per scenario, with the 1.0× line (parity) marked. No dependencies.
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1']
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** results: [{ name, medians: { driver: rate } }]; names: drivers, pgfleet first or not. */
export function drawChart(results, names, title) {
  const peers = names.filter((n) => n !== 'pgfleet')
  const bar = 9
  const groupHeight = peers.length * bar + 8
  const left = 230
  const width = 760
  const plot = width - left - 60
  const top = 46
  const height = top + results.length * groupHeight + 30
  const ratios = results.flatMap((r) => peers.map((p) => r.medians.pgfleet / r.medians[p]))
  const max = Math.max(2, Math.ceil(Math.max(...ratios) * 2) / 2)
  const x = (v) => left + (v / max) * plot
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ]
  peers.forEach((p, i) => {
    parts.push(`<rect x="${10 + i * 150}" y="28" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`)
    parts.push(`<text x="${24 + i * 150}" y="37">vs ${esc(p)}</text>`)
  })
  for (let v = 0; v <= max; v += 0.5) {
    parts.push(`<line x1="${x(v)}" y1="${top - 4}" x2="${x(v)}" y2="${height - 24}" stroke="${v === 1 ? '#d62728' : '#ddd'}" stroke-width="${v === 1 ? 1.5 : 1}"/>`)
    parts.push(`<text x="${x(v)}" y="${height - 10}" text-anchor="middle">${v.toFixed(1)}×</text>`)
  }
  results.forEach((r, gi) => {
    const y0 = top + gi * groupHeight
    parts.push(`<text x="${left - 6}" y="${y0 + (peers.length * bar) / 2 + 4}" text-anchor="end">${esc(r.name)}</text>`)
    peers.forEach((p, i) => {
      const v = r.medians.pgfleet / r.medians[p]
      parts.push(`<rect x="${left}" y="${y0 + i * bar}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="${bar - 1}" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${r.name}: ${v.toFixed(2)}× ${p}`)}</title></rect>`)
      parts.push(`<text x="${(x(v) + 3).toFixed(1)}" y="${y0 + i * bar + bar - 1}" font-size="9">${v.toFixed(2)}</text>`)
    })
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
