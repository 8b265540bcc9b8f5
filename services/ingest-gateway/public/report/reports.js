// The reports sent from this device (code, category, time), so a reporter who lost the code can
// find it again here. Kept only in this browser.
const KEY = 'roadloop.reports';
const MAX = 20;

export function remembered() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((r) => typeof r?.code === 'string') : [];
  } catch {
    return [];
  }
}

export function remember(report) {
  try {
    localStorage.setItem(KEY, JSON.stringify([report, ...remembered().filter((r) => r.code !== report.code)].slice(0, MAX)));
  } catch {
    // Storage refused (private browsing): the code is still on the screen.
  }
}
